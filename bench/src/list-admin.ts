/**
 * list-admin (issue 12, workload 1): 50 won deals sorted by −amount out of `rows` deals, as the tenant
 * admin, through HTTP with autocannon, against the same SELECT sent straight through `pg`.
 * Target: HTTP p50 ≤ 1.5× the raw SQL twin's p50.
 */
import pg from 'pg';
import { tableOf } from '../../runtime/src/model/naming';
import { againstFloor, floorRow, startFloorTwin } from './floor';
import { httpLoad, type LoadStats, sqlLoad } from './load';
import { type BenchResult, describeLoad, ratio } from './results';
import type { SalesFixture } from './sales-fixture';
import type { WorkloadContext } from './workload';

const TARGET_RATIO = 1.5;
export const PAGE = 50;
export const WON_FILTER = JSON.stringify({ stage: { eq: 'won' } });
export const LIST_PATH = `/api/records/deal?${new URLSearchParams({ filter: WON_FILTER, sort: '-amount', limit: String(PAGE) })}`;

/** Directus 11.3.5 on the same workload and machine (shared/peers/directus/RESULTS.md), when not run side by side. */
const DIRECTUS_RPS = 200;
/** The same page in Directus' REST API (the peer's `deals` collection, seeded by its own bench.sh). */
const DIRECTUS_LIST = '/items/deals?limit=50&sort=-amount&filter[stage][_eq]=won';

/**
 * Directus side by side when `BENCH_DIRECTUS_URL` and `BENCH_DIRECTUS_TOKEN` name a running peer
 * (shared/peers/directus): the same page under the same load right after Forma's run, its answer
 * checked like ours. Otherwise the recorded figure (or `BENCH_DIRECTUS_RPS`).
 */
async function directusFigure(
  connections: number,
  seconds: number,
): Promise<{ rps: number; text: string; load?: LoadStats }> {
  const base = process.env.BENCH_DIRECTUS_URL;
  const token = process.env.BENCH_DIRECTUS_TOKEN;
  if (!base || !token) {
    const rps = Number(process.env.BENCH_DIRECTUS_RPS || DIRECTUS_RPS);
    return { rps, text: `Directus 11.3.5 (recorded run): ${rps} req/s` };
  }
  const headers = { authorization: `Bearer ${token}` };
  const url = base.replace(/\/$/, '') + DIRECTUS_LIST;
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`list-admin: Directus answered ${res.status}`);
  checkPage(((await res.json()) as { data: Deal[] }).data, 'Directus');
  const version = await fetch(`${base.replace(/\/$/, '')}/server/info`, { headers })
    .then(async (r) => ((await r.json()) as { data?: { version?: string } }).data?.version)
    .catch(() => undefined);
  await httpLoad({ url, headers, connections, seconds: 1 });
  const load = await httpLoad({ url, headers, connections, seconds });
  if (load.errors) throw new Error(`list-admin: ${load.errors} Directus errors under load`);
  return { rps: load.rps, text: `Directus ${version ?? ''} side by side: ${describeLoad(load)}`, load };
}

export async function listAdmin(ctx: WorkloadContext): Promise<BenchResult[]> {
  const sales = await ctx.sales();
  const { env, connections, seconds } = ctx;
  const rawText = rawListSql(sales);
  const expected = (await env.pool.query(rawText, ['won'])).rows as Deal[];
  checkPage(expected, 'raw SQL');
  const page = await sales.admin.ok<{ items: Deal[] }>('GET', LIST_PATH);
  checkPage(page.items, 'HTTP');
  if (ids(page.items) !== ids(expected)) throw new Error('list-admin: the HTTP page differs from the raw SQL page');

  const headers = { authorization: `Bearer ${sales.admin.token}` };
  const url = env.server.url + LIST_PATH;
  const floorTwin = await startFloorTwin({
    databaseUrl: env.server.databaseUrl,
    poolMax: connections,
    list: { sql: rawText },
  });
  let http: LoadStats;
  let floor: LoadStats;
  try {
    const floorUrl = `${floorTwin.url}/list?stage=won`;
    const floorPage = (await (await fetch(floorUrl)).json()) as { items: Deal[] };
    if (ids(floorPage.items) !== ids(expected)) throw new Error('list-admin: the floor twin page differs');
    // Warm-ups of both, then Forma and the floor alternately (best round of each).
    ({ forma: http, floor } = await againstFloor({
      forma: { url, headers, connections, seconds },
      floor: { url: floorUrl, headers: {}, connections, seconds },
      formaPid: env.server.pid,
      floorPid: floorTwin.pid,
    }));
  } finally {
    await floorTwin.stop();
  }
  const raw = await sqlLoad({
    pool: env.pool,
    text: rawText,
    values: ['won'],
    connections,
    seconds,
    check: (r) => {
      if (r.length !== PAGE) throw new Error('short page');
    },
  });
  const after = await sales.admin.ok<{ items: Deal[] }>('GET', LIST_PATH);
  if (ids(after.items) !== ids(expected)) throw new Error('list-admin: the HTTP page changed under load');
  if (http.errors || raw.errors)
    throw new Error(`list-admin: ${http.errors} HTTP and ${raw.errors} SQL errors under load`);

  const r = ratio(http.p50Ms, raw.p50Ms);
  const directus = await directusFigure(connections, seconds);
  const params = { rows: sales.deals, connections, seconds, page: PAGE };
  return [
    floorRow('list-admin vs floor', params, http, floor),
    {
      name: 'list-admin',
      params,
      measured: describeLoad(http),
      baseline: `raw SQL: ${describeLoad(raw)}`,
      figure: r,
      figureText: `${r}×`,
      target: `p50 ≤ ${TARGET_RATIO}× raw SQL`,
      pass: r <= TARGET_RATIO,
      http,
      raw,
    },
    {
      name: 'list-admin vs Directus',
      params,
      measured: `${http.rps} req/s`,
      baseline: directus.text,
      figure: ratio(http.rps, directus.rps),
      figureText: `${ratio(http.rps, directus.rps)}×`,
      // The old target; the floor row shows how far above the floor it is on this machine.
      target: `req/s ≥ 10× Directus (floor twin: ${ratio(floor.rps, directus.rps)}× Directus)`,
      pass: http.rps >= 10 * directus.rps,
      ...(directus.load ? { raw: directus.load } : {}),
    },
  ];
}

/** The statement a hand-written app would send for this page (nulls last, id as the tie-breaker). */
export function rawListSql(sales: SalesFixture): string {
  const t = `${pg.escapeIdentifier(sales.schema)}.${pg.escapeIdentifier(tableOf('deal'))}`;
  return `select * from ${t} where stage = $1 and deleted_at is null order by amount desc nulls last, id asc limit ${PAGE}`;
}

export interface Deal {
  id: string;
  stage: string;
  amount: number | string | null;
  [field: string]: unknown;
}

export function ids(items: Deal[]): string {
  return items.map((d) => d.id).join();
}

/** `PAGE` rows, all won, amounts non-increasing, no duplicate ids. */
export function checkPage(items: Deal[], source: string, size = PAGE): void {
  if (items.length !== size) throw new Error(`${source}: ${items.length} rows, expected ${size}`);
  if (new Set(items.map((d) => d.id)).size !== items.length) throw new Error(`${source}: duplicate rows`);
  for (const [i, d] of items.entries()) {
    if (d.stage !== 'won') throw new Error(`${source}: row ${i} has stage ${d.stage}`);
    const prev = items[i - 1];
    if (prev && Number(prev.amount) < Number(d.amount)) throw new Error(`${source}: not sorted by −amount`);
  }
}
