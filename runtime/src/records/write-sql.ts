/**
 * INSERT/UPDATE/DELETE statements of the records engine. Values are bound; columns come from the
 * model (validated identifiers). Database refusals that come from the data (unique values, rows
 * still referenced) become typed 409s naming the field.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError, conflict, validationFailed } from '../errors';
import type { ObjectModel } from '../model/load-model';
import { constraintName } from '../model/naming';
import { AUDIT_TABLE, type AuditEntry, auditRow } from './audit';
import { assertUniqueIndexes } from './unique-index-guard';

export type Row = Record<string, unknown>;

/** Columns a new row gets from the table's defaults whatever the object (create-table.ts). */
const SYSTEM_DEFAULTS: Row = { approval_status: 'none' };

/**
 * Inserts rows and returns them as stored. With `audit` (the create entry of a row), each row's audit
 * entry goes in the same statement (a data-modifying CTE): one round trip instead of two. The entry
 * is made from the row as sent (its id chosen here) and checked against the row as stored; where a
 * default or a cast made them differ, the stored row's entry replaces it in the same transaction.
 */
export async function insertRows(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  rows: Row[],
  audit?: (row: Row) => AuditEntry,
) {
  if (!rows.length) return [] as Row[];
  await assertUniqueIndexes(trx, schema, object, rows);
  try {
    // clock_timestamp() (not the transaction's now()): rows saved together still get distinct,
    // increasing creation times, so "creation order" is stable for line items and imports.
    const stamped = rows.map((r) => ({
      ...r,
      ...(audit && r.id === undefined ? { id: randomUUID() } : {}),
      created_at: trx.raw('clock_timestamp()'),
      updated_at: trx.raw('clock_timestamp()'),
    }));
    // PostgreSQL takes at most 65535 bind parameters per statement: large batches go in slices.
    const columns = new Set(stamped.flatMap((r) => Object.keys(r))).size + (audit ? 7 : 0);
    const perStatement = Math.max(1, Math.floor(60_000 / columns));
    const out: Row[] = [];
    for (let i = 0; i < stamped.length; i += perStatement) {
      const slice = stamped.slice(i, i + perStatement);
      const insert = trx.withSchema(schema).insert(slice).into(object.table).returning('*');
      if (!audit) {
        out.push(...((await insert) as Row[]));
        continue;
      }
      const sent = slice.map((r) => audit({ ...SYSTEM_DEFAULTS, ...r }));
      const written = (await trx
        .with('r', insert)
        .with('a', trx.withSchema(schema).insert(sent.map(auditRow)).into(AUDIT_TABLE))
        .select('*')
        .from('r')) as Row[];
      const byId = new Map(written.map((r) => [r.id as string, r]));
      for (const [k, r] of slice.entries()) {
        const row = byId.get(r.id as string)!;
        out.push(row);
        const stored = audit(row);
        if (JSON.stringify(stored.changes) !== JSON.stringify(sent[k]!.changes))
          await trx
            .withSchema(schema)
            .from(AUDIT_TABLE)
            .where({ object: stored.object, record_id: stored.recordId, action: stored.action })
            .update({ changes: JSON.stringify(stored.changes) });
      }
    }
    return out;
  } catch (e) {
    throw fromConstraint(e, object);
  }
}

/** Updates one row and bumps its version; `set` holds columns only. */
export async function updateRow(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  id: string,
  set: Row,
  userId: string | null,
): Promise<Row> {
  await assertUniqueIndexes(trx, schema, object, [set]);
  try {
    const [row] = await trx
      .withSchema(schema)
      .from(object.table)
      .where('id', id)
      .update({
        ...set,
        version: trx.raw('?? + 1', ['version']),
        updated_at: trx.fn.now(),
        updated_by: userId,
      })
      .returning('*');
    return row as Row;
  } catch (e) {
    throw fromConstraint(e, object);
  }
}

export function markDeleted(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  ids: string[],
  userId: string | null,
) {
  return updateMany(trx, schema, object, ids, { deleted_at: trx.fn.now() }, userId);
}

export async function markRestored(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  id: string,
  userId: string | null,
) {
  await assertUniqueIndexes(trx, schema, object, [], { restoring: true });
  return updateMany(trx, schema, object, [id], { deleted_at: null }, userId);
}

async function updateMany(
  trx: Knex.Transaction,
  schema: string,
  object: ObjectModel,
  ids: string[],
  set: Row,
  userId: string | null,
): Promise<Row[]> {
  if (!ids.length) return [];
  try {
    return (await trx
      .withSchema(schema)
      .from(object.table)
      .whereIn('id', ids)
      .update({ ...set, version: trx.raw('?? + 1', ['version']), updated_at: trx.fn.now(), updated_by: userId })
      .returning('*')) as Row[];
  } catch (e) {
    throw fromConstraint(e, object);
  }
}

export async function deleteRow(trx: Knex.Transaction, schema: string, object: ObjectModel, id: string) {
  try {
    await trx.withSchema(schema).from(object.table).where('id', id).del();
  } catch (e) {
    throw fromConstraint(e, object);
  }
}

/**
 * Unique violations → 409 naming the field; a lookup to a missing record → 400 on the field; rows
 * still referenced → 409; anything else unchanged. No answer names a database constraint.
 */
export function fromConstraint(e: unknown, object: ObjectModel): unknown {
  const err = e as { code?: string; constraint?: string; table?: string };
  if (err?.code === '23505') {
    const field = object.customFields.find((f) => f.unique && constraintName('uq', f.id) === err.constraint);
    const name = field?.name ?? 'id';
    return conflict(
      `Another record already has this ${field?.label ?? 'value'}`,
      { field: name },
      {
        [name]: 'Already used by another record',
      },
    );
  }
  // 23001: a required lookup elsewhere (ON DELETE RESTRICT) still points at the row.
  if (err?.code === '23503' || err?.code === '23001') {
    // A lookup to a record gone since it was checked: the same answer as any unknown target.
    const lookup = object.customFields.find((f) => f.ref && constraintName('fk', f.id) === err.constraint);
    if (lookup) return validationFailed('The record is not valid', { [lookup.name]: 'No such record' });
    // Never the constraint's name: it is the schema's business, not the client's.
    return conflict('The record is referenced by other records');
  }
  return e instanceof AppError ? e : e;
}
