/**
 * Where the time of one tenant goes (issue 27, tenant scale): the tenant-scale workload's requests
 * for one tenant (`POST /api/tenants`, sign-in, `POST /api/meta/apply` of one object), one tenant at
 * a time, each phase with its statements (pg_stat_statements), wall time and the CPU of the server
 * and of PostgreSQL (scheduler ns counters). Then the statements of one tenant grouped by kind.
 *
 *   node --import tsx bench/src/tenant-provision-profile.ts [tenants=20]
 */
import { performance } from 'node:perf_hooks';
import { BENCH_PASSWORD, login, request, resetStatements, startBenchEnv } from './bench-env';
import { SCHEMA_TABLES_SQL } from '../../runtime/src/plugins/plugin-migrations';
import { INDEX_VALIDITY_SQL } from '../../runtime/src/schema/reconcile-indexes';
import { postgresCpuMs, processCpuMs } from './schedstat';

const count = Number(process.argv[2] ?? 20);
const prefix = process.argv[3] ?? 'prof';
const document = {
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

const env = await startBenchEnv();
try {
  // A catalogue as large as N tenants' before the measured ones (PROFILE_FILL tables of 2 relations
  // each: ~100 per tenant of 207), to see what of a tenant's cost grows with the catalogue.
  const fill = Number(process.env.PROFILE_FILL ?? 0);
  if (fill) {
    const t0 = performance.now();
    await env.pool.query('create schema fill_catalogue');
    for (let from = 0; from < fill; from += 1000)
      await env.pool.query(
        `do $$ begin for i in ${from}..${Math.min(fill, from + 1000) - 1} loop
           execute format('create table fill_catalogue.t%s (id int primary key)', i); end loop; end $$`,
      );
    await env.pool.query('vacuum analyze pg_class, pg_index, pg_depend, pg_attribute, pg_type');
    console.log(`filled ${fill} tables in ${Math.round((performance.now() - t0) / 1000)} s`);
  }
  const sums: Record<string, { n: number; wall: number; server: number; pg: number; statements: number }> = {};
  let lastGroups: Array<{ kind: string; calls: number; ms: number }> = [];
  for (let i = 0; i < count; i++) {
    const tenant = `${prefix}_${String(i).padStart(4, '0')}`;
    const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      await resetStatements(env);
      const s0 = processCpuMs(env.server.pid);
      const p0 = postgresCpuMs(env.server.dir);
      const t0 = performance.now();
      const out = await run();
      const wall = performance.now() - t0;
      const server = processCpuMs(env.server.pid) - s0;
      const pgMs = postgresCpuMs(env.server.dir) - p0;
      const st = await env.pool.query(
        `select query, calls, total_exec_time from pg_stat_statements
          where query not like '%pg_stat_statements%'`,
      );
      const statements = st.rows.reduce((a, r) => a + Number(r.calls), 0);
      const s = sums[name] ?? { n: 0, wall: 0, server: 0, pg: 0, statements: 0 };
      sums[name] = s;
      s.n++;
      s.wall += wall;
      s.server += server;
      s.pg += pgMs;
      s.statements += statements;
      if (i === count - 1) {
        const groups = new Map<string, { calls: number; ms: number }>();
        for (const r of st.rows) {
          const kind = `${name}: ${String(r.query).replace(/\s+/g, ' ').slice(0, 90)}`;
          const g = groups.get(kind) ?? { calls: 0, ms: 0 };
          g.calls += Number(r.calls);
          g.ms += Number(r.total_exec_time);
          groups.set(kind, g);
        }
        lastGroups = lastGroups.concat([...groups].map(([kind, g]) => ({ kind, ...g })));
      }
      return out;
    };
    await phase('create', async () => {
      const r = await request(env.server.url, 'POST', '/api/tenants', env.server.platformToken, {
        id: tenant,
        name: tenant,
        admin: { email: `admin@${tenant}.test`, password: BENCH_PASSWORD, name: 'Admin' },
      });
      if (r.status !== 201) throw new Error(`${tenant}: ${r.status} ${JSON.stringify(r.body)}`);
    });
    const s = await phase('login', () => login(env, tenant, `admin@${tenant}.test`));
    await phase('apply', () => s.ok('POST', '/api/meta/apply', document));
  }
  const relations = (await env.pool.query('select count(*)::int as n from pg_class')).rows[0].n;
  // The catalogue lookups of a creation and an apply, before (scans of pg_class / pg_index) and
  // after (by index), on this catalogue: their plans' top line and best execution time of three.
  const schema = `t_${prefix}_0000`;
  const names = ['deal_pkey', 'ix_missing_a', 'ix_missing_b', 'ix_missing_c', 'ix_missing_d', 'ix_missing_e'];
  const lookups: Array<[string, string, unknown[]]> = [
    ['pg_tables by schemaname (before)', 'select tablename from pg_catalog.pg_tables where schemaname = $1', [schema]],
    ['tables through pg_depend (after)', SCHEMA_TABLES_SQL.replace('?', '$1'), [schema]],
    [
      "schema's indexes from pg_index (before)",
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND i.indisvalid = $2`,
      [schema, true],
    ],
    ['indexes by name (after)', INDEX_VALIDITY_SQL, [schema, names]],
  ];
  for (const [label, sql, params] of lookups) {
    let best = Number.POSITIVE_INFINITY;
    let top = '';
    for (let i = 0; i < 3; i++) {
      const r = await env.pool.query(`explain (analyze, format json) ${sql}`, params);
      const plan = r.rows[0]['QUERY PLAN'][0];
      best = Math.min(best, plan['Execution Time']);
      const nodes: string[] = [];
      const walk = (n: { 'Node Type': string; 'Relation Name'?: string; Plans?: unknown[] }) => {
        nodes.push(`${n['Node Type']}${n['Relation Name'] ? ` ${n['Relation Name']}` : ''}`);
        for (const c of n.Plans ?? []) walk(c as typeof n);
      };
      walk(plan.Plan);
      top = nodes.filter((n) => /Scan/.test(n)).join(', ');
    }
    console.log(`${label}: ${best.toFixed(2)} ms; ${top}`);
  }
  console.log(`${count} tenants, ${relations} relations in pg_class`);
  console.log('phase      wall ms  server CPU ms  PG CPU ms  statements   (means per tenant)');
  for (const [name, s] of Object.entries(sums))
    console.log(
      `${name.padEnd(10)} ${(s.wall / s.n).toFixed(0).padStart(7)}  ${(s.server / s.n).toFixed(1).padStart(13)}  ${(s.pg / s.n).toFixed(1).padStart(9)}  ${(s.statements / s.n).toFixed(0).padStart(10)}`,
    );
  console.log('\nlast tenant, statements by text (calls, exec ms):');
  lastGroups.sort((a, b) => b.ms - a.ms);
  for (const g of lastGroups.slice(0, Number(process.env.PROFILE_TOP ?? 60)))
    console.log(`${String(g.calls).padStart(4)} ${g.ms.toFixed(2).padStart(8)}  ${g.kind}`);
} finally {
  await env.close();
}
