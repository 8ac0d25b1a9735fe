/**
 * read-by-id (issue 27): one deal by id as the tenant admin (`GET /api/records/deal/:id`), against
 * the same SELECT through `pg` and against the floor twin (the same SELECT behind a bare fastify
 * route). Targets: req/s ≥ 0.8× and p50 ≤ 1.25× the floor twin.
 */
import pg from 'pg';
import { tableOf } from '../../runtime/src/model/naming';
import { directusRow, directusSideBySide } from './directus-peer';
import { againstFloor, floorRow, startFloorTwin } from './floor';
import { type Deal, LIST_PATH } from './list-admin';
import type { LoadStats } from './load';
import { sqlLoad } from './load';
import { type BenchResult, describeLoad, ratio } from './results';
import type { SalesFixture } from './sales-fixture';
import type { WorkloadContext } from './workload';

export function rawReadSql(sales: SalesFixture): string {
  const t = `${pg.escapeIdentifier(sales.schema)}.${pg.escapeIdentifier(tableOf('deal'))}`;
  return `select * from ${t} where id = $1 and deleted_at is null`;
}

export async function readById(ctx: WorkloadContext): Promise<BenchResult[]> {
  const sales = await ctx.sales();
  const { env, connections, seconds } = ctx;
  const id = (await sales.admin.ok<{ items: Deal[] }>('GET', LIST_PATH)).items[0]?.id;
  if (!id) throw new Error('read-by-id: no deal to read');
  const rawText = rawReadSql(sales);
  const check = (d: Deal | undefined, source: string) => {
    if (d?.id !== id) throw new Error(`read-by-id: ${source} answered ${JSON.stringify(d)?.slice(0, 200)}`);
  };
  const rawRow = (await env.pool.query(rawText, [id])).rows[0];
  check(rawRow, 'raw SQL');
  check(await sales.admin.ok<Deal>('GET', `/api/records/deal/${id}`), 'HTTP');

  const floorTwin = await startFloorTwin({
    databaseUrl: env.server.databaseUrl,
    poolMax: connections,
    read: { sql: rawText },
  });
  let http: LoadStats;
  let floor: LoadStats;
  try {
    const floorUrl = `${floorTwin.url}/read/${id}`;
    check((await (await fetch(floorUrl)).json()) as Deal, 'floor twin');
    ({ forma: http, floor } = await againstFloor({
      forma: {
        url: `${env.server.url}/api/records/deal/${id}`,
        headers: { authorization: `Bearer ${sales.admin.token}` },
        connections,
        seconds,
      },
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
    values: [id],
    connections,
    seconds,
    check: (r) => {
      if (r.length !== 1) throw new Error('no row');
    },
  });
  if (raw.errors) throw new Error(`read-by-id: ${raw.errors} SQL errors under load`);
  // Directus on a copy of the same rows, the same record (directus-peer.ts); the recorded figure without a peer.
  const directus = await directusSideBySide<Deal>({
    what: 'read',
    pool: env.pool,
    sales,
    forma: { base: env.server.url, path: `/api/records/deal/${id}`, token: sales.admin.token },
    floorBody: JSON.stringify(rawRow),
    id,
    check: (d) => check(d, 'Directus'),
    connections,
    seconds,
  });
  const params = { rows: sales.deals, connections, seconds };
  const r = ratio(http.p50Ms, raw.p50Ms);
  return [
    floorRow('read-by-id vs floor', params, http, floor),
    {
      name: 'read-by-id',
      params,
      measured: describeLoad(http),
      baseline: `raw SQL: ${describeLoad(raw)}`,
      figure: r,
      figureText: `${r}×`,
      target: 'recorded (the floor row is the target)',
      pass: true,
      http,
      raw,
    },
    directusRow('read-by-id vs Directus', params, 'read', { forma: http, floor, ...directus }),
  ];
}
