import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The test support's copies of template tenants (tests/support/tenant-clone.ts) are what most files
 * start from, so a copy must be indistinguishable from a tenant the template was applied to through
 * the API: the same catalog (tables, columns, defaults, constraints, indexes, sequences, triggers,
 * functions), the same rows, the platform's row, and the same answers over HTTP.
 */
let server: TestServer;
let applied: TestTenant;
let copy: TestTenant;
const tenants: TestTenant[] = [];

beforeAll(async () => {
  server = await startTestServer({ plugins: 'discover' });
  applied = await createTestTenant(server, { prefix: 'cpapply', template: 'core-crm', sampleData: true, copy: false });
  copy = await createTestTenant(server, { prefix: 'cpcopy', template: 'core-crm', sampleData: true });
  tenants.push(applied, copy);
}, 600_000);
afterAll(async () => {
  for (const t of tenants) await server?.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
  await server?.close();
});

const rows = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query, bindings as never)).rows as Array<Record<string, unknown>>;

/**
 * The stable ids metadata gives each object and field when a template is applied (random, so two
 * applications of one template differ in them; tables' constraint and index names are made of them).
 */
const STABLE_ID = /(?<![0-9a-z])f[0-9a-z]{12}(?![0-9a-z])/g;

/** The tenant's catalog as text, without its own schema name, id and metadata ids; sorted. */
async function catalog(t: TestTenant) {
  const schema = `t_${t.id}`;
  const norm = (v: unknown) => String(v).replaceAll(schema, 'SCHEMA').replaceAll(t.id, 'ID').replace(STABLE_ID, 'FID');
  const list = async (query: string) =>
    (await rows(query, [schema])).map((r) => Object.values(r).map(norm).join(' | ')).sort();
  return {
    columns: await list(
      `select c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attcollation::regcollation::text
         from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
         left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where n.nspname = ? and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped order by 1, 2`,
    ),
    constraints: await list(
      `select c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.convalidated, k.condeferrable
         from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ? and k.contype <> 'n' order by 1, 2`,
    ),
    indexes: await list(
      `select c.relname, pg_get_indexdef(c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ? and c.relkind = 'i' order by 1`,
    ),
    sequences: await list(
      `select c.relname, s.seqtypid::regtype::text, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache, s.seqcycle,
              pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(tc.relname), a.attname)
         from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_sequence s on s.seqrelid = c.oid
         left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a'
         left join pg_class tc on tc.oid = d.refobjid
         left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
        where n.nspname = ? order by 1`,
    ),
    triggers: await list(
      `select t.tgname, pg_get_triggerdef(t.oid), t.tgenabled from pg_trigger t join pg_class c on c.oid = t.tgrelid
         join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and not t.tgisinternal order by 1`,
    ),
    functions: await list(
      `select p.proname, pg_get_functiondef(p.oid) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = ? order by 1`,
    ),
    other: await list(
      `select c.relkind, count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ? group by 1 order by 1`,
    ),
  };
}

/** Each table's row count, and each sequence's position. */
async function contents(t: TestTenant) {
  const schema = `t_${t.id}`;
  const tables = await rows(
    `select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' order by 1`,
    [schema],
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables)
    counts[String(table_name)] = Number(
      (await rows('select count(*) as n from ??.??', [schema, String(table_name)]))[0]!.n,
    );
  const sequences: Record<string, unknown> = {};
  for (const { relname } of await rows(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and c.relkind = 'S'`,
    [schema],
  ))
    sequences[String(relname)] = (await rows('select last_value, is_called from ??.??', [schema, String(relname)]))[0];
  return { counts, sequences };
}

describe('a copied template tenant', () => {
  it('has the catalog of a tenant the template was applied to', async () => {
    const [a, c] = [await catalog(applied), await catalog(copy)];
    expect(a.columns.length).toBeGreaterThan(300);
    expect(a.constraints.length).toBeGreaterThan(100);
    expect(a.triggers.length).toBeGreaterThan(0);
    expect(c).toEqual(a);
  });

  it('holds the same rows, sequences and meta-data', async () => {
    const [a, c] = [await contents(applied), await contents(copy)];
    expect(Object.values(a.counts).reduce((s, n) => s + n, 0)).toBeGreaterThan(100);
    expect(c).toEqual(a);
    const meta = async (t: TestTenant) =>
      JSON.parse(JSON.stringify((await t.api.get('/api/meta')).body).replace(STABLE_ID, 'FID'));
    expect(await meta(copy)).toEqual(await meta(applied));
    const names = async (t: TestTenant, object: string) =>
      ((await t.api.get(`/api/records/${object}`, { query: { limit: 200 } })).body.items as Array<{ name: string }>)
        .map((r) => r.name)
        .sort();
    for (const object of ['account', 'deal', 'contact']) {
      expect((await names(copy, object)).length, object).toBeGreaterThan(2);
      expect(await names(copy, object), object).toEqual(await names(applied, object));
    }
  });

  it('is its own tenant: platform row, users, sign-in, and no trace of the tenant it was copied from', async () => {
    const [row] = await rows('select name, schema_name, status, settings from platform.tenants where id = ?', [
      copy.id,
    ]);
    expect(row).toMatchObject({ name: `Test ${copy.id}`, schema_name: `t_${copy.id}`, status: 'active' });
    const users = (await copy.api.get('/api/users', { query: { limit: 100 } })).body.items as Array<{ email: string }>;
    expect(users.map((u) => u.email)).toContain(copy.admin.email);
    expect(users.map((u) => u.email)).toEqual(
      ((await applied.api.get('/api/users', { query: { limit: 100 } })).body.items as Array<{ email: string }>).map(
        (u) => u.email.replace(applied.id, copy.id),
      ),
    );
    // A sample user signs in to the copy with the demo password.
    const rep = await copy.login('rep1@demo.test', 'forma-demo');
    expect((await rep.get('/api/records/deal')).status).toBe(200);
    const leftovers = await rows(
      `select 1 from platform.tenants t where t.id = ? and exists (
         select 1 from ??._users u where u.email like '%tplcopy%')`,
      [copy.id, `t_${copy.id}`],
    );
    expect(leftovers).toEqual([]);
  });

  it('is copied once per file: a second tenant of the kind is applied, with ids of its own', async () => {
    const second = await createTestTenant(server, { prefix: 'cpsecond', template: 'core-crm', sampleData: true });
    tenants.push(second);
    const ids = async (t: TestTenant) =>
      ((await t.api.get('/api/records/account', { query: { limit: 200 } })).body.items as Array<{ id: string }>).map(
        (r) => r.id,
      );
    const [mine, theirs] = [await ids(second), await ids(copy)];
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
  }, 600_000);
});
