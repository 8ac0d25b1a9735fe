import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer, TestTenant } from '../support';
import { TenantComparison } from '../support/tenant-compare';

/**
 * Issue 27, tenant scale: a new tenant's system tables come from the migrations' recorded text, sent
 * in one round trip (runtime/src/tenants/schema-script.ts), instead of each migration's statements
 * one by one. A tenant made that way must be the tenant the migrations make: the same catalogue
 * (tables, columns, defaults, constraints, indexes, sequences, triggers, functions), the same rows
 * (applied migrations, plugin migrations, the metadata state), before and after a metadata apply.
 */
const cmp = new TenantComparison();
const { rows, catalog, contents } = cmp;
let server: TestServer;
let scripted: TestTenant;
let migrated: TestTenant;
let again: TestTenant;

const DEAL = {
  objects: {
    deal: {
      title: 'Deal',
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 200 },
        amount: { type: 'number', minimum: 0, 'x-index': true },
        stage: { type: 'string', enum: ['new', 'won', 'lost'], 'x-index': true },
      },
    },
  },
};

/** Statements knex sent while `fn` ran (the script's one message is not among them). */
async function knexStatements(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const count = () => {
    n++;
  };
  server.runtime.db.on('query', count);
  try {
    await fn();
  } finally {
    server.runtime.db.off('query', count);
  }
  return n;
}

let scriptedStatements = 0;
let migratedStatements = 0;

beforeAll(async () => {
  // Plugins' migrations run for new tenants too: the bench's server discovers them as well.
  server = await cmp.start();
  // The first tenant of a process records the script (a rolled-back run of the migrations) and uses it.
  scripted = await cmp.tenant({ prefix: 'provscript' });
  server.runtime.tenants.provisioning = 'migrations';
  try {
    migratedStatements = await knexStatements(async () => {
      migrated = await cmp.tenant({ prefix: 'provmigr' });
    });
  } finally {
    server.runtime.tenants.provisioning = 'script';
  }
  scriptedStatements = await knexStatements(async () => {
    again = await cmp.tenant({ prefix: 'provagain' });
  });
}, 600_000);
afterAll(() => cmp.close());

/** The rows whose values do not differ between two tenants by construction (ids, hashes, times). */
async function bookkeeping(t: TestTenant) {
  const schema = `t_${t.id}`;
  return {
    migrations: (await rows('select id from ??._migrations order by applied_at, id', [schema])).map((r) => r.id),
    plugins: (await rows('select plugin, id from ??._plugin_migrations order by 1, 2', [schema])).map(
      (r) => `${r.plugin}/${r.id}`,
    ),
    metaState: await rows('select * from ??._meta_state', [schema]),
    users: (await rows('select email, name, roles, active from ??._users', [schema])).map((u) => ({
      ...u,
      email: String(u.email).replace(t.id, 'ID'),
    })),
  };
}

describe('a tenant made from the recorded schema script', () => {
  it('has the catalogue of a tenant the migrations made one by one', async () => {
    const [m, s, a] = [await catalog(migrated), await catalog(scripted), await catalog(again)];
    expect(m.columns.length).toBeGreaterThan(200);
    expect(m.constraints.length).toBeGreaterThan(50);
    expect(m.triggers.length).toBeGreaterThan(0);
    expect(m.functions.length).toBeGreaterThan(0);
    expect(s).toEqual(m);
    expect(a).toEqual(m);
  });

  it('holds the same rows: applied migrations in order, plugin migrations, metadata state, its admin', async () => {
    const m = await bookkeeping(migrated);
    expect(m.migrations.length).toBeGreaterThan(20);
    expect(m.plugins.length).toBeGreaterThan(0);
    expect(await bookkeeping(scripted)).toEqual(m);
    expect(await bookkeeping(again)).toEqual(m);
    expect(await contents(scripted)).toEqual(await contents(migrated));
  });

  it('is the same tenant after a metadata apply, and works', async () => {
    for (const t of [scripted, migrated]) {
      const r = await t.api.post('/api/meta/apply', DEAL);
      expect(r.status, r.text).toBe(200);
      const created = await t.api.post('/api/records/deal', { name: 'First', amount: 5, stage: 'won' });
      expect(created.status, created.text).toBe(201);
    }
    expect(await catalog(scripted)).toEqual(await catalog(migrated));
    expect(await contents(scripted)).toEqual(await contents(migrated));
  });

  it('is made in a handful of statements instead of one per DDL statement', () => {
    // What knex sent for a whole creation (platform row, admin, plugin migrations, sign-in): the
    // system tables' statements (~120 of them) are one message now.
    expect(migratedStatements).toBeGreaterThan(150);
    expect(scriptedStatements).toBeLessThan(migratedStatements - 100);
  });

  it('leaves nothing behind when its script fails part-way, and the next tenant is made', async () => {
    // A schema of that name exists already with one of the system tables: the script stops there.
    const id = `provfail${Math.random().toString(36).slice(2, 8)}`;
    await server.runtime.db.raw('create schema ??', [`t_${id}`]);
    await server.runtime.db.raw('create table ??._audit (x int)', [`t_${id}`]);
    const r = await server.platform.post('/api/tenants', {
      id,
      name: 'Fails',
      admin: { email: `admin@${id}.test`, password: 'correct horse battery', name: 'Admin' },
    });
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(await rows('select 1 from platform.tenants where id = ?', [id])).toEqual([]);
    expect(await rows('select 1 from pg_namespace where nspname = ?', [`t_${id}`])).toEqual([]);
    // No connection was handed back inside the failed transaction: creations go on.
    for (let i = 0; i < 3; i++) await cmp.tenant({ prefix: 'provafter' });
  }, 600_000);
});
