/**
 * list-admin (issue 12, workload 1): 50 won deals sorted by −amount out of `rows` deals, as the tenant
 * admin, through HTTP with autocannon, against the same SELECT sent straight through `pg`.
 * Target: HTTP p50 ≤ 1.5× the raw SQL twin's p50.
 */
import pg from 'pg';
import { tableOf } from '../../runtime/src/model/naming';
import { directusRow, directusSideBySide, RECORDED } from './directus-peer';
import { againstFloor, floorRow, startFloorTwin } from './floor';
import { type LoadStats, sqlLoad } from './load';
import { type BenchResult, describeLoad, ratio } from './results';
import type { SalesFixture } from './sales-fixture';
import type { WorkloadContext } from './workload';

const TARGET_RATIO = 1.5;
export const PAGE = 50;
export const WON_FILTER = JSON.stringify({ stage: { eq: 'won' } });
export const LIST_PATH = `/api/records/deal?${new URLSearchParams({ filter: WON_FILTER, sort: '-amount', limit: String(PAGE) })}`;

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
  // Directus on a copy of the same rows, same page (directus-peer.ts); the recorded figure without a peer.
  const directus = await directusSideBySide<Deal[]>({
    what: 'list',
    pool: env.pool,
    sales,
    forma: { base: env.server.url, path: LIST_PATH, token: sales.admin.token },
    floorBody: JSON.stringify({ items: expected, nextCursor: null }),
    limit: PAGE,
    check: (items) => {
      checkPage(items, 'Directus');
      if (ids(items) !== ids(expected)) throw new Error('list-admin: the Directus page differs from the raw SQL page');
    },
    connections,
    seconds,
  });
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
    directusRow(
      'list-admin vs Directus',
      params,
      'list',
      { forma: http, floor, ...directus },
      Number(process.env.BENCH_DIRECTUS_RPS || RECORDED.list),
    ),
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
