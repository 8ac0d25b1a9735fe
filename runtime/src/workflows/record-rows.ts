import type { Knex } from 'knex';
import { notFound } from '../errors';
import type { Ctx } from '../ctx';
import type { Model, ObjectModel } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import { resolveRecord } from '../records/record-guard';
import { SYSTEM_TABLE, tableOf } from '../model/naming';
import type { RecordData } from '../scripts';

/**
 * The approval engine's own narrow read access to a record row: lock it (the instance first, then
 * the record: one lock order) and read it. It never writes one: a workflow's fields and the
 * approval status go through the records engine (`WorkflowRecords.systemUpdate`).
 */
export async function lockRecord(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  id: string,
): Promise<RecordData> {
  const row = await trx
    .withSchema(schema)
    .from(tableOf(object.name))
    .where('id', id)
    .whereNull('deleted_at')
    .forUpdate()
    .first();
  if (!row) throw notFound(`No ${object.name} record ${id}`);
  return plain(row);
}

/**
 * A submit's first read: the record locked (as `lockRecord`) and the id of its pending approval
 * instance, if any, in one statement. `guard`: the submitter's own submit, which must reach the
 * record as for an update (404 outside the read scope, 403 outside the update scope), answered by
 * the same statement (record-guard.ts). `row` is the stored row as read (the records engine's next
 * write takes it as locked), `record` its JSON-plain copy.
 */
export async function lockRecordForSubmit(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  id: string,
  guard?: { ctx: Ctx; model: Model; permissions: PermissionEngine },
): Promise<{ row: Record<string, unknown>; record: RecordData; pending?: string }> {
  let found: Record<string, unknown> | undefined;
  if (guard) {
    const also = {
      [PENDING]: trx.raw(
        `select i.id from ?? i where i.object = ? and i.record_id = ?? and i.status = 'pending' limit 1`,
        [`${schema}.${SYSTEM_TABLE.wfInstances}`, object.name, `${object.table}.id`],
      ),
    };
    const { row } = await resolveRecord(guard.ctx, guard.model, guard.permissions, object.name, id, {
      op: 'update',
      lock: true,
      also,
    });
    found = row;
  } else {
    const r = await trx.raw(
      `select r.*, (select i.id from ?? i where i.object = ? and i.record_id = r.id and i.status = 'pending' limit 1)
         as ${PENDING}
       from ?? r where r.id = ? and r.deleted_at is null limit 1 for update of r`,
      [`${schema}.${SYSTEM_TABLE.wfInstances}`, object.name, `${schema}.${tableOf(object.name)}`, id],
    );
    found = r.rows[0] as Record<string, unknown> | undefined;
  }
  if (!found) throw notFound(`No ${object.name} record ${id}`);
  const { [PENDING]: pending, ...row } = found;
  return { row, record: plain(row), ...(typeof pending === 'string' ? { pending } : {}) };
}

// Not a field name: fields start with a letter.
const PENDING = '__pending_instance';

export async function readRecord(
  db: Knex,
  schema: string,
  object: ObjectModel,
  id: string,
): Promise<RecordData | undefined> {
  const row = await db.withSchema(schema).from(tableOf(object.name)).where('id', id).first();
  return row ? plain(row) : undefined;
}

export async function readRecords(
  db: Knex,
  schema: string,
  object: ObjectModel,
  ids: readonly string[],
): Promise<RecordData[]> {
  if (!ids.length) return [];
  const rows = await db.withSchema(schema).from(tableOf(object.name)).whereIn('id', ids);
  return rows.map(plain);
}

/** JSON-plain values, as scripts and API answers see them (timestamps as ISO strings). */
export function plain(row: Record<string, unknown>): RecordData {
  const out: RecordData = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}
