import type { Knex } from 'knex';
import { type TestTenant, createTestTenant } from './tenants';
import { type TestServer, startTestServer } from './test-server';

/**
 * Two tenants compared as PostgreSQL holds them: tests/api/tenant-clone.test.ts (a copied template
 * tenant against an applied one) and tests/api/tenant-provision.test.ts (a tenant made from the
 * recorded schema script against one made by the migrations one by one).
 */

const rowsOf =
  (db: Knex) =>
  async (query: string, bindings: unknown[] = []) =>
    (await db.raw(query, bindings as never)).rows as Array<Record<string, unknown>>;

/**
 * The stable ids metadata gives each object and field when a template is applied (random, so two
 * applications of one template differ in them; tables' constraint and index names are made of them).
 */
export const STABLE_ID = /(?<![0-9a-z])f[0-9a-z]{12}(?![0-9a-z])/g;

/** The tenant's catalog as text, without its own schema name, id and metadata ids; sorted. */
export async function tenantCatalog(db: Knex, id: string) {
  const schema = `t_${id}`;
  const rows = rowsOf(db);
  const norm = (v: unknown) => String(v).replaceAll(schema, 'SCHEMA').replaceAll(id, 'ID').replace(STABLE_ID, 'FID');
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
export async function tenantContents(db: Knex, id: string) {
  const schema = `t_${id}`;
  const rows = rowsOf(db);
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

/**
 * A comparing file's server and the tenants it makes: plugins are discovered, as for a real tenant
 * (their migrations are part of what is compared), and every tenant made through `tenant` is deleted
 * by `close`. `rows`, `catalog` and `contents` read PostgreSQL directly.
 */
export class TenantComparison {
  server!: TestServer;
  private readonly made: TestTenant[] = [];

  async start(): Promise<TestServer> {
    this.server = await startTestServer({ plugins: 'discover' });
    return this.server;
  }

  async tenant(opts: Parameters<typeof createTestTenant>[1]): Promise<TestTenant> {
    const t = await createTestTenant(this.server, opts);
    this.made.push(t);
    return t;
  }

  async close(): Promise<void> {
    for (const t of this.made) await this.server?.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
    await this.server?.close();
  }

  rows = (query: string, bindings: unknown[] = []) => rowsOf(this.server.runtime.db)(query, bindings);
  catalog = (t: TestTenant) => tenantCatalog(this.server.runtime.db, t.id);
  contents = (t: TestTenant) => tenantContents(this.server.runtime.db, t.id);
}
