/**
 * The index phase behind a transaction-mode pooler (bench/README.md, PgBouncer): its
 * one-process-per-tenant guard and its unlimited statement timeout must not live in a pooled
 * connection's session, where PgBouncer would hand them to another client or lose them.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDb, type Db } from '../db/connect-db';
import { platformMigrations } from '../db/platform-migrations';
import { runMigrations } from '../db/run-migrations';
import { EMPTY_DOCUMENT, loadModel } from '../model/load-model';
import { PLATFORM_SCHEMA } from '../model/naming';
import { reconcileIndexes, withIndexPhaseLease } from './reconcile-indexes';

let one: Db;
let two: Db;
const schema = `idxlease_${Math.random().toString(36).slice(2, 8)}`;
const deal = loadModel(
  {
    ...EMPTY_DOCUMENT,
    objects: {
      deal: {
        title: 'Deal',
        type: 'object',
        properties: { name: { type: 'string', maxLength: 40 }, amount: { type: 'number', 'x-index': true } },
      },
    },
  } as typeof EMPTY_DOCUMENT,
  1,
);

/** The SQL each pool ran, as knex reports it. */
function watch(db: Db): string[] {
  const seen: string[] = [];
  db.on('query', (q: { sql: string }) => seen.push(q.sql));
  return seen;
}

beforeAll(async () => {
  // Two pools: two server processes.
  one = connectDb({ url: inject('databaseUrl'), poolMax: 2 });
  two = connectDb({ url: inject('databaseUrl'), poolMax: 2 });
  await runMigrations(one, PLATFORM_SCHEMA, platformMigrations);
  await one.raw(`create schema ${schema}`);
  await one.raw(
    `create table ${schema}.deal (id uuid primary key, name text, amount numeric, owner uuid, created_at timestamptz, updated_at timestamptz, deleted_at timestamptz)`,
  );
});
afterAll(async () => {
  await one?.raw(`drop schema if exists ${schema} cascade`);
  await one?.destroy();
  await two?.destroy();
});

describe('the index phase behind a transaction-mode pooler', () => {
  it('sets, locks and builds nothing on a pooled connection: no SET/RESET, no session advisory lock', async () => {
    const seen = watch(one);
    const report = await reconcileIndexes(one, schema, deal);
    expect(report.failed).toEqual([]);
    expect(report.created.length).toBeGreaterThan(0);
    // What a pooler would carry to another client, or lose between two statements.
    expect(
      seen.filter((sql) => /(^|;)\s*(set|reset)\b|set_config|pg_advisory_(lock|unlock|try)|concurrently/i.test(sql)),
    ).toEqual([]);
    // The builds ran on a connection of their own, which is gone with its settings.
    const left = await one.raw(
      `select count(*)::int as n from pg_stat_activity where application_name = 'forma-indexes'`,
    );
    expect(left.rows[0].n).toBe(0);
    // The lease is given back.
    const held = await one.raw(
      `select count(*)::int as n from ${PLATFORM_SCHEMA}.index_phase_leases where schema = ?`,
      [schema],
    );
    expect(held.rows[0].n).toBe(0);
  });

  it("two processes' phases of one schema take turns: the second waits for the first's lease", async () => {
    const amountIndex = async () =>
      (await one.raw(`select indexname from pg_indexes where schemaname = ? and indexdef like '%(amount)%'`, [schema]))
        .rows[0]?.indexname as string | undefined;
    // Something for the second phase to build.
    const dropped = (await amountIndex()) as string;
    await one.raw(`drop index ${schema}.${dropped}`);
    const tries = watch(two);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // Process one is in its index phase...
    const first = withIndexPhaseLease(one, schema, async () => {
      entered();
      await released;
      return 'first';
    });
    await inside;
    // ...so process two's phase keeps asking for the lease, and builds nothing meanwhile.
    let secondDone = false;
    const second = reconcileIndexes(two, schema, deal).then((r) => {
      secondDone = true;
      return r;
    });
    const attempts = () => tries.filter((sql) => /insert into .*index_phase_leases/i.test(sql)).length;
    while (attempts() < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(secondDone).toBe(false);
    expect(await amountIndex()).toBeUndefined();
    release();
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toMatchObject({ failed: [], created: [dropped] });
    expect(await amountIndex()).toBe(dropped);
  });

  it('a phase with nothing to build is one pooled statement: no lease, no build connection', async () => {
    // Every apply and every tenant at start-up ends in an index phase, mostly with nothing to do.
    await reconcileIndexes(one, schema, deal);
    const seen = watch(one);
    const connections = async () =>
      Number(
        (await one.raw(`select count(*)::int as n from pg_stat_activity where application_name = 'forma-indexes'`))
          .rows[0].n,
      );
    await expect(reconcileIndexes(one, schema, deal)).resolves.toEqual({ created: [], rebuilt: [], failed: [] });
    expect(seen.filter((sql) => !/pg_stat_activity/.test(sql))).toHaveLength(1);
    expect(seen.filter((sql) => /index_phase_leases/.test(sql))).toEqual([]);
    expect(await connections()).toBe(0);
    // An INVALID index (a cut concurrent build) still takes the long way and is built again.
    const idx = (
      await one.raw(`select indexname from pg_indexes where schemaname = ? and indexdef like '%(amount)%'`, [schema])
    ).rows[0].indexname as string;
    await one.raw(
      `update pg_index set indisvalid = false where indexrelid = (select oid from pg_class where relname = ? and relnamespace = ?::regnamespace)`,
      [idx, schema],
    );
    await expect(reconcileIndexes(one, schema, deal)).resolves.toMatchObject({ rebuilt: [idx], failed: [] });
  });

  it('a lease whose process died is free at once when its build connection is gone, else once it expires', async () => {
    const gone = new pg.Client({ connectionString: inject('databaseUrl') });
    await gone.connect();
    const b = (
      await gone.query('select pid, backend_start::text as started from pg_stat_activity where pid = pg_backend_pid()')
    ).rows[0];
    // Its process died while holding the lease: nothing deleted the row, which would live an hour more.
    await gone.end();
    await one.raw(
      `insert into ${PLATFORM_SCHEMA}.index_phase_leases (schema, holder, expires_at, pid, backend_start)
       values (?, 'dead', now() + interval '1 hour', ?, ?)
       on conflict (schema) do update set holder = 'dead', expires_at = excluded.expires_at, pid = excluded.pid, backend_start = excluded.backend_start`,
      [schema, b.pid, b.started],
    );
    await expect(withIndexPhaseLease(two, schema, async () => 'taken at once')).resolves.toBe('taken at once');

    await one.raw(`delete from ${PLATFORM_SCHEMA}.index_phase_leases where schema = ?`, [schema]);
    await one.raw(
      `insert into ${PLATFORM_SCHEMA}.index_phase_leases (schema, holder, expires_at) values (?, 'dead', now() - interval '1 second')`,
      [schema],
    );
    await expect(withIndexPhaseLease(two, schema, async () => 'taken')).resolves.toBe('taken');
  });
});
