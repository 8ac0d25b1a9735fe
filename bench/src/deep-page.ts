/**
 * deep-page (issue 12, workload 3): pages 1, 100 and 2,000 of the unfiltered deal list (50 a page,
 * keyset cursors), each under the same load. A keyset page starts at its cursor through the index,
 * so page 2,000 should cost what page 1 costs. Target: page 2,000 p50 ≤ 1.2× page 1.
 * Walking to page 2,000 also checks the answers: every id once, pages in order, none short.
 */
import { httpLoad, type LoadStats } from './load';
import { type BenchResult, describeLoad, ratio } from './results';
import type { WorkloadContext } from './workload';

const TARGET_RATIO = 1.2;
const PAGE = 50;
const BASE = `/api/records/deal?limit=${PAGE}`;

export async function deepPage(ctx: WorkloadContext): Promise<BenchResult[]> {
  const sales = await ctx.sales();
  const { env, connections, seconds } = ctx;
  const deepest = Math.min(2000, Math.floor(sales.deals / PAGE));
  const wanted = [1, Math.min(100, deepest), deepest];
  const cursors = new Map<number, string | undefined>([[1, undefined]]);
  const seen = new Set<string>();
  let cursor: string | undefined;
  let previousLast = '';
  for (let page = 1; page <= deepest; page++) {
    if (wanted.includes(page)) cursors.set(page, cursor);
    const body = await sales.admin.ok<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      'GET',
      cursor ? `${BASE}&cursor=${encodeURIComponent(cursor)}` : BASE,
    );
    if (body.items.length !== PAGE) throw new Error(`deep-page: page ${page} has ${body.items.length} rows`);
    for (const { id } of body.items) {
      if (seen.has(id)) throw new Error(`deep-page: ${id} on two pages`);
      if (id <= previousLast) throw new Error(`deep-page: page ${page} is out of order`);
      previousLast = id;
      seen.add(id);
    }
    cursor = body.nextCursor ?? undefined;
    if (!cursor && page < deepest) throw new Error(`deep-page: no cursor after page ${page}`);
  }
  const stats = new Map<number, LoadStats>();
  const headers = { authorization: `Bearer ${sales.admin.token}` };
  const url = (page: number) => {
    const c = cursors.get(page);
    return env.server.url + (c ? `${BASE}&cursor=${encodeURIComponent(c)}` : BASE);
  };
  await httpLoad({ url: url(deepest), headers, connections, seconds: 1 });
  for (const page of wanted) {
    const s = await httpLoad({ url: url(page), headers, connections, seconds });
    if (s.errors) throw new Error(`deep-page: ${s.errors} errors on page ${page} (${s.errorDetail ?? ''})`);
    stats.set(page, s);
  }
  const first = stats.get(1) as LoadStats;
  const last = stats.get(deepest) as LoadStats;
  const r = ratio(last.p50Ms, first.p50Ms);
  return [
    {
      name: 'deep-page',
      params: { rows: sales.deals, connections, seconds, pages: wanted.join('/') },
      measured: `page ${deepest}: ${describeLoad(last)}; page ${wanted[1]}: p50 ${stats.get(wanted[1] as number)?.p50Ms} ms`,
      baseline: `page 1: ${describeLoad(first)}`,
      figure: r,
      figureText: `${r}×`,
      target: `page ${deepest} p50 ≤ ${TARGET_RATIO}× page 1`,
      pass: r <= TARGET_RATIO,
      http: last,
      extra: { walkedIds: seen.size },
    },
  ];
}
