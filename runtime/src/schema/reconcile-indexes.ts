/**
 * The idempotent index phase after a metadata change commits: indexes on tables with rows are built
 * with CREATE INDEX CONCURRENTLY (which cannot run in a transaction and does not block writes), and
 * INVALID indexes left by a crash or a failed concurrent build are dropped and built again.
 */
import type { Knex } from 'knex';
import type { Model } from '../model/load-model';
import { tableRef } from './sql-text';
import { createIndexSql } from './actions/create-index';
import { buildTableSpecs } from './table-spec';

export type IndexReport = {
  created: string[];
  rebuilt: string[];
  failed: Array<{ name: string; error: string }>;
};

async function indexNames(db: Knex, schema: string, valid: boolean): Promise<Set<string>> {
  const r = await db.raw(
    `SELECT c.relname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND i.indisvalid = ?`,
    [schema, valid],
  );
  return new Set(r.rows.map((row: { name: string }) => row.name));
}

/** Brings the schema's indexes in line with the model; never throws for one index's failure. */
export async function reconcileIndexes(db: Knex, schema: string, model: Model): Promise<IndexReport> {
  const report: IndexReport = { created: [], rebuilt: [], failed: [] };
  const specs = [...buildTableSpecs(model).values()];
  const expected = new Set(specs.flatMap((s) => [...s.indexes.keys()]));
  // Only indexes this model owns: other capabilities' system tables are theirs to repair.
  const invalid = new Set([...(await indexNames(db, schema, false))].filter((n) => expected.has(n)));
  for (const name of invalid) await db.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${tableRef(schema, name)}`);
  const existing = await indexNames(db, schema, true);
  for (const spec of specs) {
    for (const idx of spec.indexes.values()) {
      if (existing.has(idx.name)) continue;
      const sql = createIndexSql(
        { schema, object: spec.object, table: spec.table, ...idx, concurrently: true },
        { ifNotExists: true },
      );
      try {
        await db.raw(sql);
        (invalid.has(idx.name) ? report.rebuilt : report.created).push(idx.name);
      } catch (e) {
        // A failed concurrent build leaves an INVALID index behind: remove it so the next run retries.
        await db.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${tableRef(schema, idx.name)}`).catch(() => undefined);
        report.failed.push({ name: idx.name, error: (e as Error).message });
      }
    }
  }
  return report;
}
