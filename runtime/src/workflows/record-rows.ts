import type { Knex } from 'knex';
import { notFound } from '../errors';
import type { ObjectModel } from '../model/load-model';
import { tableOf } from '../model/naming';
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
