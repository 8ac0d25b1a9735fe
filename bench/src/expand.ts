/**
 * expand (issue 12, workload 4): a record and lists with 2 and 5 lookups expanded. The SQL
 * statements a request sends (counted with pg_stat_statements, only the tenant's own statements)
 * must not grow with the number of rows: one query per lookup, never one per row.
 */
import type { Session } from './bench-env';
import { httpLoad } from './load';
import type { BenchResult } from './results';
import type { SalesFixture } from './sales-fixture';
import type { WorkloadContext } from './workload';

const REQUESTS = 10;

export async function expand(ctx: WorkloadContext): Promise<BenchResult[]> {
  const sales = await ctx.sales();
  const { env } = ctx;
  if (!env.statements) throw new Error('expand: pg_stat_statements is not available in this PostgreSQL');
  const two = sales.lookups.slice(0, 2).join(',');
  const five = sales.lookups.join(',');
  const one = (await sales.admin.ok<{ items: Array<{ id: string }> }>('GET', '/api/records/deal?limit=1')).items[0];
  if (!one) throw new Error('expand: no deals');
  const cases: Array<[string, string, number]> = [
    ['record, 2 lookups', `/api/records/deal/${one.id}?expand=${two}`, 1],
    ['record, 5 lookups', `/api/records/deal/${one.id}?expand=${five}`, 1],
    ['list of 10, 2 lookups', `/api/records/deal?limit=10&expand=${two}`, 10],
    ['list of 200, 2 lookups', `/api/records/deal?limit=200&expand=${two}`, 200],
    ['list of 10, 5 lookups', `/api/records/deal?limit=10&expand=${five}`, 10],
    ['list of 200, 5 lookups', `/api/records/deal?limit=200&expand=${five}`, 200],
  ];
  const perRequest: Record<string, number> = {};
  for (const [label, url, rows] of cases) {
    checkExpanded(await sales.admin.ok('GET', url), label, rows, label.includes('5') ? 5 : 2, sales);
    perRequest[label] = await statementsPerRequest(ctx, sales, sales.admin, url);
  }
  const list5 = await httpLoad({
    url: env.server.url + (cases[5] as [string, string, number])[1],
    headers: { authorization: `Bearer ${sales.admin.token}` },
    connections: ctx.connections,
    seconds: ctx.seconds,
  });
  if (list5.errors) throw new Error(`expand: ${list5.errors} errors under load`);
  const same = (a: string, b: string) => perRequest[a] === perRequest[b];
  const pass =
    same('list of 10, 2 lookups', 'list of 200, 2 lookups') && same('list of 10, 5 lookups', 'list of 200, 5 lookups');
  const growth = (perRequest['list of 200, 5 lookups'] as number) - (perRequest['list of 10, 5 lookups'] as number);
  return [
    {
      name: 'expand',
      params: { rows: sales.deals, requests: REQUESTS },
      measured: Object.entries(perRequest)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
      baseline: `statements per request; list of 200 with 5 lookups under load: p50 ${list5.p50Ms} ms, ${list5.rps}/s`,
      figure: growth,
      figureText: `+${growth} statements from 10 to 200 rows`,
      target: 'statements per request independent of row count',
      pass,
      http: list5,
      extra: perRequest,
    },
  ];
}

/** Statements of this tenant per request (the session lookup included), averaged over REQUESTS. */
async function statementsPerRequest(ctx: WorkloadContext, sales: SalesFixture, user: Session, url: string) {
  const { pool } = ctx.env;
  await pool.query('select pg_stat_statements_reset()');
  for (let i = 0; i < REQUESTS; i++) await user.ok('GET', url);
  const r = await pool.query(
    `select coalesce(sum(calls), 0)::int as n from pg_stat_statements where strpos(query, $1) > 0 and query not like '%pg_stat_statements%'`,
    [`"${sales.schema}"`],
  );
  return Math.round((r.rows[0].n / REQUESTS) * 10) / 10;
}

function checkExpanded(body: any, label: string, rows: number, lookups: number, sales: SalesFixture): void {
  const items: any[] = body.items ?? [body];
  if (items.length !== rows) throw new Error(`expand (${label}): ${items.length} rows, expected ${rows}`);
  for (const item of items)
    for (const field of sales.lookups.slice(0, lookups))
      if (typeof item[field] !== 'object' || item[field] === null || typeof item[field].id !== 'string')
        throw new Error(`expand (${label}): ${field} was not expanded`);
}
