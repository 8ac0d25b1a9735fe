/**
 * The idempotent index phase: after a metadata change commits, after a no-op apply, and at start-up.
 * It compares the indexes the model wants (unique fields, `x-index`, lookups, search, the default
 * list orders) with the catalog (pg_index): missing ones are built with CREATE INDEX CONCURRENTLY
 * (which cannot run in a transaction and does not block writes), and INVALID ones left by a crash or
 * a failed concurrent build are dropped and built again.
 *
 * One process at a time per tenant schema: a second process finding the first one's build in
 * progress would see it INVALID and drop it. The guard is a lease row (platform.index_phase_leases),
 * not a session advisory lock: behind a transaction-mode pooler (PgBouncer) a session lock is taken
 * on one server connection and its unlock may run on another, leaving it held by a connection back
 * in the pool. The builds themselves run on a connection of their own (the session URL when there
 * is one) with `statement_timeout = 0` as a start-up option, so no pooled connection is ever SET.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { PLATFORM_SCHEMA } from '../model/naming';
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

/**
 * The validity of those of `names` that exist in `schema`. Looked up by name (pg_class's index on
 * relname and namespace): a scan of pg_index or pg_class for the schema's indexes would read the
 * whole catalogue, which grows with every tenant (5,000 tenants: about a million relations).
 */
export const INDEX_VALIDITY_SQL = `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_class c
       JOIN pg_index i ON i.indexrelid = c.oid
      WHERE c.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = $1)
        AND c.relname = ANY($2::text[])`;

async function indexValidity(run: Run, schema: string, names: readonly string[]): Promise<Map<string, boolean>> {
  if (!names.length) return new Map();
  const r = await run(INDEX_VALIDITY_SQL, [schema, names]);
  return new Map(r.rows.map((row) => [String(row.name), Boolean(row.valid)]));
}

export interface IndexPhaseOptions {
  /**
   * Settings of the connection the builds run on (default: the pool's). Behind a transaction-mode
   * pooler, a direct or session-mode URL (`DATABASE_SESSION_URL`): the start-up option that lifts
   * the statement timeout is refused or dropped by PgBouncer.
   */
  session?: () => pg.ClientConfig | undefined;
  /** How long a lease lasts without renewal: a process that died frees the tenant after this. */
  leaseMs?: number;
}

const LEASE_MS = 30_000;
const LEASE_POLL_MS = 200;
const leases = `${PLATFORM_SCHEMA}.index_phase_leases`;

/** A backend, as pg_stat_activity names it: a pid alone may be reused. */
export interface Backend {
  pid: number;
  started: string;
}

/**
 * Holds the index-phase lease of `schema` while `fn` runs: waits while another process holds a live
 * lease, renews it every third of its length, and gives it up after. Every statement is an
 * autocommit statement on whatever pooled connection: nothing depends on a pooled server session.
 * A lease is live until it expires, or until `builder` (the holder's own build connection, which
 * is a session: direct or DATABASE_SESSION_URL) is gone: a process that died frees it at once.
 * `fn` gets a check that throws once the lease was lost (taken over after its expiry).
 */
export async function withIndexPhaseLease<T>(
  db: Knex,
  schema: string,
  fn: (stillHeld: () => void) => Promise<T>,
  opts: { leaseMs?: number; builder?: Backend } = {},
): Promise<T> {
  const holder = randomUUID();
  const ms = Math.max(1000, Math.trunc(opts.leaseMs ?? LEASE_MS));
  for (;;) {
    const r = await db.raw(
      `insert into ${leases} (schema, holder, expires_at, pid, backend_start)
       values (?, ?, now() + ? * interval '1 millisecond', ?, ?)
       on conflict (schema) do update
          set holder = excluded.holder, expires_at = excluded.expires_at, pid = excluded.pid,
              backend_start = excluded.backend_start
        where ${leases}.expires_at < now()
           or (${leases}.pid is not null and not exists (
                select 1 from pg_stat_activity a
                 where a.pid = ${leases}.pid and a.backend_start = ${leases}.backend_start))
       returning holder`,
      [schema, holder, ms, opts.builder?.pid ?? null, opts.builder?.started ?? null],
    );
    if (r.rows.length) break;
    await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
  }
  let lost: Error | undefined;
  let renewing = Promise.resolve();
  const renew = setInterval(() => {
    renewing = db
      .raw(`update ${leases} set expires_at = now() + ? * interval '1 millisecond' where schema = ? and holder = ?`, [
        ms,
        schema,
        holder,
      ])
      .then((u) => {
        if (!u.rowCount) lost = new Error(`the index-phase lease of ${schema} was taken over`);
      })
      .catch(() => undefined);
  }, ms / 3);
  renew.unref?.();
  try {
    return await fn(() => {
      if (lost) throw lost;
    });
  } finally {
    clearInterval(renew);
    await renewing;
    await db.raw(`delete from ${leases} where schema = ? and holder = ?`, [schema, holder]).catch(() => undefined);
  }
}

/** Brings the schema's indexes in line with the model; never throws for one index's failure. */
export async function reconcileIndexes(
  db: Knex,
  schema: string,
  model: Model,
  opts: IndexPhaseOptions = {},
): Promise<IndexReport> {
  // The usual case (every apply, and every tenant at start-up): the model's indexes are all there
  // and valid, the new tables' built in the metadata transaction. One pooled statement says so; the
  // build connection (a backend forked and authenticated, its catalogue cache cold) and the lease
  // are only for a phase with something to build. An index another process is building is INVALID
  // meanwhile, so that case takes the long way and waits for its lease.
  const expected = [...buildTableSpecs(model).values()].flatMap((s) => [...s.indexes.keys()]);
  // knex binds `?` in order; the statement names its parameters once each, in order.
  const pooled: Run = async (sql, bindings = []) => db.raw(sql.replace(/\$\d+/g, '?'), bindings as never);
  const found = await indexValidity(pooled, schema, expected);
  if (expected.every((n) => found.get(n) === true)) return { created: [], rebuilt: [], failed: [] };
  const settings = opts.session?.() ?? (db.client as { connectionSettings?: pg.ClientConfig }).connectionSettings ?? {};
  // A concurrent build of a big table outlasts any request's statement timeout: this connection
  // starts without one, and the setting ends with it.
  const client = new pg.Client({
    ...settings,
    application_name: 'forma-indexes',
    options: `${settings.options ?? ''} -c statement_timeout=0`.trim(),
  } as pg.ClientConfig);
  client.on('error', () => undefined);
  await client.connect();
  try {
    const me = await client.query(
      'select pid, backend_start::text as started from pg_stat_activity where pid = pg_backend_pid()',
    );
    const builder = me.rows[0] ? { pid: Number(me.rows[0].pid), started: String(me.rows[0].started) } : undefined;
    const run: Run = (sql, bindings = []) => client.query(sql, [...bindings]);
    return await withIndexPhaseLease(db, schema, (stillHeld) => reconcileOn(run, schema, model, stillHeld), {
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
      ...(builder ? { builder } : {}),
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function reconcileOn(run: Run, schema: string, model: Model, stillHeld: () => void): Promise<IndexReport> {
  const report: IndexReport = { created: [], rebuilt: [], failed: [] };
  const specs = [...buildTableSpecs(model).values()];
  // Only indexes this model owns: other capabilities' system tables are theirs to repair.
  const expected = specs.flatMap((s) => [...s.indexes.keys()]);
  const before = await indexValidity(run, schema, expected);
  const invalid = new Set(expected.filter((n) => before.get(n) === false));
  for (const name of invalid) await run(`DROP INDEX CONCURRENTLY IF EXISTS ${tableRef(schema, name)}`);
  const existing = invalid.size
    ? new Set([...(await indexValidity(run, schema, expected))].filter(([, valid]) => valid).map(([n]) => n))
    : new Set(expected.filter((n) => before.get(n) === true));
  for (const spec of specs) {
    for (const idx of spec.indexes.values()) {
      if (existing.has(idx.name)) continue;
      // Past a lost lease another process may be building this very index: stop here, it finishes.
      stillHeld();
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
