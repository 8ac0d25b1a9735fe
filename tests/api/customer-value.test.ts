import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Customer value analyses (docs/analytics.md) through the real server, on a core-crm tenant: the
 * shipped reports (top customers by margin with Pareto shares, RFM segments, retention cohorts,
 * churn risk) and ad-hoc ones are compared with per-customer figures computed by SQL written here
 * over the same orders — RFM scores, segments and retention then worked out in this file — as the
 * admin and as a rep who reads only their own accounts and orders, so some of their orders belong
 * to customers they may not read (those count for no one). Then the refusals.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let salesRep: Awaited<ReturnType<TestTenant['addUser']>>;
const asOf = '2026-12-07';
const acc: Record<string, string> = {};

const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${tenant.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
/** Averages: PostgreSQL's numeric and a double here agree to far more than six decimals. */
const r6 = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1e6) / 1e6);
type Run = {
  rows: Record<string, unknown>[];
  columns: {
    key: string;
    label: string;
    role: string;
    kind: string;
    options?: { value: string; label: string; 'x-i18n'?: Record<string, { label?: string }> }[];
    'x-i18n'?: Record<string, { label?: string }>;
  }[];
  truncated: boolean;
};
const run = async (api: TestTenant['api'], name: string) => {
  const res = await api.post(`/api/reports/${name}/run`, { asOf });
  expect(res.status, res.text).toBe(200);
  return res.body as Run;
};
const putReport = (name: string, def: Record<string, unknown>) => tenant.api.put(`/api/meta/reports/${name}`, def);

async function create(object: string, body: Record<string, unknown>, owner?: string): Promise<string> {
  const r = await tenant.api.post(`/api/records/${object}`, body);
  expect(r.status, r.text).toBe(201);
  if (owner) {
    const p = await tenant.api.patch(`/api/records/${object}/${r.body.id}`, { owner, version: r.body.version });
    expect(p.status, p.text).toBe(200);
  }
  return r.body.id;
}

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'cval', template: 'core-crm' });
  const own = { create: true, read: 'own', update: 'own', delete: false };
  const role = await tenant.api.put('/api/meta/roles/own_rep', {
    label: 'Own rep',
    objects: { account: own, order: own },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['own_rep'], name: 'Olga Own' });
  salesRep = await tenant.addUser({ roles: ['sales_rep'], name: 'Sam Seller' });
  const r = rep.id;
  // Accounts: the rep owns A, B, C, F; D and E are not theirs.
  for (const [key, country, owner] of [
    ['A', 'France', r],
    ['B', 'France', r],
    ['C', 'China', r],
    ['D', 'China', undefined],
    ['E', 'Germany', undefined],
    ['F', 'Germany', r],
  ] as const)
    acc[key] = await create('account', { name: `Customer ${key}`, country, type: 'customer' }, owner);
  const orders: [string | null, string, number, number, string, string | undefined][] = [
    // customer, day, amount, cost, status, owner
    ['A', '2026-01-15', 1000, 600, 'delivered', r],
    ['A', '2026-03-10', 500, 200, 'delivered', r],
    ['A', '2026-06-02', 800, 500, 'shipped', r],
    ['A', '2026-11-20', 1200, 700, 'confirmed', r],
    ['B', '2026-01-05', 300, 100, 'delivered', r],
    ['B', '2026-02-07', 400, 250, 'delivered', undefined], // B's, not the rep's order
    ['B', '2026-04-01', 200, 150, 'delivered', r],
    ['C', '2026-03-20', 5000, 4500, 'delivered', r],
    ['C', '2026-10-01', 100, 90, 'cancelled', r], // not a purchase
    ['D', '2026-01-25', 2000, 800, 'delivered', r], // the rep's order of a customer they may not read
    ['D', '2026-02-25', 2200, 900, 'delivered', undefined],
    ['D', '2026-05-25', 2100, 1000, 'delivered', undefined],
    ['E', '2025-11-11', 700, 300, 'delivered', undefined],
    ['E', '2026-12-01', 650, 320, 'shipped', undefined],
    ['F', '2026-09-09', 90, 10, 'delivered', r],
    ['F', '2026-12-20', 900, 100, 'confirmed', r], // after the run's day
    ['F', '2026-08-01', 50, 5, 'draft', r], // not a purchase
  ];
  for (const [c, ordered_on, amount, cost, status, owner] of orders)
    await create('order', { ...(c ? { account: acc[c] } : {}), ordered_on, amount, cost, status }, owner);
  // A deleted order counts for no one.
  const gone = await create('order', { account: acc.E, ordered_on: '2026-07-07', amount: 5000, status: 'delivered' });
  expect((await tenant.api.delete(`/api/records/order/${gone}`)).status).toBe(204);
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

type Customer = {
  customer: string;
  first_on: string;
  last_on: string;
  orders: number;
  revenue: number;
  cost: number;
  margin: number;
  days_since_last: number;
  avg_interval: number | null;
};

/** Per-customer figures by hand-written SQL; `scoped`: the own_rep's orders of accounts they own. */
async function customers(scoped: boolean, opts: { months?: number } = {}): Promise<Customer[]> {
  const from = opts.months ? `and o.ordered_on >= (?::date - make_interval(months => ?))::date` : '';
  const bindings: unknown[] = [];
  if (scoped) bindings.push(rep.id, rep.id);
  bindings.push(asOf);
  if (opts.months) bindings.push(asOf, opts.months);
  const rows = await sql(
    `select o.account as customer, min(o.ordered_on)::text as first_on, max(o.ordered_on)::text as last_on,
            count(*) as orders, sum(coalesce(o.amount, 0)) as revenue, sum(coalesce(o.cost, 0)) as cost
     from $S."order" o join $S.account a on a.id = o.account and a.deleted_at is null ${scoped ? 'and a.owner = ?' : ''}
     where o.deleted_at is null ${scoped ? 'and o.owner = ?' : ''}
       and o.status in ('confirmed', 'shipped', 'delivered') and o.ordered_on <= ?::date ${from}
     group by o.account`,
    bindings,
  );
  const day = (s: string) => Date.parse(`${s}T00:00:00Z`) / 86_400_000;
  return rows.map((w) => {
    const orders = Number(w.orders);
    const first = String(w.first_on);
    const last = String(w.last_on);
    return {
      customer: String(w.customer),
      first_on: first,
      last_on: last,
      orders,
      revenue: Number(w.revenue),
      cost: Number(w.cost),
      margin: Number(w.revenue) - Number(w.cost),
      days_since_last: day(asOf) - day(last),
      avg_interval: orders > 1 ? Math.round(((day(last) - day(first)) / (orders - 1)) * 10) / 10 : null,
    };
  });
}

/** Score 1…q by percent rank: ties share the lowest position's score. */
function scores(values: number[], q: number): number[] {
  return values.map((v) => {
    if (values.length < 2) return 1;
    const below = values.filter((x) => x < v).length;
    return Math.min(q, Math.floor((below / (values.length - 1)) * q) + 1);
  });
}
function segment(r: number, f: number): string {
  if (r === 5 && f >= 4) return 'champions';
  if (r >= 3 && f >= 4) return 'loyal';
  if (r >= 4 && f >= 2) return 'potential_loyalists';
  if (r === 5) return 'new';
  if (r === 4) return 'promising';
  if (r === 3 && f === 3) return 'need_attention';
  if (r === 3) return 'about_to_sleep';
  if (f === 5) return 'cant_lose';
  if (f >= 3) return 'at_risk';
  return 'hibernating';
}
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
function withRfm(cs: Customer[], q = 5) {
  const r = scores(
    cs.map((c) => day(c.last_on)),
    q,
  );
  const f = scores(
    cs.map((c) => c.orders),
    q,
  );
  const m = scores(
    cs.map((c) => c.revenue),
    q,
  );
  const r5 = scores(
    cs.map((c) => day(c.last_on)),
    5,
  );
  const f5 = scores(
    cs.map((c) => c.orders),
    5,
  );
  return cs.map((c, i) => ({
    ...c,
    recency: r[i] as number,
    frequency: f[i] as number,
    monetary: m[i] as number,
    rfm: `${r[i]}${f[i]}${m[i]}`,
    segment: segment(r5[i] as number, f5[i] as number),
  }));
}

describe('top customers by margin (Pareto)', () => {
  it('admin: margin per customer, sorted, with share and cumulative share of the whole', async () => {
    const got = await run(tenant.api, 'top_customers_by_margin');
    const want = (await customers(false)).sort((a, b) => b.margin - a.margin);
    const total = want.reduce((s, c) => s + c.margin, 0);
    let running = 0;
    expect(
      got.rows.map((r) => [r.customer, n(r.margin), n(r.revenue), n(r.orders), r.share, r.cumulative_share]),
    ).toEqual(
      want.map((c) => {
        running += c.margin;
        return [
          c.customer,
          c.margin,
          c.revenue,
          c.orders,
          Math.round((c.margin / total) * 1000) / 10,
          Math.round((running / total) * 1000) / 10,
        ];
      }),
    );
    // Hand-checked: D leads (2000+2200+2100 − 800−900−1000 = 3600); the deleted, cancelled, draft
    // and future orders are nowhere.
    expect(got.rows[0]).toMatchObject({ customer: acc.D, customer_label: 'Customer D', margin: 3600 });
    expect(got.rows.find((r) => r.customer === acc.F)).toMatchObject({ orders: 1, revenue: 90 });
    expect(got.columns.find((c) => c.key === 'customer')).toMatchObject({ label: 'Customer', role: 'group' });
    expect(got.columns.find((c) => c.key === 'customer')?.['x-i18n']?.['zh-CN']?.label).toBe('客户');
  });

  it('own rep: only their orders of the customers they may read; others count for no one', async () => {
    const def = {
      label: 'My customers by margin',
      object: 'order',
      filter: { status: { in: ['confirmed', 'shipped', 'delivered'] } },
      analysis: { kind: 'customers', customer: 'account', date: 'ordered_on', amount: 'amount', cost: 'cost' },
      groupBy: [{ field: 'customer' }],
      aggregates: [
        { fn: 'sum', field: 'margin', as: 'margin' },
        { fn: 'sum', field: 'orders', as: 'orders' },
        { fn: 'max', field: 'last_on', as: 'last_on' },
      ],
      sort: ['-margin'],
      chart: 'table',
    };
    expect((await putReport('my_margin', def)).status).toBe(200);
    const got = await run(rep.api, 'my_margin');
    const want = (await customers(true)).sort((a, b) => b.margin - a.margin);
    expect(got.rows.map((r) => [r.customer, n(r.margin), n(r.orders), r.last_on])).toEqual(
      want.map((c) => [c.customer, c.margin, c.orders, c.last_on]),
    );
    // D is not theirs (their order of D counts for no one), nor is E; B's order by someone else is not theirs.
    expect(got.rows.map((r) => r.customer).sort()).toEqual([acc.A, acc.B, acc.C, acc.F].sort());
    expect(got.rows.find((r) => r.customer === acc.B)).toMatchObject({ orders: 2 });
    expect(JSON.stringify(got.rows)).not.toContain('Customer D');
  });

  it('sales rep: order costs are hidden from them, so a margin analysis is refused by name', async () => {
    const res = await salesRep.api.post('/api/reports/top_customers_by_margin/run', { asOf });
    expect(res.status, res.text).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('Unknown field: cost');
    // Also when the report reads nothing the cost feeds (a cohort of customer counts): an analysis
    // over a field they may not read is refused whatever it shows.
    const put = await putReport('cohort_with_cost', {
      label: 'Cohorts (cost named)',
      object: 'order',
      analysis: { kind: 'cohort', customer: 'account', date: 'ordered_on', amount: 'amount', cost: 'cost' },
      groupBy: [{ field: 'cohort' }],
      aggregates: [{ fn: 'count', as: 'customers' }],
      chart: 'table',
    });
    expect(put.status, put.text).toBe(200);
    const cohort = await salesRep.api.post('/api/reports/cohort_with_cost/run', { asOf });
    expect(cohort.status, cohort.text).toBe(400);
    expect(JSON.stringify(cohort.body.error)).toContain('Unknown field: cost');
    // Not on their dashboard list either (the customer value dashboard is for managers).
    const boards = await salesRep.api.get('/api/dashboards');
    expect(boards.body.items.map((d: { name: string }) => d.name)).not.toContain('customer_value');
    expect((await salesRep.api.get('/api/dashboards/customer_value')).status).toBe(404);
  });
});

describe('RFM', () => {
  it('admin: segment sizes and revenue of the last 24 months, scores as worked out here', async () => {
    const got = await run(tenant.api, 'rfm_segments');
    const cs = withRfm(await customers(false, { months: 24 }));
    const bySeg = new Map<string, { customers: number; revenue: number; days: number }>();
    for (const c of cs) {
      const e = bySeg.get(c.segment) ?? { customers: 0, revenue: 0, days: 0 };
      e.customers++;
      e.revenue += c.revenue;
      e.days += c.days_since_last;
      bySeg.set(c.segment, e);
    }
    const rows = got.rows.map((r) => [r.segment, r.customers, n(r.revenue), r6(r.days)]);
    const want = [...bySeg].map(([s, e]) => [s, e.customers, e.revenue, r6(e.days / e.customers)]);
    expect(rows.sort()).toEqual(want.sort());
    const col = got.columns.find((c) => c.key === 'segment');
    expect(col?.options?.find((o) => o.value === 'champions')).toMatchObject({ label: 'Champions' });
    expect(col?.options?.find((o) => o.value === 'at_risk')?.['x-i18n']?.['zh-CN']?.label).toBe('流失风险客户');
  });

  it('per customer, scores with configurable quantiles and window, as admin and own rep', async () => {
    const def = (months?: number) => ({
      label: 'RFM per customer',
      object: 'order',
      filter: { status: { in: ['confirmed', 'shipped', 'delivered'] } },
      analysis: {
        kind: 'customers',
        customer: 'account',
        date: 'ordered_on',
        amount: 'amount',
        quantiles: 3,
        ...(months ? { months } : {}),
      },
      groupBy: [{ field: 'customer' }, { field: 'rfm' }, { field: 'rfm_segment' }],
      aggregates: [
        { fn: 'max', field: 'recency', as: 'r' },
        { fn: 'max', field: 'frequency', as: 'f' },
        { fn: 'max', field: 'monetary', as: 'm' },
      ],
      chart: 'table',
    });
    for (const months of [undefined, 6]) {
      expect((await putReport('rfm_each', def(months))).status).toBe(200);
      for (const [api, scoped] of [
        [tenant.api, false],
        [rep.api, true],
      ] as const) {
        const got = await run(api, 'rfm_each');
        const want = withRfm(await customers(scoped, months ? { months } : {}), 3);
        const shape = (x: unknown[]) => x.sort((a, b) => String(a).localeCompare(String(b)));
        expect(shape(got.rows.map((r) => [r.customer, r.rfm, r.rfm_segment, r.r, r.f, r.m].join()))).toEqual(
          shape(want.map((c) => [c.customer, c.rfm, c.segment, c.recency, c.frequency, c.monetary].join())),
        );
      }
    }
  });
});

describe('retention cohorts', () => {
  async function expected(scoped: boolean) {
    const bindings: unknown[] = scoped ? [rep.id, rep.id, asOf] : [asOf];
    const rows = await sql(
      `with p as (
         select o.account as customer, date_trunc('month', o.ordered_on)::date as m from $S."order" o
         join $S.account a on a.id = o.account and a.deleted_at is null ${scoped ? 'and a.owner = ?' : ''}
         where o.deleted_at is null ${scoped ? 'and o.owner = ?' : ''}
           and o.status in ('confirmed', 'shipped', 'delivered') and o.ordered_on <= ?::date),
       f as (select customer, min(m) as first_m from p group by customer)
       select to_char(f.first_m, 'YYYY-MM') as cohort,
              (select count(*) from f f2 where f2.first_m = f.first_m) as size,
              ((extract(year from p.m) - extract(year from f.first_m)) * 12 + extract(month from p.m) - extract(month from f.first_m))::int as k,
              count(distinct p.customer) as buyers
       from p join f using (customer) group by f.first_m, 3`,
      bindings,
    );
    const out = new Map<string, Record<string, number | null>>();
    for (const r of rows) {
      const e = out.get(String(r.cohort)) ?? { customers: Number(r.size) };
      e[`m${r.k}`] = Math.round((Number(r.buyers) / Number(r.size)) * 1000) / 10;
      out.set(String(r.cohort), e);
    }
    return [...out].map(([cohort, e]) => {
      const [y, m] = cohort.split('-').map(Number) as [number, number];
      const cells = Array.from({ length: 6 }, (_, i) => {
        const idx = y * 12 + m - 1 + i + 1;
        const month = `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
        return month > asOf.slice(0, 7) ? null : (e[`m${i + 1}`] ?? 0);
      });
      return [cohort, e.customers, ...cells];
    });
  }
  const shape = (r: Record<string, unknown>) => [r.cohort, r.customers, r.m1, r.m2, r.m3, r.m4, r.m5, r.m6];

  it('admin: cohorts by first-order month and the share buying again N months later', async () => {
    const got = await run(tenant.api, 'retention_cohorts');
    expect(got.rows.map(shape)).toEqual(
      (await expected(false)).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // Hand-checked: January 2026 is A, B and D; two of them (B, D) bought in February: 66.7 %.
    expect(got.rows.find((r) => r.cohort === '2026-01')).toMatchObject({ customers: 3, m1: 66.7 });
    // A month after the run's is not known yet.
    expect(got.rows.find((r) => r.cohort === '2026-09')?.m4).toBeNull();
    expect(got.columns.find((c) => c.key === 'm3')).toMatchObject({ label: 'Month 3 (%)', kind: 'percent' });
    expect(got.columns.find((c) => c.key === 'm3')?.['x-i18n']?.['zh-CN']?.label).toBe('第 3 个月（%）');
  });

  it('own rep: their cohorts only', async () => {
    const got = await run(rep.api, 'retention_cohorts');
    expect(got.rows.map(shape)).toEqual(
      (await expected(true)).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });
});

describe('churn risk and lifetime value', () => {
  it('repeat customers past their usual interval, most valuable first', async () => {
    const got = await run(tenant.api, 'churn_risk');
    const want = (await customers(false))
      .filter((c) => c.avg_interval !== null && c.days_since_last > c.avg_interval)
      .sort((a, b) => b.margin - a.margin);
    expect(got.rows.map((r) => [r.customer, r.days, n(r.usual), n(r.ltv)])).toEqual(
      want.map((c) => [c.customer, c.days_since_last, c.avg_interval, c.margin]),
    );
    // B (last order in April, usually every 43 days) and D are at risk; A ordered recently.
    expect(got.rows.map((r) => r.customer)).toContain(acc.B);
    expect(got.rows.map((r) => r.customer)).not.toContain(acc.A);
  });

  it('lifetime value and cohort grouping with a where on the per-customer columns', async () => {
    const def = {
      label: 'LTV of repeat customers by cohort',
      object: 'order',
      filter: { status: { in: ['confirmed', 'shipped', 'delivered'] } },
      analysis: {
        kind: 'customers',
        customer: 'account',
        date: 'ordered_on',
        amount: 'amount',
        cost: 'cost',
        where: { orders: { gte: 2 }, rfm_segment: { ne: 'nobody' } },
      },
      groupBy: [{ field: 'first_on', bucket: 'quarter', as: 'quarter' }],
      aggregates: [
        { fn: 'count', as: 'customers' },
        { fn: 'avg', field: 'ltv', as: 'ltv' },
        { fn: 'sum', field: 'cost', as: 'cost' },
      ],
      chart: 'bar',
    };
    expect((await putReport('ltv_quarter', def)).status).toBe(200);
    const got = await run(tenant.api, 'ltv_quarter');
    const groups = new Map<string, Customer[]>();
    for (const c of (await customers(false)).filter((c) => c.orders >= 2)) {
      const q = `${c.first_on.slice(0, 4)}-Q${Math.floor((Number(c.first_on.slice(5, 7)) - 1) / 3) + 1}`;
      groups.set(q, [...(groups.get(q) ?? []), c]);
    }
    expect(got.rows.map((r) => [r.quarter, r.customers, r6(r.ltv), n(r.cost)])).toEqual(
      [...groups]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([q, cs]) => [
          q,
          cs.length,
          r6(cs.reduce((s, c) => s + c.margin, 0) / cs.length),
          cs.reduce((s, c) => s + c.cost, 0),
        ]),
    );
  });
});

describe('a date-time purchase date', () => {
  it('first and last purchase are UTC days; one row per customer as the SQL reads them', async () => {
    const obj = await tenant.api.put('/api/meta/objects/visit', {
      title: 'Visit',
      type: 'object',
      properties: {
        account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
        at: { type: 'string', format: 'date-time' },
        spent: { type: 'number' },
      },
    });
    expect(obj.status, obj.text).toBe(200);
    for (const [c, at, spent] of [
      ['A', '2026-03-01T23:30:00Z', 10],
      ['A', '2026-03-02T00:30:00+02:00', 20], // 2026-03-01 in UTC
      ['A', '2026-05-10T12:00:00Z', 5],
      ['B', '2026-12-07T23:59:00Z', 7], // the run's day, late
      ['B', '2026-12-08T00:00:00Z', 1000], // after the run's day
    ] as const)
      await create('visit', { account: acc[c], at, spent });
    const def = {
      label: 'Visits per customer',
      object: 'visit',
      analysis: { kind: 'customers', customer: 'account', date: 'at', amount: 'spent' },
      groupBy: [{ field: 'customer' }, { field: 'first_on' }, { field: 'last_on' }],
      aggregates: [
        { fn: 'sum', field: 'orders', as: 'orders' },
        { fn: 'sum', field: 'revenue', as: 'revenue' },
        { fn: 'max', field: 'recency', as: 'r' },
      ],
      chart: 'table',
    };
    expect((await putReport('visits_each', def)).status).toBe(200);
    const got = await run(tenant.api, 'visits_each');
    const want = await sql(
      `select account as customer, min((at at time zone 'UTC')::date)::text as first_on,
              max((at at time zone 'UTC')::date)::text as last_on, count(*) as orders, sum(spent) as revenue
       from $S.visit where deleted_at is null and (at at time zone 'UTC')::date <= ?::date group by account`,
      [asOf],
    );
    const cs = withRfm(
      want.map((w) => ({ ...w, orders: Number(w.orders), revenue: Number(w.revenue) }) as unknown as Customer),
    );
    expect(got.rows.map((r) => [r.customer, r.first_on, r.last_on, n(r.orders), n(r.revenue), r.r]).sort()).toEqual(
      cs.map((c) => [c.customer, c.first_on, c.last_on, c.orders, c.revenue, c.recency]).sort(),
    );
    expect(got.rows.find((r) => r.customer === acc.A)).toMatchObject({ first_on: '2026-03-01', orders: 3 });
    expect(got.rows.find((r) => r.customer === acc.B)).toMatchObject({ last_on: '2026-12-07', revenue: 7 });
  });
});

describe('the Customer value dashboard', () => {
  it('is opened by name by managers and admins, not anyone’s home; every widget runs (nine, with the RFM segment movement)', async () => {
    const home = await tenant.api.get('/api/dashboards/home');
    expect(home.body.dashboard.name).not.toBe('customer_value');
    const list = await tenant.api.get('/api/dashboards');
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ name: 'customer_value', label: 'Customer value' }),
    );
    const board = await tenant.api.get('/api/dashboards/customer_value');
    expect(board.status, board.text).toBe(200);
    expect(board.body.widgets.length).toBe(9);
    for (const w of board.body.widgets) await run(tenant.api, w.report);
    expect((await tenant.api.get('/api/dashboards/nope')).status).toBe(404);
    expect((await tenant.api.get('/api/dashboards/Bad%20Name')).status).toBe(400);
  });
});

describe('refusals', () => {
  const base = {
    label: 'Bad analysis',
    object: 'order',
    analysis: { kind: 'customers', customer: 'account', date: 'ordered_on', amount: 'amount' },
    groupBy: [{ field: 'customer' }],
    aggregates: [{ fn: 'count', as: 'n' }],
    chart: 'table',
  };
  const bad = (patch: Record<string, unknown>) => ({ ...base, ...patch });
  const analysis = (patch: Record<string, unknown>) => bad({ analysis: { ...base.analysis, ...patch } });
  it.each([
    ['unknown customer field', analysis({ customer: 'nope' }), 'Unknown field: nope'],
    ['customer not a lookup', analysis({ customer: 'amount' }), 'The customer is a lookup'],
    ['customer a user lookup', analysis({ customer: 'owner' }), 'The customer is a lookup'],
    ['date not a date', analysis({ date: 'amount' }), 'The purchase date is a date'],
    ['amount not a number', analysis({ amount: 'status' }), 'The amount is a number field'],
    ['cost same as amount', analysis({ cost: 'amount' }), 'The cost is another field'],
    ['unknown group column', bad({ groupBy: [{ field: 'stage' }] }), 'Unknown column: stage'],
    ['bucket on a number', bad({ groupBy: [{ field: 'orders', bucket: 'month' }] }), 'orders has no month'],
    ['sum of a text', bad({ aggregates: [{ fn: 'sum', field: 'rfm', as: 's' }] }), 'sum needs a numeric column'],
    ['count with a field', bad({ aggregates: [{ fn: 'count', field: 'orders', as: 's' }] }), 'count counts'],
    ['where on unknown column', analysis({ where: { nope: { eq: 1 } } }), 'Unknown column: nope'],
    ['where with a wrong type', analysis({ where: { orders: { gt: 'many' } } }), 'orders: a number'],
    ['where with a bad date', analysis({ where: { last_on: { gt: '2026-13-40' } } }), 'a date, YYYY-MM-DD'],
    [
      'cohort not grouped by cohort',
      bad({ analysis: { ...base.analysis, kind: 'cohort' } }),
      'A cohort analysis is grouped by cohort',
    ],
    [
      'compare with an analysis',
      bad({ compare: { field: 'ordered_on', period: 'month' } }),
      'An analysis report has no period comparison',
    ],
  ])('%s', async (_name, def, message) => {
    const res = await putReport('bad_analysis', def);
    expect(res.status, res.text).toBe(400);
    expect(JSON.stringify(res.body)).toContain(message);
  });

  it.each([
    ['injection in a group column', bad({ groupBy: [{ field: 'customer; drop table x' }] })],
    ['injection in a path', analysis({ customer: 'account"; drop table x; --' })],
    ['injection in a where name', analysis({ where: { 'orders) or (1=1': { eq: 1 } } })],
    ['quantiles out of range', analysis({ quantiles: 100 })],
    ['periods out of range', analysis({ periods: 0 })],
    ['unknown kind', analysis({ kind: 'magic' })],
    ['unknown operator', analysis({ where: { orders: { like: '%' } } })],
  ])('%s: refused by the schema, nothing saved', async (_name, def) => {
    const res = await putReport('bad_analysis', def);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('no refused report was saved; the orders table is intact', async () => {
    expect((await tenant.api.get('/api/meta')).body.reports?.bad_analysis).toBeUndefined();
    expect(Number((await sql('select count(*) as n from $S."order"'))[0]?.n)).toBeGreaterThan(0);
  });

  it('a field the viewer may not read in the purchase fields is refused at run, like any report', async () => {
    const role = await tenant.api.put('/api/meta/roles/no_amount', {
      label: 'No amount',
      objects: {
        account: { create: false, read: 'all', update: false, delete: false },
        order: { create: false, read: 'all', update: false, delete: false, fields: { amount: 'none' } },
      },
    });
    expect(role.status, role.text).toBe(200);
    const viewer = await tenant.addUser({ roles: ['no_amount'], name: 'Nia' });
    const res = await viewer.api.post('/api/reports/retention_cohorts/run', { asOf });
    expect(res.status, res.text).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('Unknown field: amount');
    // And a viewer who may not read the customer object at all is not offered the report.
    const role2 = await tenant.api.put('/api/meta/roles/orders_only', {
      label: 'Orders only',
      objects: { order: { create: false, read: 'all', update: false, delete: false } },
    });
    expect(role2.status).toBe(200);
    const ordersOnly = await tenant.addUser({ roles: ['orders_only'], name: 'Oscar' });
    const listed = (await ordersOnly.api.get('/api/reports')).body.items.map((r: { name: string }) => r.name);
    expect(listed).not.toContain('rfm_segments');
    expect((await ordersOnly.api.post('/api/reports/rfm_segments/run', { asOf })).status).toBe(404);
  });

  it('a bad run day is refused', async () => {
    const res = await tenant.api.post('/api/reports/rfm_segments/run', { asOf: '2026-02-30x' });
    expect(res.status).toBe(400);
  });
});
