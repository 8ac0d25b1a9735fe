/**
 * tenant-scale (issue 12, workload 11): `tenants` tenants (1,000 by default) of `objects` objects
 * each (30), created through the platform and metadata APIs; then list-admin on one tenant, and
 * the same list spread over 50 random tenants (autocannon cycling through their requests). Target:
 * p99 over 50 tenants ≤ 1.3× a single tenant. Recorded beside it: the server's RSS, PostgreSQL's
 * memory (PSS of the cluster's processes), relations in the catalog and the database size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { tableOf, tenantSchema } from '../../runtime/src/model/naming';
import { type BenchEnv, createTenant, type Session } from './bench-env';
import { countRefusal, httpLoad, isRefusal, type LoadStats, retryAfterOf } from './load';
import { rssMb } from './memory';
import { type BenchResult, ratio } from './results';
import type { WorkloadContext } from './workload';

const P99_TARGET = 1.3;
const ROWS_PER_TENANT = 500;
const LIST = `/api/records/deal?${new URLSearchParams({ filter: JSON.stringify({ stage: { eq: 'won' } }), sort: '-amount', limit: '50' })}`;

export async function tenantScale(ctx: WorkloadContext): Promise<BenchResult[]> {
  const { env, connections, seconds } = ctx;
  const count = ctx.knob('BENCH_TENANTS', 1000);
  const objects = ctx.knob('BENCH_TENANT_OBJECTS', 30);
  const sample = Math.min(50, count);
  const document = metadataDocument(objects);
  const sessions: Session[] = [];
  const started = performance.now();
  let next = 0;
  // Four at a time: tenant creation is DDL-heavy, more in parallel only queues on the catalog.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const i = next++;
        const tenant = `scale_${String(i).padStart(4, '0')}`;
        const s = await createTenant(env, tenant);
        await s.ok('POST', '/api/meta/apply', document);
        await env.pool.query(
          `insert into ${pg.escapeIdentifier(tenantSchema(tenant))}.${pg.escapeIdentifier(tableOf('deal'))} (name, amount, stage, owner, created_by, updated_by)
           select 'Deal ' || g, (g * 7919 + $3::int) % 100000, (array['new','won','lost'])[1 + g % 3], $1, $1, $1 from generate_series(1, $2::int) g`,
          [s.userId, ROWS_PER_TENANT, i],
        );
        sessions[i] = s;
      }
    }),
  );
  const createSeconds = Math.round((performance.now() - started) / 1000);
  // Answers: every sampled tenant sees its own 50 won deals, sorted.
  const picked = pick(sessions, sample);
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
  return [
    {
      name: 'tenant-scale',
      params: { tenants: count, objects, rowsPerTenant: ROWS_PER_TENANT, sampled: sample, connections, seconds },
      measured: `${sample} random tenants: p50 ${spread.p50Ms} ms, p99 ${spread.p99Ms} ms, ${spread.rps}/s`,
      baseline: `one tenant: p50 ${single.p50Ms} ms, p99 ${single.p99Ms} ms, ${single.rps}/s`,
      figure: r,
      figureText: `${r}× p99`,
      target: `p99 ≤ ${P99_TARGET}× one tenant`,
      pass: r <= P99_TARGET,
      http: spread,
      extra: {
        createSeconds,
        relations: catalog.relations,
        databaseMb: Math.round(Number(catalog.bytes) / 2 ** 20),
        postgresPssMb: pgMb,
        serverRssMb: serverMb,
      },
    },
    {
      name: 'tenant-scale memory',
      params: { tenants: count, objects },
      measured: `server RSS ${serverMb} MB; PostgreSQL PSS ${pgMb} MB; ${catalog.relations} relations; database ${Math.round(Number(catalog.bytes) / 2 ** 20)} MB`,
      baseline: `tenants created in ${createSeconds} s`,
      figure: catalog.relations,
      figureText: `${Math.round(catalog.relations / count)} relations per tenant`,
      target: 'recorded (see bench/README.md: when to spread tenants)',
      pass: true,
    },
  ];
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
