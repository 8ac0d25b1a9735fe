import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { expect, inject } from 'vitest';
import type { TestServer } from './test-server';

/**
 * Tenants from a template, copied instead of applied (tests/README.md, "Tenants from a template").
 *
 * Applying a template with its sample data costs a test file hundreds of statements and many
 * seconds on a busy machine, and about twenty files start that way. So the first file of a run that
 * asks for a given template builds one *template tenant* through the real API (`POST /api/tenants`,
 * the same request `createTestTenant` sends) and parks it (status `template`, which every background
 * job skips, so nothing changes it afterwards); every later request copies that schema with SQL in
 * one round trip: tables, columns, defaults, constraints, indexes, sequences and their positions,
 * the trigger function and triggers, every row, and the platform's `tenants` row. Values naming the
 * template tenant (the admin's e-mail, the schema name in the stored plan) are rewritten to the new
 * id. tests/api/tenant-clone.test.ts compares a copy with a freshly applied tenant, catalog and rows.
 *
 * A copy shares its record and user ids with the other copies of the same template (other files'
 * tenants), so a file gets at most one copy per template and sample-data choice; a second tenant of
 * the same kind in the same file is applied for real, and cross-tenant probes inside a file keep
 * meaning what they say. Sample data is dated relative to "now": a template is reused only on the
 * same UTC day and for TEMPLATE_TTL_MS, then a new one is built.
 */

/** How long a template tenant's relative dates and times stay close enough to "now". */
const TEMPLATE_TTL_MS = 10 * 60_000;
/** Template tenants this old are dropped when a new one is built (a persistent DATABASE_URL). */
const TEMPLATE_DROP_AFTER = '2 hours';
const TEMPLATE_STATUS = 'template';
const ADMIN_PASSWORD = 'correct horse battery';

/** One copy per template kind per test file process (see above). */
const copiedHere = new Set<string>();

export interface CloneRequest {
  template: string;
  sampleData: boolean;
}

/**
 * The key of the template tenant a request may be copied from, or undefined when the request must
 * be applied for real: the server was started with anything that could change what a template
 * produces (its own clock or runtime settings, another database, a hand-picked plugin list), or
 * this file already holds a copy of that kind, or FORMA_TEST_TENANT_COPY=0.
 */
export function cloneKey(server: TestServer, req: CloneRequest): string | undefined {
  if (process.env.FORMA_TEST_TENANT_COPY === '0') return undefined;
  if (!server.templateProfile) return undefined;
  const key = `${server.templateProfile}|${req.template}|${req.sampleData ? 'sample' : 'empty'}`;
  return copiedHere.has(key) ? undefined : key;
}

/** Creates tenant `id` as a copy of the template tenant for `key` (building that one when needed). */
export async function cloneTenant(
  server: TestServer,
  key: string,
  req: CloneRequest,
  id: string,
  name: string,
): Promise<void> {
  copiedHere.add(key);
  const db = server.runtime.db;
  const source = await templateTenant(server, key, req);
  const script = await copyScript(db, source, id, name);
  await withConnection(db, async (conn) => {
    try {
      await conn.query(`begin;\n${script}\ncommit;`);
    } catch (e) {
      await conn.query('rollback').catch(() => undefined);
      throw e;
    }
  });
}

interface Conn {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** A connection of the server's pool to itself: multi-statement text and session-level locks. */
async function withConnection<T>(db: Knex, fn: (conn: Conn) => Promise<T>): Promise<T> {
  const conn = (await db.client.acquireConnection()) as Conn;
  try {
    return await fn(conn);
  } finally {
    await db.client.releaseConnection(conn);
  }
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lit = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The id of a usable template tenant for `key`: found, or built now under an advisory lock. */
async function templateTenant(server: TestServer, key: string, req: CloneRequest): Promise<string> {
  // Never one of an earlier run (a DATABASE_URL database): that code may have applied it differently.
  const label = `template copy source ${createHash('sha1')
    .update(`${inject('runId')}|${key}`)
    .digest('hex')
    .slice(0, 16)}`;
  const lock = createHash('sha1').update(`forma-test-template:${key}`).digest().readInt32BE(0);
  return withConnection(server.runtime.db, async (conn) => {
    // Every file of the run asking for this template waits here while the first one builds it.
    await conn.query('select pg_advisory_lock($1)', [lock]);
    try {
      const found = await conn.query(
        `select id from platform.tenants
          where status = $1 and name = $2
            and created_at > now() - make_interval(secs => $3)
            and (created_at at time zone 'UTC')::date = (now() at time zone 'UTC')::date
          order by created_at desc limit 1`,
        [TEMPLATE_STATUS, label, TEMPLATE_TTL_MS / 1000],
      );
      if (found.rows[0]) return String(found.rows[0].id);
      await dropOldTemplates(conn);
      const id = `tplcopy_${randomBytes(5).toString('hex')}`;
      const res = await server.platform.post('/api/tenants', {
        id,
        name: `Test ${id}`,
        admin: { email: `admin@${id}.test`, password: ADMIN_PASSWORD, name: 'Admin' },
        template: req.template,
        sampleData: req.sampleData,
      });
      expect(res.status, res.text).toBe(201);
      // What the creation queued (events of the sample records) is handled before the copy is
      // taken, as it would be for a tenant of the file's own.
      await outboxDrained(conn, id);
      await conn.query('update platform.tenants set status = $1, name = $2 where id = $3', [
        TEMPLATE_STATUS,
        label,
        id,
      ]);
      return id;
    } finally {
      await conn.query('select pg_advisory_unlock($1)', [lock]);
    }
  });
}

/** Waits (on the condition, however long a busy machine takes) until no event of tenant `id` is pending. */
async function outboxDrained(conn: Conn, id: string): Promise<void> {
  for (;;) {
    const { rows } = await conn.query(
      'select count(*)::int as n from platform.outbox where tenant = $1 and done_at is null and dead_at is null',
      [id],
    );
    if (!rows[0]?.n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function dropOldTemplates(conn: Conn): Promise<void> {
  const old = await conn.query(
    `select id, schema_name from platform.tenants where status = $1 and created_at < now() - interval '${TEMPLATE_DROP_AFTER}'`,
    [TEMPLATE_STATUS],
  );
  for (const r of old.rows) {
    await conn.query(`drop schema if exists ${q(String(r.schema_name))} cascade`);
    await conn.query('delete from platform.tenants where id = $1', [r.id]);
  }
}

/** The SQL that creates schema and platform row of tenant `id` as a copy of tenant `from`. */
async function copyScript(db: Knex, from: string, id: string, name: string): Promise<string> {
  const [src] = (await db.raw('select schema_name, settings from platform.tenants where id = ?', [from]))
    .rows as Array<{
    schema_name: string;
    settings: unknown;
  }>;
  if (!src) throw new Error(`template tenant ${from} is gone`);
  const S = src.schema_name;
  const D = S.replace(from, id);
  if (D === S) throw new Error(`schema ${S} does not contain its tenant id ${from}`);
  /** Catalog text names the source schema (qualified, as it is not on the search path): the copy's instead. */
  const re = (sql: string) => sql.replaceAll(S, D);
  const rows = async (sql: string) => (await db.raw(sql, [S])).rows as Array<Record<string, string>>;

  const sequences = await rows(
    `select c.relname as name, s.seqtypid::regtype::text as type, s.seqincrement::text as inc, s.seqmin::text as min,
            s.seqmax::text as max, s.seqstart::text as start, s.seqcache::text as cache, s.seqcycle as cycle,
            tc.relname as owner_table, a.attname as owner_column
       from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_sequence s on s.seqrelid = c.oid
       left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a'
       left join pg_class tc on tc.oid = d.refobjid
       left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
      where n.nspname = ? and c.relkind = 'S' order by 1`,
  );
  const tables = await rows(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relkind in ('r', 'p') order by 1`,
  );
  const defaults = await rows(
    `select c.relname as tbl, a.attname as col, pg_get_expr(ad.adbin, ad.adrelid) as expr
       from pg_attrdef ad join pg_class c on c.oid = ad.adrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = ad.adrelid and a.attnum = ad.adnum
      where n.nspname = ? order by 1, 2`,
  );
  const constraints = await rows(
    `select c.relname as tbl, k.conname as name, k.contype as type, pg_get_constraintdef(k.oid) as def
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and k.contype in ('p', 'u', 'x', 'c', 'f')
      order by case k.contype when 'f' then 1 else 0 end, 1, 2`,
  );
  const indexes = await rows(
    `select pg_get_indexdef(i.indexrelid) as def
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))
      order by c.relname`,
  );
  const functions = await rows(
    `select pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = ? order by p.proname`,
  );
  const triggers = await rows(
    `select pg_get_triggerdef(t.oid) as def from pg_trigger t join pg_class c on c.oid = t.tgrelid
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and not t.tgisinternal order by t.tgname`,
  );
  const comments = await rows(
    `select c.relname as tbl, d.objsubid as sub, a.attname as col, d.description as text
       from pg_description d join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid
      where n.nspname = ? and c.relkind in ('r', 'p')`,
  );
  // Generated columns are computed again on insert; identity columns keep their values.
  const copied = await rows(
    `select c.relname as tbl, string_agg(quote_ident(a.attname), ', ' order by a.attnum) as cols,
            bool_or(a.attidentity = 'a') as always
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
      group by 1`,
  );
  // Text that names the template tenant: rewritten to the new id (found by looking, not by a list).
  const textColumns = await rows(
    `select c.relname as tbl, a.attname as col, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid
      where n.nspname = ? and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        and (t.typcategory = 'S' or t.typname in ('json', 'jsonb') or (t.typcategory = 'A' and t.typelem in ('text'::regtype, 'varchar'::regtype)))`,
  );
  const naming = textColumns.length
    ? ((
        await db.raw(
          textColumns
            .map(
              (c) =>
                `select ${lit(c.tbl!)} as tbl, ${lit(c.col!)} as col, ${lit(c.type!)} as type where exists (select 1 from ${q(S)}.${q(c.tbl!)} where ${q(c.col!)}::text like ${lit(`%${from}%`)})`,
            )
            .join('\nunion all\n'),
        )
      ).rows as Array<Record<string, string>>)
    : [];

  const out: string[] = [`create schema ${q(D)};`];
  for (const s of sequences) {
    out.push(
      `create sequence ${q(D)}.${q(s.name!)} as ${s.type} increment by ${s.inc} minvalue ${s.min} maxvalue ${s.max} start ${s.start} cache ${s.cache} ${s.cycle ? 'cycle' : 'no cycle'};`,
      `select setval(${lit(`${q(D)}.${q(s.name!)}`)}, last_value, is_called) from ${q(S)}.${q(s.name!)};`,
    );
  }
  for (const t of tables) {
    out.push(
      `create table ${q(D)}.${q(t.name!)} (like ${q(S)}.${q(t.name!)} including generated including identity including storage including compression);`,
    );
  }
  for (const d of defaults)
    out.push(`alter table ${q(D)}.${q(d.tbl!)} alter column ${q(d.col!)} set default ${re(d.expr!)};`);
  for (const s of sequences) {
    if (s.owner_table)
      out.push(`alter sequence ${q(D)}.${q(s.name!)} owned by ${q(D)}.${q(s.owner_table)}.${q(s.owner_column!)};`);
  }
  for (const c of copied) {
    out.push(
      `insert into ${q(D)}.${q(c.tbl!)} (${c.cols}) ${c.always ? 'overriding system value ' : ''}select ${c.cols} from ${q(S)}.${q(c.tbl!)};`,
    );
  }
  for (const n of naming) {
    out.push(
      `update ${q(D)}.${q(n.tbl!)} set ${q(n.col!)} = replace(${q(n.col!)}::text, ${lit(from)}, ${lit(id)})::${n.type} where ${q(n.col!)}::text like ${lit(`%${from}%`)};`,
    );
  }
  for (const k of constraints) out.push(`alter table ${q(D)}.${q(k.tbl!)} add constraint ${q(k.name!)} ${re(k.def!)};`);
  for (const i of indexes) out.push(`${re(i.def!)};`);
  for (const f of functions) out.push(`${re(f.def!)};`);
  for (const t of triggers) out.push(`${re(t.def!)};`);
  for (const c of comments) {
    const target = c.col ? `column ${q(D)}.${q(c.tbl!)}.${q(c.col)}` : `table ${q(D)}.${q(c.tbl!)}`;
    out.push(`comment on ${target} is ${lit(c.text!)};`);
  }
  out.push(
    `insert into platform.tenants (id, name, schema_name, status, settings) values (${lit(id)}, ${lit(name)}, ${lit(D)}, 'active', ${lit(JSON.stringify(src.settings ?? {}))}::jsonb);`,
  );
  return out.join('\n');
}
