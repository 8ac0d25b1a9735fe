/**
 * The idempotent index phase: after a metadata change commits, after a no-op apply, and at start-up.
 * It compares the indexes the model wants (unique fields, `x-index`, lookups, search, the default
 * list orders) with the catalog (pg_index): missing ones are built with CREATE INDEX CONCURRENTLY
 * (which cannot run in a transaction and does not block writes), and INVALID ones left by a crash or
 * a failed concurrent build are dropped and built again.
 *
 * One process at a time per tenant schema (a session advisory lock on one pinned connection): a
 * second process finding the first one's build in progress would see it INVALID and drop it.
 */
import type { Knex } from 'knex';
import { advisoryKey } from '../db/advisory-lock';
import type { Model } from '../model/load-model';
import { tableRef } from './sql-text';
import { createIndexSql } from './actions/create-index';
import { buildTableSpecs } from './table-spec';

export type IndexReport = {
  created: string[];
  rebuilt: string[];
  failed: Array<{ name: string; error: string }>;
};

type Run = (sql: string, bindings?: readonly unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>;

async function indexNames(run: Run, schema: string, valid: boolean): Promise<Set<string>> {
  const r = await run(
    `SELECT c.relname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND i.indisvalid = ?`,
    [schema, valid],
  );
  return new Set(r.rows.map((row) => String(row.name)));
}

/** The session advisory lock held while a process runs the index phase of `schema`. */
export function indexPhaseLockKey(schema: string): string {
  return advisoryKey(`forma:indexes:${schema}`);
}

/** Brings the schema's indexes in line with the model; never throws for one index's failure. */
export async function reconcileIndexes(db: Knex, schema: string, model: Model): Promise<IndexReport> {
  const conn = await db.client.acquireConnection();
  const run: Run = (sql, bindings = []) => db.raw(sql, bindings as Knex.RawBinding[]).connection(conn);
  const key = indexPhaseLockKey(schema);
  try {
    await run('SELECT pg_advisory_lock(?::bigint)', [key]);
    try {
      // A concurrent build of a big table outlasts any request's statement timeout.
      await run('SET statement_timeout = 0');
      return await reconcileOn(run, schema, model);
    } finally {
      await run('RESET statement_timeout').catch(() => undefined);
      await run('SELECT pg_advisory_unlock(?::bigint)', [key]).catch(() => undefined);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}

async function reconcileOn(run: Run, schema: string, model: Model): Promise<IndexReport> {
  const report: IndexReport = { created: [], rebuilt: [], failed: [] };
  const specs = [...buildTableSpecs(model).values()];
  const expected = new Set(specs.flatMap((s) => [...s.indexes.keys()]));
  // Only indexes this model owns: other capabilities' system tables are theirs to repair.
  const invalid = new Set([...(await indexNames(run, schema, false))].filter((n) => expected.has(n)));
  for (const name of invalid) await run(`DROP INDEX CONCURRENTLY IF EXISTS ${tableRef(schema, name)}`);
  const existing = await indexNames(run, schema, true);
  for (const spec of specs) {
    for (const idx of spec.indexes.values()) {
      if (existing.has(idx.name)) continue;
      const sql = createIndexSql(
        { schema, object: spec.object, table: spec.table, ...idx, concurrently: true },
        { ifNotExists: true },
      );
      try {
        await run(sql);
        (invalid.has(idx.name) ? report.rebuilt : report.created).push(idx.name);
      } catch (e) {
        // A failed concurrent build leaves an INVALID index behind: remove it so the next run retries.
        await run(`DROP INDEX CONCURRENTLY IF EXISTS ${tableRef(schema, idx.name)}`).catch(() => undefined);
        report.failed.push({ name: idx.name, error: (e as Error).message });
      }
    }
  }
  return report;
}
