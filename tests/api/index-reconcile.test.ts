/**
 * Indexes the model wants are there, and come back by themselves (issue 19, "Faults"): a unique
 * field whose index a crash took away refuses writes with 503 instead of accepting duplicates; the
 * index phase runs at start-up and on every apply (no-op included), rebuilds INVALID indexes left by
 * an interrupted CREATE INDEX CONCURRENTLY; every object table has its default list orders indexed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withIndexPhaseLease } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import { type Catalog, catalog } from '../support/catalog';

let server: TestServer;
let tenant: TestTenant;
let db: Catalog;

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 40 },
    code: { type: 'string', maxLength: 20, 'x-unique': true, title: 'Code' },
    amount: { type: 'number', 'x-index': true },
  },
  required: ['name'],
};

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'idxfix' });
  db = catalog(server, tenant.id);
  const r = await tenant.api.put('/api/meta/objects/deal', deal);
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

/** Name and validity of the deal table's indexes, by definition. */
async function indexes(table = 'deal'): Promise<Array<{ name: string; def: string; valid: boolean }>> {
  const r = await db.raw(
    `select c.relname as name, pg_get_indexdef(i.indexrelid) as def, i.indisvalid as valid
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = ? and t.relname = ?`,
    [db.schema, table],
  );
  return r.rows;
}

async function indexOn(pattern: RegExp, table = 'deal'): Promise<{ name: string; def: string; valid: boolean }> {
  const found = (await indexes(table)).find((i) => pattern.test(i.def));
  if (!found) throw new Error(`no index matches ${pattern}: ${(await indexes(table)).map((i) => i.def).join('\n')}`);
  return found;
}

const UNIQUE_CODE = /UNIQUE INDEX .* \(code\) WHERE \(deleted_at IS NULL\)/;
const CREATED = /\(created_at DESC NULLS LAST, id\) WHERE \(deleted_at IS NULL\)/;
const UPDATED = /\(updated_at DESC NULLS LAST, id\) WHERE \(deleted_at IS NULL\)/;

/**
 * Runs `fn` holding the tenant's index-phase lease: the run's other server processes (tests that
 * start `npm start`'s main) run the index phase of every tenant at start-up, and would otherwise
 * repair what this file breaks on purpose before it is looked at.
 */
async function holdingIndexLock<T>(fn: () => Promise<T>): Promise<T> {
  return withIndexPhaseLease(server.runtime.db, db.schema, fn);
}

const startUp = () => server.runtime.meta.reconcileTenantIndexes(server.runtime.tenants.bootstrapCtx(tenant.id));

describe('a unique field without its index', () => {
  it('refuses writes of that field with 503 until an apply (even a no-op) rebuilds the index', async () => {
    const unique = await indexOn(UNIQUE_CODE);
    await holdingIndexLock(async () => {
      // A crash after the apply committed, before its index phase: the field is unique, the index is not there.
      await db.raw(`drop index ${db.schema}.${unique.name}`);

      for (const code of ['DUP-1', 'DUP-1', 'DUP-1']) {
        const r = await tenant.api.post('/api/records/deal', { name: 'Dup', code });
        expect(r.status, r.text).toBe(503);
        expect(r.body.error.code).toBe('UNAVAILABLE');
        expect(r.body.error.message).toMatch(/Code/);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // Writes that leave the field alone go on.
      const plain = await tenant.api.post('/api/records/deal', { name: 'No code' });
      expect(plain.status, plain.text).toBe(201);
      const patch = await tenant.api.patch(`/api/records/deal/${plain.body.id}`, { code: 'DUP-1' });
      expect(patch.status, patch.text).toBe(503);
      expect((await tenant.api.patch(`/api/records/deal/${plain.body.id}`, { amount: 5 })).status).toBe(200);
      const imported = await tenant.api.post('/api/records/deal/import', undefined, {
        raw: 'name,code\nA,IMP-1\nB,IMP-1',
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.status, imported.text).toBe(503);
      expect(await db.rows('deal')).toHaveLength(1);
    });

    // Re-sending the same document is a no-op for the metadata, and it runs the index phase.
    const again = await tenant.api.put('/api/meta/objects/deal', deal);
    expect(again.status, again.text).toBe(200);
    expect(again.body.changed).toBe(false);
    // (Unless another process's start-up got the lock first and built it: then the apply found it.)
    expect(again.body.indexes?.created ?? [unique.name]).toContain(unique.name);
    expect((await indexOn(UNIQUE_CODE)).valid).toBe(true);

    expect((await tenant.api.post('/api/records/deal', { name: 'One', code: 'DUP-1' })).status).toBe(201);
    const dup = await tenant.api.post('/api/records/deal', { name: 'Two', code: 'DUP-1' });
    expect(dup.status, dup.text).toBe(409);
    expect(dup.body.error.fields).toHaveProperty('code');
  });

  it('an INVALID index left by an interrupted concurrent build is dropped and rebuilt at start-up', async () => {
    const unique = await indexOn(UNIQUE_CODE);
    const before = unique.def;
    await holdingIndexLock(async () => {
      // What CREATE INDEX CONCURRENTLY leaves when its process dies mid-build.
      await db.raw('update pg_index set indisvalid = false where indexrelid = ?::regclass', [
        `${db.schema}.${unique.name}`,
      ]);
      expect((await indexOn(UNIQUE_CODE)).valid).toBe(false);
    });
    const report = await startUp();
    expect(report?.failed).toEqual([]);
    // (Another process's start-up may have rebuilt it first, the moment the lock was free.)
    if (report?.rebuilt.length) expect(report.rebuilt).toEqual([unique.name]);
    const after = await indexOn(UNIQUE_CODE);
    expect(after).toMatchObject({ name: unique.name, def: before, valid: true });
    expect((await tenant.api.post('/api/records/deal', { name: 'Three', code: 'DUP-1' })).status).toBe(409);
  });
});

describe('a server process killed in its index phase', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const ticket = {
    title: 'Ticket',
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 40 }, ref: { type: 'string', maxLength: 40, title: 'Reference' } },
    required: ['name'],
  };
  const uniqueRef = {
    ...ticket,
    properties: { ...ticket.properties, ref: { ...ticket.properties.ref, 'x-unique': true } },
  };

  it('leaves the committed unique field refusing writes (503), and the next apply rebuilds its index', {
    timeout: 300_000,
  }, async () => {
    expect((await tenant.api.put('/api/meta/objects/ticket', ticket)).status).toBe(200);
    expect((await tenant.api.post('/api/records/ticket', { name: 'Old', ref: 'R-1' })).status).toBe(201);
    const knex = server.runtime.db;
    // A writer holding the table keeps the concurrent build waiting, so it is surely cut mid-way.
    const writer = await knex.transaction();
    await writer.raw(`lock table ${db.schema}.ticket in row exclusive mode`);
    const child = spawn(
      process.execPath,
      ['--no-node-snapshot', '--import', 'tsx', path.join(root, 'tests/support/apply-metadata-child.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: inject('databaseUrl'),
          FORMA_TENANT: tenant.id,
          FORMA_SECTION: 'objects',
          FORMA_NAME: 'ticket',
          FORMA_ITEM: JSON.stringify(uniqueRef),
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const building = async () =>
        (
          await knex.raw('select pid from pg_stat_progress_create_index where relid = ?::regclass and command = ?', [
            `${db.schema}.ticket`,
            'CREATE INDEX CONCURRENTLY',
          ])
        ).rows[0]?.pid as number | undefined;
      await expect.poll(building, { timeout: 120_000, interval: 50 }).toBeTruthy();
      const pid = await building();
      // The server dies; so does its build (a database restart, or the backend noticing the client gone).
      child.kill('SIGKILL');
      await exited;
      await knex.raw('select pg_terminate_backend(?)', [pid as number]);
    } finally {
      child.kill('SIGKILL');
      await writer.rollback();
    }
    await expect
      .poll(async () => (await indexes('ticket')).find((i) => /\(ref\)/.test(i.def) && !i.valid))
      .toBeTruthy();

    const version = (await tenant.api.get('/api/meta')).body.version;
    expect((await tenant.api.get('/api/meta')).body.objects.ticket.properties.ref['x-unique']).toBe(true);
    await holdingIndexLock(async () => {
      for (const ref of ['R-1', 'R-2']) {
        const r = await tenant.api.post('/api/records/ticket', { name: 'New', ref });
        expect(r.status, r.text).toBe(503);
        expect(r.body.error.details.fields).toEqual(['ref']);
      }
      expect((await tenant.api.post('/api/records/ticket', { name: 'No ref' })).status).toBe(201);
    });

    const again = await tenant.api.put('/api/meta/objects/ticket', uniqueRef);
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ changed: false, version });
    expect((await indexOn(/UNIQUE INDEX .* \(ref\) WHERE \(deleted_at IS NULL\)/, 'ticket')).valid).toBe(true);
    expect((await tenant.api.post('/api/records/ticket', { name: 'New', ref: 'R-2' })).status).toBe(201);
    expect((await tenant.api.post('/api/records/ticket', { name: 'Dup', ref: 'R-1' })).status).toBe(409);
  });
});

describe('the default list orders', () => {
  it('are indexed on every new object table', async () => {
    const defs = (await indexes()).map((i) => i.def).join('\n');
    expect(defs).toMatch(CREATED);
    expect(defs).toMatch(UPDATED);
  });

  it('are built for tables made before they existed, by the index phase at start-up', async () => {
    await holdingIndexLock(async () => {
      for (const re of [CREATED, UPDATED]) await db.raw(`drop index ${db.schema}.${(await indexOn(re)).name}`);
      const defs = (await indexes()).map((i) => i.def).join('\n');
      expect(defs).not.toMatch(CREATED);
      expect(defs).not.toMatch(UPDATED);
    });
    const report = await startUp();
    expect(report?.failed).toEqual([]);
    expect((await indexOn(CREATED)).valid).toBe(true);
    expect((await indexOn(UPDATED)).valid).toBe(true);
    // Nothing left to do: the phase is idempotent.
    expect(await startUp()).toEqual({ created: [], rebuilt: [], failed: [] });
  });

  it('serve the newest-first list without sorting the table (plan shape)', async () => {
    await db.raw(
      `insert into ${db.schema}.deal (name, owner, created_at, updated_at)
       select 'Bulk ' || g, ?::uuid, now() - g * interval '1 second', now() - g * interval '1 second'
         from generate_series(1, 20000) g`,
      [tenant.admin.id],
    );
    await db.raw(`analyze ${db.schema}.deal`);
    const queries: Array<{ sql: string; bindings: unknown[] }> = [];
    const listen = (q: { sql: string; bindings?: unknown[] }) =>
      queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
    server.runtime.db.on('query', listen);
    try {
      for (const sort of ['-created_at', '-updated_at']) {
        queries.length = 0;
        const page = await tenant.api.get('/api/records/deal', { query: { sort, limit: 50 } });
        expect(page.status, page.text).toBe(200);
        expect(page.body.items).toHaveLength(50);
        const list = queries.find((q) => /order by/i.test(q.sql) && /from "t_[^"]+"\."deal"/i.test(q.sql));
        expect(list, queries.map((q) => q.sql).join('\n')).toBeDefined();
        // The driver's text has $n placeholders, in the order of the bindings.
        const r = await db.raw(`explain (format json) ${list?.sql.replace(/\$\d+/g, '?')}`, list?.bindings ?? []);
        const plan = r.rows[0]['QUERY PLAN'][0].Plan;
        const nodes = flatten(plan);
        const column = sort.slice(1);
        const scan = nodes.find((n) => String(n['Node Type']).startsWith('Index'));
        expect(scan?.['Index Name'], JSON.stringify(plan)).toBe(
          (await indexOn(column === 'created_at' ? CREATED : UPDATED)).name,
        );
        expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
        expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      }
    } finally {
      server.runtime.db.off('query', listen);
    }
  });
});

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}
