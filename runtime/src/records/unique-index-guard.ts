/**
 * A unique field is only unique while its index exists and is valid. A metadata change commits the
 * field first and builds the index after commit (CREATE INDEX CONCURRENTLY on tables with rows); a
 * crash or a failed build in between leaves the field without its index until the index phase runs
 * again (start-up, the next apply, `repairIndexes`). Meanwhile a write of a value to that field is
 * refused with 503 — never silently accepted as a duplicate.
 */
import type { Knex } from 'knex';
import { unavailable } from '../errors';
import type { FieldModel, ObjectModel } from '../model/load-model';
import { constraintName } from '../model/naming';

/** Seconds a client should wait while a unique index is being (re)built. */
export const UNIQUE_INDEX_RETRY_AFTER_S = 5;

/**
 * Index names found valid, per object model. A model belongs to one metadata version, and within a
 * version an index that once was valid stays so (the index phase only drops INVALID ones), so a
 * found index is never asked about again; a missing one is asked about on every write.
 */
const verified = new WeakMap<ObjectModel, Set<string>>();

/** Refuses the write when a unique field it sets has no valid index. */
export async function assertUniqueIndexes(
  trx: Knex | Knex.Transaction,
  schema: string,
  object: ObjectModel,
  rows: ReadonlyArray<Record<string, unknown>>,
  opts: { restoring?: boolean } = {},
): Promise<void> {
  const written = object.customFields.filter(
    (f) =>
      f.unique &&
      f.column &&
      // Restoring a record from the bin brings its values back among the live ones.
      (opts.restoring || rows.some((r) => r[f.column as string] !== undefined && r[f.column as string] !== null)),
  );
  if (!written.length) return;
  const known = verified.get(object) ?? new Set<string>();
  const wanted = new Map<string, FieldModel>();
  for (const f of written) {
    const name = constraintName('uq', f.id);
    if (!known.has(name)) wanted.set(name, f);
  }
  if (!wanted.size) return;
  const r = await trx.raw(
    `SELECT c.relname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relname = ANY(?) AND i.indisvalid AND i.indisready AND i.indisunique`,
    [schema, [...wanted.keys()]],
  );
  for (const row of r.rows as Array<{ name: string }>) {
    known.add(row.name);
    wanted.delete(row.name);
  }
  verified.set(object, known);
  const missing = [...wanted.values()];
  if (!missing.length) return;
  throw unavailable(
    `The unique values of ${missing.map((f) => f.label).join(', ')} are being indexed; saving a value there is paused until the index is ready. Please retry shortly.`,
    UNIQUE_INDEX_RETRY_AFTER_S,
    { fields: missing.map((f) => f.name) },
  );
}
