import type { Knex } from 'knex';
import { notFound } from '../errors';
import type { ObjectModel } from '../model/load-model';
import { columnOf, tableOf } from '../model/naming';
import type { RecordData } from '../scripts';

export type ApprovalStatus = 'none' | 'pending' | 'approved' | 'rejected';

/**
 * The approval engine's own narrow access to a record row: lock it, read it, write the fields a
 * workflow sets and `approval_status`. Names come from naming.ts; values are bound by knex.
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

export async function readRecord(
  db: Knex,
  schema: string,
  object: ObjectModel,
  id: string,
): Promise<RecordData | undefined> {
  const row = await db.withSchema(schema).from(tableOf(object.name)).where('id', id).first();
  return row ? plain(row) : undefined;
}

/** Writes fields (already validated) and the approval status, bumping the optimistic version. */
export async function writeRecord(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  id: string,
  change: { fields?: RecordData; status?: ApprovalStatus; actor: string | null; at: Date },
): Promise<RecordData> {
  const patch: Record<string, unknown> = {};
  for (const [f, v] of Object.entries(change.fields ?? {})) patch[columnOf(f)] = v;
  if (change.status) patch.approval_status = change.status;
  patch.updated_at = change.at;
  if (change.actor) patch.updated_by = change.actor;
  const [row] = await trx
    .withSchema(schema)
    .table(tableOf(object.name))
    .where('id', id)
    .update({ ...patch, version: trx.raw('?? + 1', ['version']) })
    .returning('*');
  if (!row) throw notFound(`No ${object.name} record ${id}`);
  return plain(row);
}

/** JSON-plain values, as scripts and API answers see them (timestamps as ISO strings). */
function plain(row: Record<string, unknown>): RecordData {
  const out: RecordData = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}
