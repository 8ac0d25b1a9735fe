/**
 * The database goes away under a running server (issue 19, "Faults"): every API call answers 503
 * `UNAVAILABLE` with `Retry-After` — never 500 — and the server answers normally once PostgreSQL is
 * back; the embedded PostgreSQL `npm start` owns is started again by the server itself.
 *
 * Each test starts its own PostgreSQL in a temporary directory (the run's shared one is never stopped).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/src/config';
import { type EmbeddedDb, freePort, startEmbeddedPostgres } from '../../platform/src/db/embedded-postgres';
import { type Server, startServer } from '../../platform/src/server';
import { connectDb } from '@forma/runtime';
import { ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 40 },
    code: { type: 'string', maxLength: 20, 'x-unique': true },
  },
  required: ['name'],
};

const dirs: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-faults-'));
  dirs.push(d);
  return d;
}

/** Every kind of call a user makes, each of which needs the database. */
function calls(tenant: TestTenant, anon: ApiClient, id: string) {
  return [
    ['GET /api/records/deal', () => tenant.api.get('/api/records/deal')],
    ['GET /api/records/deal/:id', () => tenant.api.get(`/api/records/deal/${id}`)],
    ['POST /api/records/deal', () => tenant.api.post('/api/records/deal', { name: 'While down' })],
    ['PATCH /api/records/deal/:id', () => tenant.api.patch(`/api/records/deal/${id}`, { name: 'Renamed' })],
    ['GET /api/meta/app', () => tenant.api.get('/api/meta/app')],
    [
      'POST /api/auth/login',
      () => anon.post('/api/auth/login', { tenant: tenant.id, email: 'x@y.test', password: 'p' }),
    ],
  ] as const;
}

async function expectUnavailable(
  name: string,
  call: () => Promise<{ status: number; body: any; headers: Headers; text: string }>,
) {
  const r = await call();
  expect(r.status, `${name}: ${r.text}`).toBe(503);
  expect(r.body.error.code, name).toBe('UNAVAILABLE');
  expect(Number(r.headers.get('retry-after')), name).toBeGreaterThan(0);
  expect(r.text, name).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
}

describe('PostgreSQL stopped under a running server', () => {
  let db: EmbeddedDb;
  let server: TestServer;
  let tenant: TestTenant;
  let dir: string;
  let port: number;

  it('answers every API call 503 UNAVAILABLE with Retry-After, then normally once it is back', {
    timeout: 300_000,
  }, async () => {
    dir = tempDir();
    port = await freePort();
    db = await startEmbeddedPostgres({ dir, port });
    cleanups.push(() => db.stop());
    server = await startTestServer({ databaseUrl: db.url });
    cleanups.push(() => server.close());
    tenant = await createTestTenant(server, { prefix: 'faultdown' });
    expect((await tenant.api.put('/api/meta/objects/deal', deal)).status).toBe(200);
    const created = await tenant.api.post('/api/records/deal', { name: 'Before', code: 'B-1' });
    expect(created.status, created.text).toBe(201);

    await db.stop();
    expect((await server.anon.get('/api/health')).status).toBe(503);
    for (const [name, call] of calls(tenant, server.anon, created.body.id)) await expectUnavailable(name, call);

    db = await startEmbeddedPostgres({ dir, port });
    await expect.poll(async () => (await tenant.api.get('/api/records/deal')).status, { timeout: 120_000 }).toBe(200);
    const list = await tenant.api.get('/api/records/deal');
    expect(list.body.items.map((d: { name: string }) => d.name)).toEqual(['Before']);
    const after = await tenant.api.post('/api/records/deal', { name: 'After', code: 'A-1' });
    expect(after.status, after.text).toBe(201);
  });
});

describe('the embedded PostgreSQL that npm start owns', () => {
  let server: Server;
  let dir: string;
  let tenantId: string;
  let config: ReturnType<typeof loadConfig>;

  it('is started again when killed: 503 meanwhile, then normal answers, logged', { timeout: 300_000 }, async () => {
    dir = tempDir();
    const logs: string[] = [];
    config = {
      ...loadConfig({ DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', DEMO: '0', LOG_LEVEL: 'warn' }),
      webDir: path.join(dir, 'no-web'),
    };
    server = await startServer({
      config,
      // Long enough that the test sees the outage before the restart, whatever the machine's load.
      dbRestartBackoff: { initialMs: 3_000, maxMs: 10_000 },
      poolMax: 6,
      logStream: new Writable({
        write(chunk, _enc, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    });
    cleanups.push(() => server.close());
    const testServer = {
      url: server.url,
      platform: new ApiClient(server.url, config.platformToken),
      anon: new ApiClient(server.url),
    } as unknown as TestServer;
    const tenant = await createTestTenant(testServer, { prefix: 'faultkill' });
    tenantId = tenant.id;
    expect((await tenant.api.put('/api/meta/objects/deal', deal)).status).toBe(200);
    expect((await tenant.api.post('/api/records/deal', { name: 'Before' })).status).toBe(201);

    const pidLine = fs.readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number(pidLine);
    expect(pid).toBeGreaterThan(0);
    const seen = new Set<number>();
    process.kill(pid, 'SIGKILL');
    await expect
      .poll(
        async () => {
          const r = await tenant.api.get('/api/records/deal');
          seen.add(r.status);
          if (r.status === 503) expect(r.headers.get('retry-after')).toBeTruthy();
          return r.status;
        },
        { timeout: 60_000 },
      )
      .toBe(503);
    await expect
      .poll(
        async () => {
          const r = await tenant.api.get('/api/records/deal');
          seen.add(r.status);
          return r.status;
        },
        { timeout: 120_000, interval: 250 },
      )
      .toBe(200);
    // Nothing but "unavailable" and "fine" while it healed: never a 500.
    expect([...seen].sort()).toEqual([200, 503]);
    expect((await tenant.api.post('/api/records/deal', { name: 'After' })).status).toBe(201);
    const text = logs.join('');
    expect(text).toMatch(/Embedded PostgreSQL exited unexpectedly \(SIGKILL\)/);
    expect(text).toMatch(/Embedded PostgreSQL is running again/);
  });

  it('repairs at start-up the indexes a crash left missing or INVALID', { timeout: 300_000 }, async () => {
    await server.close();
    const db = await startEmbeddedPostgres({ dir });
    const schema = `t_${tenantId}`;
    let names: { unique: string; created: string };
    try {
      const pg = connectDb({ url: db.url, poolMax: 1 });
      try {
        const defs = (await pg.raw(
          'select indexname, indexdef from pg_indexes where schemaname = ? and tablename = ?',
          [schema, 'deal'],
        )) as { rows: Array<{ indexname: string; indexdef: string }> };
        const find = (re: RegExp) => defs.rows.find((r) => re.test(r.indexdef))?.indexname as string;
        names = { unique: find(/UNIQUE INDEX .*\(code\)/), created: find(/\(created_at DESC NULLS LAST, id\)/) };
        expect(names.unique && names.created).toBeTruthy();
        // The process died in the index phase: one index never built, one left INVALID.
        await pg.raw(`drop index ${schema}.${names.created}`);
        await pg.raw('update pg_index set indisvalid = false where indexrelid = ?::regclass', [
          `${schema}.${names.unique}`,
        ]);
      } finally {
        await pg.destroy();
      }
    } finally {
      await db.stop();
    }

    server = await startServer({ config, poolMax: 6 });
    cleanups.push(() => server.close());
    const state = async () =>
      (
        await server.runtime.db.raw(
          `select c.relname as name, i.indisvalid as valid from pg_index i
             join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = any(?) order by c.relname`,
          [schema, [names.unique, names.created]],
        )
      ).rows;
    await expect
      .poll(state, { timeout: 120_000, interval: 250 })
      .toEqual([names.unique, names.created].sort().map((name) => ({ name, valid: true })));
  });
});
