/**
 * tenant-scale (issue 12, workload 11): `tenants` tenants (1,000 by default) of `objects` objects
 * each (30), created through the platform and metadata APIs; then list-admin on one tenant, and
 * the same list spread over 50 random tenants (autocannon cycling through their requests). Target:
 * p99 over 50 tenants ≤ 1.3× a single tenant. Recorded beside it: the server's RSS, PostgreSQL's
 * memory (PSS of the cluster's processes), relations in the catalog and the database size.
 * Measured at `BENCH_TENANT_CHECKPOINT` (1,000) on the way up and at the end, in one run (issue 27:
 * the 5,000-tenant point), each time with the catalogue cache one connection holds after planning a
 * list request in 1, 10, 100, 1,000, … tenants (`catalogueCurve`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { type BenchEnv, createTenant, login, type Session } from './bench-env';
import { countRefusal, httpLoad, isRefusal, type LoadStats, retryAfterOf } from './load';
import { rssMb } from './memory';
import { postgresCpuMs, postgresProcesses, processCpuMs } from './schedstat';
import { type BenchResult, ratio } from './results';
import type { WorkloadContext } from './workload';

const P99_TARGET = 1.3;
const LIST = `/api/records/deal?${new URLSearchParams({ filter: JSON.stringify({ stage: { eq: 'won' } }), sort: '-amount', limit: '50' })}`;

interface Point {
  tenants: number;
  rows: BenchResult[];
}

export async function tenantScale(ctx: WorkloadContext): Promise<BenchResult[]> {
  const { env } = ctx;
  const count = ctx.knob('BENCH_TENANTS', 1000);
  const objects = ctx.knob('BENCH_TENANT_OBJECTS', 30);
  const rowsPerTenant = ctx.knob('BENCH_TENANT_ROWS', 500);
  // Creation is DDL and argon2 hashing: one API call per worker at a time, all within the
  // server's pool (20) so none waits for a connection; more only queues on the catalog.
  const parallel = Math.min(16, ctx.knob('BENCH_TENANT_PARALLEL', 8));
  // Every sampled tenant's page holds 50 won deals (a third of its rows).
  if (rowsPerTenant < 150) throw new Error('BENCH_TENANT_ROWS must be at least 150 (50 won deals a page)');
  // A time box for creation on a busy machine: past it the run measures the tenants it has.
  const budgetMs = ctx.knob('BENCH_TENANT_CREATE_SECONDS', Number.POSITIVE_INFINITY) * 1000;
  const document = metadataDocument(objects);
  const tenants: string[] = [];
  const points: Point[] = [];
  let createMs = 0;
  // Per tenant created: statements (pg_stat_statements, every database and user, the deals' seeding
  // INSERT included) and CPU of the server and of PostgreSQL, figures a busy machine leaves alone.
  const cost = { tenants: 0, statements: 0, serverMs: 0, postgresMs: 0 };
  const grow = async (to: number) => {
    const started = performance.now();
    const from = tenants.filter(Boolean).length;
    if (env.statements) await env.pool.query('select pg_stat_statements_reset()');
    const server0 = processCpuMs(env.server.pid);
    const pg0 = postgresAllCpuMs(env.server.dir);
    let next = tenants.length;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < to && createMs + performance.now() - started < budgetMs) {
          const i = next++;
          const tenant = `scale_${String(i).padStart(4, '0')}`;
          const s = await createTenant(env, tenant);
          await s.ok('POST', '/api/meta/apply', document);
          await env.pool.query(
            `insert into ${pg.escapeIdentifier(tenantSchema(tenant))}.${pg.escapeIdentifier(tableOf('deal'))} (name, amount, stage, owner, created_by, updated_by)
             select 'Deal ' || g, (g * 7919 + $3::int) % 100000, (array['new','won','lost'])[1 + g % 3], $1, $1, $1 from generate_series(1, $2::int) g`,
            [s.userId, rowsPerTenant, i],
          );
          tenants[i] = tenant;
          if ((i + 1) % 250 === 0)
            console.error(
              `  tenant-scale: ${i + 1} tenants, ${Math.round((createMs + performance.now() - started) / 1000)} s`,
            );
        }
      }),
    );
    createMs += performance.now() - started;
    cost.tenants += tenants.filter(Boolean).length - from;
    cost.serverMs += processCpuMs(env.server.pid) - server0;
    cost.postgresMs += postgresAllCpuMs(env.server.dir) - pg0;
    if (env.statements)
      cost.statements += Number(
        (
          await env.pool.query(
            `select coalesce(sum(calls), 0)::bigint as n from pg_stat_statements where query not like '%pg_stat_statements%'`,
          )
        ).rows[0].n,
      );
  };
  // The p99 is also measured on the way up (the 1,000 point of earlier runs), in the same run.
  const checkpoint = ctx.knob('BENCH_TENANT_CHECKPOINT', 1000);
  const marks = [...new Set([checkpoint, count].filter((n) => n <= count))].sort((a, b) => a - b);
  for (const mark of marks) {
    if (tenants.length >= mark || createMs >= budgetMs) continue;
    await grow(mark);
    const made = tenants.filter(Boolean);
    points.push({
      tenants: made.length,
      rows: await measure(ctx, made, { objects, rowsPerTenant, parallel, createMs, cost }),
    });
  }
  return points.flatMap((p) => p.rows);
}

/** The p99 point, the memory row and the per-connection catalogue cache curve at `tenants.length` tenants. */
async function measure(
  ctx: WorkloadContext,
  tenants: string[],
  opts: {
    objects: number;
    rowsPerTenant: number;
    parallel: number;
    createMs: number;
    cost: { tenants: number; statements: number; serverMs: number; postgresMs: number };
  },
): Promise<BenchResult[]> {
  const { env, connections, seconds } = ctx;
  const count = tenants.length;
  const sample = Math.min(50, count);
  // Fresh sessions: the first tenants were created long ago on a 5,000-tenant run.
  const picked = await Promise.all(pick(tenants, sample).map((t) => login(env, t, `admin@${t}.test`)));
  // Answers: every sampled tenant sees its own 50 won deals, sorted.
  for (const s of picked) {
    const page = await s.ok<{ items: Array<{ stage: string; amount: number }> }>('GET', LIST);
    if (
      page.items.length !== 50 ||
      page.items.some((d, i) => d.stage !== 'won' || (i > 0 && d.amount > (page.items[i - 1]?.amount ?? 0)))
    )
      throw new Error(`tenant-scale: wrong page for ${s.tenant}`);
  }
  const one = picked[0] as Session;
  await httpLoad({ url: env.server.url + LIST, headers: auth(one), connections, seconds: 1 });
  const single = await httpLoad({ url: env.server.url + LIST, headers: auth(one), connections, seconds });
  await spreadLoad(env, picked, connections, 1);
  const spread = await spreadLoad(env, picked, connections, seconds);
  if (single.errors || spread.errors)
    throw new Error(`tenant-scale: ${single.errors + spread.errors} errors under load`);
  const r = ratio(spread.p99Ms, single.p99Ms);
  const catalog = (
    await env.pool.query(
      `select (select count(*) from pg_class)::int as relations, pg_database_size(current_database()) as bytes`,
    )
  ).rows[0];
  const pgMb = postgresPssMb(env);
  const serverMb = rssMb(env.server.pid);
  const createSeconds = Math.round(opts.createMs / 1000);
  const perTenant = Math.round(catalog.relations / count);
  const made = Math.max(1, opts.cost.tenants);
  const each = {
    statements: Math.round(opts.cost.statements / made),
    serverCpuMs: Math.round(opts.cost.serverMs / made),
    postgresCpuMs: Math.round(opts.cost.postgresMs / made),
  };
  const curve = await catalogueCurve(env, one, tenants);
  const rows: BenchResult[] = [
    {
      name: 'tenant-scale',
      params: {
        tenants: count,
        objects: opts.objects,
        rowsPerTenant: opts.rowsPerTenant,
        sampled: sample,
        connections,
        seconds,
      },
      measured: `${sample} random tenants: p50 ${spread.p50Ms} ms, p99 ${spread.p99Ms} ms, ${spread.rps}/s`,
      baseline: `one tenant: p50 ${single.p50Ms} ms, p99 ${single.p99Ms} ms, ${single.rps}/s`,
      figure: r,
      figureText: `${r}× p99`,
      target: `p99 ≤ ${P99_TARGET}× one tenant`,
      pass: r <= P99_TARGET,
      http: spread,
      extra: {
        createSeconds,
        createParallel: opts.parallel,
        relations: catalog.relations,
        databaseMb: Math.round(Number(catalog.bytes) / 2 ** 20),
        postgresPssMb: pgMb,
        serverRssMb: serverMb,
      },
    },
    {
      name: 'tenant-scale memory',
      params: { tenants: count, objects: opts.objects },
      measured: `server RSS ${serverMb} MB; PostgreSQL PSS ${pgMb} MB; ${catalog.relations} relations; database ${Math.round(Number(catalog.bytes) / 2 ** 20)} MB`,
      baseline: `tenants created in ${createSeconds} s (${opts.parallel} at a time, through the API); per tenant ${each.statements} statements, server CPU ${each.serverCpuMs} ms, PostgreSQL CPU ${each.postgresCpuMs} ms`,
      figure: perTenant,
      figureText: `${perTenant} relations per tenant`,
      target: 'recorded (see bench/README.md: when to spread tenants)',
      pass: true,
      extra: {
        createStatementsPerTenant: each.statements,
        createServerCpuMsPerTenant: each.serverCpuMs,
        createPostgresCpuMsPerTenant: each.postgresCpuMs,
      },
    },
  ];
  if (curve) {
    const last = curve.steps[curve.steps.length - 1] as CurveStep;
    const kbPerTenant = Math.round(
      ((last.cacheMb - (curve.steps[0] as CurveStep).cacheMb) * 1024) / Math.max(1, last.touched - 1),
    );
    rows.push({
      name: 'tenant-scale catalogue cache',
      params: { tenants: count, objects: opts.objects, statementsPerTenant: curve.statements },
      measured: curve.steps
        .map((s) => `${s.touched} touched: cache ${s.cacheMb} MB, backend ${s.contextsMb} MB (PSS ${s.pssMb} MB)`)
        .join('; '),
      baseline: `one connection planning a list request's own statements (EXPLAIN (GENERIC_PLAN)) in each tenant in turn; server RSS ${serverMb} MB`,
      figure: kbPerTenant,
      figureText: `${kbPerTenant} KB per tenant touched, per connection`,
      target: 'recorded (see bench/README.md: when to spread tenants)',
      pass: true,
      extra: { connectionMbAtAll: last.cacheMb, backendPssMbAtAll: last.pssMb },
    });
  }
  return rows;
}

interface CurveStep {
  touched: number;
  /** CacheMemoryContext and its children (relcache, catcache, plan cache…), MiB. */
  cacheMb: number;
  /** Every memory context of the backend, MiB. */
  contextsMb: number;
  /** The backend's proportional set size, MiB. */
  pssMb: number;
}

/**
 * What one pooled connection's catalogue caches cost per tenant it serves: the statements one list
 * request sent (read back from pg_stat_statements), planned with each tenant's schema in turn on a
 * fresh connection. Planning opens every relation and index the statement would, so the relcache
 * and catcache fill as a Forma connection's do; nothing is executed. Null without pg_stat_statements.
 */
async function catalogueCurve(
  env: BenchEnv,
  one: Session,
  tenants: string[],
): Promise<{ statements: number; steps: CurveStep[] } | null> {
  if (!env.statements) return null;
  const schema = tenantSchema(one.tenant);
  await env.pool.query('select pg_stat_statements_reset()');
  await one.ok('GET', LIST);
  const found = await env.pool.query<{ query: string }>('select query from pg_stat_statements where query like $1', [
    `%${pg.escapeIdentifier(schema)}%`,
  ]);
  const client = new pg.Client({ connectionString: env.server.databaseUrl });
  await client.connect();
  try {
    // Only statements the planner can take without their parameters' values (a few of them cannot
    // infer a parameter's type, and there is no other way to plan them apart from their request).
    const templates: string[] = [];
    for (const q of found.rows.map((r) => r.query)) {
      if (!/^\s*(select|with|update|insert|delete)\b/i.test(q)) continue;
      try {
        await client.query(`explain (generic_plan) ${q}`);
        templates.push(q);
      } catch {
        // Not plannable alone: left out of the curve (the row says how many statements it plans).
      }
    }
    if (!templates.length) return null;
    const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    // The tenant whose statements were read comes first: it is touched already.
    const order = [one.tenant, ...tenants.filter((t) => t !== one.tenant)];
    const marks = [1, 10, 100, 1000, 2000, 5000, 10000, tenants.length].filter((n) => n <= tenants.length);
    const steps: CurveStep[] = [];
    let touched = 0;
    for (const mark of [...new Set(marks)].sort((a, b) => a - b)) {
      for (; touched < mark; touched++) {
        const other = pg.escapeIdentifier(tenantSchema(order[touched] as string));
        for (const q of templates)
          await client.query(`explain (generic_plan) ${q.split(pg.escapeIdentifier(schema)).join(other)}`);
      }
      const m = (
        await client.query(
          `with c as (select * from pg_backend_memory_contexts),
                cache as (select path[level] as id from c where name = 'CacheMemoryContext')
           select (select sum(total_bytes) from c, cache where cache.id = any(c.path)) as cache,
                  (select sum(total_bytes) from c) as total`,
        )
      ).rows[0];
      steps.push({ touched, cacheMb: mb(m.cache), contextsMb: mb(m.total), pssMb: pssMb(pid) });
    }
    return { statements: templates.length, steps };
  } finally {
    await client.end();
  }
}

function mb(bytes: unknown): number {
  return Math.round((Number(bytes) / 2 ** 20) * 10) / 10;
}

function pssMb(pid: number): number {
  try {
    const m = /Pss:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return Math.round(Number(m?.[1] ?? 0) / 102.4) / 10;
  } catch {
    return Number.NaN;
  }
}

function metadataDocument(objects: number) {
  const props = {
    name: { type: 'string', maxLength: 200 },
    amount: { type: 'number', minimum: 0, 'x-index': true },
    stage: { type: 'string', enum: ['new', 'won', 'lost'], 'x-index': true },
  };
  const all: Record<string, unknown> = { deal: { title: 'Deal', type: 'object', properties: props } };
  for (let i = 1; i < objects; i++)
    all[`object_${i}`] = {
      title: `Object ${i}`,
      type: 'object',
      properties: { name: props.name, amount: { type: 'number' }, note: { type: 'string', maxLength: 500 } },
    };
  return { objects: all };
}

/** A fixed-seed choice (a 32-bit linear congruential generator): the same tenants every run. */
function pick<T>(items: T[], n: number): T[] {
  const out: T[] = [];
  const taken = new Set<number>();
  let x = 42;
  while (out.length < Math.min(n, items.length)) {
    // Math.imul keeps the product in 32 bits; a plain multiply loses the low bits in a double.
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const i = (x >>> 8) % items.length;
    if (taken.has(i)) continue;
    taken.add(i);
    out.push(items[i] as T);
  }
  return out;
}

function auth(s: Session) {
  return { authorization: `Bearer ${s.token}` };
}

/** The same list, each request from the next of the sampled tenants. */
async function spreadLoad(
  env: BenchEnv,
  sessions: Session[],
  connections: number,
  seconds: number,
): Promise<LoadStats> {
  let refused = 0;
  const r = await autocannon({
    url: env.server.url,
    connections,
    duration: seconds,
    requests: sessions.map((s) => ({
      method: 'GET' as const,
      path: LIST,
      headers: auth(s),
      onResponse: (
        status: number,
        _body: string,
        _ctx: object,
        headers?: Record<string, string | string[] | undefined>,
      ) => {
        if (isRefusal(status, retryAfterOf(headers))) refused += 1;
      },
    })),
    // As in httpLoad: refusals are counted apart and left out of the latencies.
    excludeErrorStats: true,
  });
  countRefusal(refused);
  return {
    requests: r.requests.total,
    errors: Math.max(0, r.non2xx - refused) + r.errors + r.timeouts,
    refused,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    rps: Math.round(r.requests.total / seconds),
  };
}

/** Proportional set size of the cluster's processes (the postmaster and its children), in MiB. */
function postgresPssMb(env: BenchEnv): number {
  try {
    const postmaster = Number(
      fs.readFileSync(path.join(env.server.dir, 'data', 'pg', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    let kb = 0;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (Number(entry) !== postmaster && ppid !== postmaster) continue;
        const m = /Pss:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8'));
        kb += Number(m?.[1] ?? 0);
      } catch {
        // The process ended while we looked.
      }
    }
    return Math.round(kb / 1024);
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU of the cluster's live processes plus what its ended ones used (a backend that exits is
 * reaped by the postmaster, whose cutime and cstime then hold its CPU, in clock ticks of 10 ms).
 */
function postgresAllCpuMs(dir: string): number {
  const live = postgresCpuMs(dir);
  const pg = postgresProcesses(dir);
  if (!pg) return live;
  try {
    const stat = fs.readFileSync(`/proc/${pg.postmaster}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of stat (cutime, cstime) are the 14th and 15th after the command.
    return live + (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return live;
  }
}
