import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Reports across objects (group keys, measures and filters through lookups) and period comparison,
 * through the real server. Every run is compared with SQL written here over the same rows — for
 * the admin and for a rep whose scope is their own records on every object, so the joined side
 * holds rows the rep may not read (their group is "hidden", their child rows still count).
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
const ids: Record<string, string> = {};

const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${tenant.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const sorted = <T>(rows: T[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

type Run = {
  rows: Record<string, unknown>[];
  columns: { key: string; label: string; role: string; 'x-i18n'?: Record<string, { label?: string }> }[];
  compare?: Record<string, unknown>;
};
const run = async (api: TestTenant['api'], name: string, body: Record<string, unknown> = {}) => {
  const res = await api.post(`/api/reports/${name}/run`, body);
  expect(res.status, res.text).toBe(200);
  return res.body as Run;
};
const putReport = (name: string, def: Record<string, unknown>) => tenant.api.put(`/api/meta/reports/${name}`, def);

const region = { type: 'object', 'x-label-field': 'name', properties: { name: { type: 'string', maxLength: 100 } } };
const account = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 100 },
    city: { type: 'string', title: 'City', maxLength: 100, 'x-i18n': { 'zh-CN': { title: '城市' } } },
    tier: { type: 'string', title: 'Tier', enum: ['gold', 'silver'] },
    revenue: { type: 'number', title: 'Revenue' },
    margin: { type: 'number', title: 'Margin' },
    region: { type: 'string', format: 'uuid', 'x-ref': 'region', title: 'Region' },
  },
};
const sale = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number', title: 'Amount' },
    closed_on: { type: 'string', format: 'date', title: 'Closed on' },
    account: {
      type: 'string',
      format: 'uuid',
      'x-ref': 'account',
      title: 'Account',
      'x-i18n': { 'zh-CN': { title: '客户' } },
    },
  },
};
const saleLine = {
  type: 'object',
  properties: {
    sale: { type: 'string', format: 'uuid', 'x-ref': 'sale', title: 'Sale' },
    qty: { type: 'integer' },
    amount: { type: 'number' },
  },
};

async function create(object: string, key: string, body: Record<string, unknown>, owner?: string) {
  const r = await tenant.api.post(`/api/records/${object}`, body);
  expect(r.status, r.text).toBe(201);
  ids[key] = r.body.id;
  if (owner) {
    const p = await tenant.api.patch(`/api/records/${object}/${r.body.id}`, { owner, version: r.body.version });
    expect(p.status, p.text).toBe(200);
  }
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'xobj' });
  for (const [name, schema] of [
    ['region', region],
    ['account', account],
    ['sale', sale],
    ['sale_line', saleLine],
  ] as const) {
    const put = await tenant.api.put(`/api/meta/objects/${name}`, schema);
    expect(put.status, put.text).toBe(200);
  }
  const own = { create: true, read: 'own', update: 'own', delete: false };
  const role = await tenant.api.put('/api/meta/roles/rep', {
    label: 'Rep',
    objects: {
      region: { create: false, read: 'all', update: false, delete: false },
      account: { ...own, fields: { margin: 'none' } },
      sale: own,
      sale_line: own,
    },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'], name: 'Rita Rep' });
  const r = rep.id;
  await create('region', 'north', { name: 'North' });
  await create('region', 'south', { name: 'South' });
  await create(
    'account',
    'a1',
    { name: 'A1', city: 'Paris', tier: 'gold', revenue: 100, margin: 10, region: ids.north },
    r,
  );
  await create('account', 'a2', { name: 'A2', city: 'Paris', tier: 'silver', revenue: 50, region: ids.south }, r);
  // Not the rep's: every rep row pointing here has a parent the rep may not read.
  await create('account', 'a3', { name: 'A3', city: 'Berlin', tier: 'gold', revenue: 70, region: ids.north });
  await create('account', 'a4', { name: 'A4', tier: 'gold' }, r);
  const sales: [string, string | null, number, string, string | undefined][] = [
    ['o1', 'a1', 100, '2026-11-10', r],
    ['o2', 'a1', 200, '2026-12-03', r],
    ['o3', 'a3', 300, '2026-12-05', r],
    ['o4', 'a1', 400, '2026-12-01', undefined],
    ['o5', 'a2', 50, '2025-12-15', r],
    ['o6', 'a4', 25, '2026-12-02', r],
    ['o7', null, 10, '2026-10-01', r],
    ['o8', 'a3', 80, '2026-11-20', undefined],
    ['o9', 'a2', 60, '2026-11-02', r],
  ];
  for (const [key, acc, amount, closed_on, owner] of sales)
    await create('sale', key, { name: key, amount, closed_on, ...(acc ? { account: ids[acc] } : {}) }, owner);
  const lines: [string, string, number, number, string | undefined][] = [
    ['l1', 'o1', 2, 20, r],
    ['l2', 'o2', 1, 30, r],
    ['l3', 'o3', 5, 50, r],
    ['l4', 'o4', 3, 60, r],
    ['l5', 'o2', 4, 70, undefined],
    ['l6', 'o6', 1, 5, r],
  ];
  for (const [key, o, qty, amount, owner] of lines)
    await create('sale_line', key, { sale: ids[o], qty, amount }, owner);

  const reports: Record<string, Record<string, unknown>> = {
    sales_by_city: {
      label: 'Sales by account city',
      object: 'sale',
      groupBy: [{ field: 'account.city', as: 'city' }],
      aggregates: [
        { fn: 'count', as: 'n' },
        { fn: 'sum', field: 'amount', as: 'amount' },
        { fn: 'avg', field: 'account.revenue', as: 'revenue' },
      ],
      chart: 'table',
    },
    lines_by_region: {
      label: 'Lines by region and tier',
      object: 'sale_line',
      groupBy: [
        { field: 'sale.account.region.name', as: 'region' },
        { field: 'sale.account.tier', as: 'tier' },
      ],
      aggregates: [
        { fn: 'count', as: 'n' },
        { fn: 'sum', field: 'amount', as: 'amount' },
        { fn: 'sum', field: 'qty', as: 'qty' },
      ],
      chart: 'table',
    },
    north_lines: {
      label: 'Lines in the North',
      object: 'sale_line',
      filter: { 'sale.account.region.name': { eq: 'North' } },
      aggregates: [
        { fn: 'count', as: 'n' },
        { fn: 'sum', field: 'amount', as: 'amount' },
      ],
      chart: 'table',
    },
    sales_by_account_owner: {
      label: 'Sales by account owner',
      object: 'sale',
      groupBy: [{ field: 'account.owner.name', as: 'owner_name' }],
      aggregates: [{ fn: 'sum', field: 'amount', as: 'amount' }],
      chart: 'table',
    },
    sales_by_account: {
      label: 'Sales by account (named)',
      object: 'sale_line',
      groupBy: [{ field: 'sale.account', as: 'account' }],
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'table',
    },
    margin_by_city: {
      label: 'Margin',
      object: 'sale',
      groupBy: [{ field: 'account.city', as: 'city' }],
      aggregates: [{ fn: 'sum', field: 'account.margin', as: 'margin' }],
      chart: 'table',
    },
    sales_month_compare: {
      label: 'Sales this month by tier',
      object: 'sale',
      groupBy: [{ field: 'account.tier', as: 'tier' }],
      aggregates: [
        { fn: 'count', as: 'n', label: 'Sales', 'x-i18n': { 'zh-CN': { label: '销售数' } } },
        { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount' },
      ],
      compare: { field: 'closed_on', period: 'month', with: ['previous', 'last_year'] },
      derive: [{ as: 'gain', expr: 'amount - amount_previous' }],
      sort: ['-amount_previous_change'],
      chart: 'table',
    },
  };
  for (const [name, def] of Object.entries(reports)) {
    const put = await putReport(name, def);
    expect(put.status, `${name}: ${put.text}`).toBe(200);
  }
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

/** The rep's read scope on a table aliased `t` (own records; nothing is shared in this tenant). */
const mine = (t: string) => `${t}.owner = ?`;

describe('group by a parent field (one lookup)', () => {
  it('admin: every sale counts under its account city; the account measure averages per sale', async () => {
    const got = await run(tenant.api, 'sales_by_city');
    const want = await sql(
      `select a.city, count(*) as n, sum(s.amount) as amount, avg(a.revenue) as revenue
       from $S.sale s left join $S.account a on a.id = s.account and a.deleted_at is null
       where s.deleted_at is null group by a.city`,
    );
    expect(sorted(got.rows.map((r) => [r.city, r.n, n(r.amount), n(r.revenue), r.city_hidden ?? false]))).toEqual(
      sorted(want.map((w) => [w.city, Number(w.n), n(w.amount), n(w.revenue), false])),
    );
    expect(got.columns[0]).toMatchObject({
      key: 'city',
      label: 'Account › City',
      role: 'group',
      field: 'account.city',
    });
    expect(got.columns[0]?.['x-i18n']?.['zh-CN']?.label).toBe('客户 › 城市');
  });

  it('rep: only their sales count; a sale whose account they may not read is a "hidden" group', async () => {
    const got = await run(rep.api, 'sales_by_city');
    const want = await sql(
      `select a.city, count(*) as n, sum(s.amount) as amount, avg(a.revenue) as revenue,
              (s.account is not null and a.id is null) as hidden
       from $S.sale s left join $S.account a on a.id = s.account and a.deleted_at is null and ${mine('a')}
       where s.deleted_at is null and ${mine('s')} group by 1, 5`,
      [rep.id, rep.id],
    );
    expect(sorted(got.rows.map((r) => [r.city, r.n, n(r.amount), n(r.revenue), r.city_hidden ?? false]))).toEqual(
      sorted(want.map((w) => [w.city, Number(w.n), n(w.amount), n(w.revenue), w.hidden])),
    );
    // Hand-checked too: o3 (Berlin, not the rep's account) is hidden, not counted as Berlin;
    // o6 (account without city) and o7 (no account) share the empty group; o4 is not the rep's.
    const hidden = got.rows.find((r) => r.city_hidden === true);
    expect(hidden).toMatchObject({ city: null, n: 1 });
    expect(n(hidden?.amount)).toBe(300);
    expect(got.rows.find((r) => r.city === null && !r.city_hidden)).toMatchObject({ n: 2 });
    expect(got.rows.some((r) => r.city === 'Berlin')).toBe(false);
    expect(n(got.rows.find((r) => r.city === 'Paris')?.amount)).toBe(100 + 200 + 50 + 60);
  });

  it('a lookup group is named through the path; a hidden parent stays unnamed', async () => {
    const admin = await run(tenant.api, 'sales_by_account');
    expect(admin.rows.find((r) => r.account === ids.a1)).toMatchObject({ account_label: 'A1', n: 4 });
    const mineRun = await run(rep.api, 'sales_by_account');
    expect(mineRun.rows.find((r) => r.account === ids.a1)).toMatchObject({ account_label: 'A1', n: 2 });
    // l4's sale (o4) is not the rep's: hidden. l3's sale is, so its account id is a value the rep
    // reads on that sale — but A3 itself is not theirs: it stays unnamed.
    expect(mineRun.rows.find((r) => r.account_hidden === true)).toMatchObject({ account: null, n: 1 });
    expect(mineRun.rows.find((r) => r.account === ids.a3)).toMatchObject({ account_label: null, n: 1 });
    expect(JSON.stringify(mineRun.rows)).not.toContain('"A3"');
  });

  it('through a user lookup: the parent owner name', async () => {
    const got = await run(tenant.api, 'sales_by_account_owner');
    const want = await sql(
      `select u.name, sum(s.amount) as amount from $S.sale s
       left join $S.account a on a.id = s.account and a.deleted_at is null
       left join $S._users u on u.id = a.owner
       where s.deleted_at is null group by u.name`,
    );
    expect(sorted(got.rows.map((r) => [r.owner_name, n(r.amount)]))).toEqual(
      sorted(want.map((w) => [w.name, n(w.amount)])),
    );
    expect(got.rows.some((r) => r.owner_name === 'Rita Rep')).toBe(true);
  });
});

describe('three lookups: line → sale → account → region', () => {
  const hiddenSql = `((l.sale is not null and s.id is null) or (s.account is not null and a.id is null))`;
  it('admin, two group keys sharing their joins', async () => {
    const got = await run(tenant.api, 'lines_by_region');
    const want = await sql(
      `select r.name as region, a.tier, count(*) as n, sum(l.amount) as amount, sum(l.qty) as qty
       from $S.sale_line l
       left join $S.sale s on s.id = l.sale and s.deleted_at is null
       left join $S.account a on a.id = s.account and a.deleted_at is null
       left join $S.region r on r.id = a.region and r.deleted_at is null
       where l.deleted_at is null group by 1, 2`,
    );
    expect(sorted(got.rows.map((r) => [r.region, r.tier, r.n, n(r.amount), n(r.qty)]))).toEqual(
      sorted(want.map((w) => [w.region, w.tier, Number(w.n), n(w.amount), n(w.qty)])),
    );
  });

  it('rep: each joined object within the rep scope; lines of unreadable sales or accounts are hidden', async () => {
    const got = await run(rep.api, 'lines_by_region');
    const want = await sql(
      `select r.name as region, a.tier, count(*) as n, sum(l.amount) as amount, sum(l.qty) as qty,
              ${hiddenSql} or (a.region is not null and r.id is null) as region_hidden, ${hiddenSql} as tier_hidden
       from $S.sale_line l
       left join $S.sale s on s.id = l.sale and s.deleted_at is null and ${mine('s')}
       left join $S.account a on a.id = s.account and a.deleted_at is null and ${mine('a')}
       left join $S.region r on r.id = a.region and r.deleted_at is null
       where l.deleted_at is null and ${mine('l')} group by 1, 2, 6, 7`,
      [rep.id, rep.id, rep.id],
    );
    const shape = (r: Record<string, unknown>) => [
      r.region,
      r.tier,
      r.n,
      n(r.amount),
      n(r.qty),
      r.region_hidden ?? false,
      r.tier_hidden ?? false,
    ];
    expect(sorted(got.rows.map(shape))).toEqual(
      sorted(want.map((w) => [w.region, w.tier, Number(w.n), n(w.amount), n(w.qty), w.region_hidden, w.tier_hidden])),
    );
    // l1 + l2 (A1, North, gold) visible; l3 (A3) and l4 (sale o4) hidden; l5 is not the rep's.
    expect(got.rows.find((r) => r.region === 'North')).toMatchObject({ tier: 'gold', n: 2 });
    expect(got.rows.find((r) => r.region_hidden)).toMatchObject({ region: null, tier: null, n: 2 });
  });

  it('a filter through three lookups, in the reader scope on every hop', async () => {
    const admin = await run(tenant.api, 'north_lines');
    const want = await sql(
      `select count(*) as n, sum(l.amount) as amount from $S.sale_line l
       join $S.sale s on s.id = l.sale and s.deleted_at is null
       join $S.account a on a.id = s.account and a.deleted_at is null
       join $S.region r on r.id = a.region and r.deleted_at is null
       where l.deleted_at is null and r.name = 'North'`,
    );
    expect([admin.rows[0]?.n, n(admin.rows[0]?.amount)]).toEqual([Number(want[0]?.n), n(want[0]?.amount)]);
    const mineRun = await run(rep.api, 'north_lines');
    const wantMine = await sql(
      `select count(*) as n, sum(l.amount) as amount from $S.sale_line l
       join $S.sale s on s.id = l.sale and s.deleted_at is null and ${mine('s')}
       join $S.account a on a.id = s.account and a.deleted_at is null and ${mine('a')}
       join $S.region r on r.id = a.region and r.deleted_at is null
       where l.deleted_at is null and ${mine('l')} and r.name = 'North'`,
      [rep.id, rep.id, rep.id],
    );
    expect([mineRun.rows[0]?.n, n(mineRun.rows[0]?.amount)]).toEqual([Number(wantMine[0]?.n), n(wantMine[0]?.amount)]);
    expect(mineRun.rows[0]?.n).toBe(2); // l1, l2: l3's account and l4's sale are not the rep's
  });

  it('the aggregate endpoint takes the same paths', async () => {
    const r = await rep.api.get('/api/records/sale_line/aggregate', {
      query: { groupBy: 'sale.account.region.name', sum: 'amount' },
    });
    expect(r.status, r.text).toBe(200);
    const north = r.body.groups.find((g: Record<string, unknown>) => g['sale.account.region.name'] === 'North');
    expect(n(north?.['sum_amount'])).toBe(50);
    const hidden = r.body.groups.find((g: Record<string, unknown>) => g['sale.account.region.name:hidden']);
    expect(n(hidden?.sum_amount)).toBe(50 + 60); // l3 (account A3) and l4 (sale o4)
  });
});

describe('field security on the joined object', () => {
  it('a field hidden from the rep on the parent is refused like one on the base object', async () => {
    expect((await run(tenant.api, 'margin_by_city')).rows.length).toBeGreaterThan(0);
    const res = await rep.api.post('/api/reports/margin_by_city/run', {});
    expect(res.status, res.text).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('Unknown field: account.margin');
    for (const query of [{ groupBy: 'account.margin' }, { sum: 'account.margin' }, { max: 'account.margin' }]) {
      const agg = await rep.api.get('/api/records/sale/aggregate', { query });
      expect(agg.status, agg.text).toBe(400);
      expect(JSON.stringify(agg.body.error)).toContain('account.margin');
    }
    // Filtering on it is refused too, on both channels.
    const filtered = await rep.api.get('/api/records/sale/aggregate', {
      query: { filter: JSON.stringify({ 'account.margin': { gt: 0 } }) },
    });
    expect(filtered.status).toBe(400);
    // The same field on the base object gives the same answer.
    const base = await rep.api.get('/api/records/account/aggregate', { query: { sum: 'margin' } });
    expect(base.status).toBe(400);
    expect(base.body.error.fields.sum).toBe('Unknown field: margin');
  });

  it('a report through an object the viewer may not read at all is not theirs; the aggregate refuses the path', async () => {
    const role = await tenant.api.put('/api/meta/roles/sales_only', {
      label: 'Sales only',
      objects: { sale: { create: false, read: 'all', update: false, delete: false } },
    });
    expect(role.status, role.text).toBe(200);
    const viewer = await tenant.addUser({ roles: ['sales_only'], name: 'Sam Sales' });
    // Not offered to them (it could only be refused), and as unknown as a report that does not exist.
    const listed = (await viewer.api.get('/api/reports')).body.items.map((r: { name: string }) => r.name);
    expect(listed).not.toContain('sales_by_city');
    const forAdmin = (await tenant.api.get('/api/reports')).body.items.map((r: { name: string }) => r.name);
    expect(forAdmin).toContain('sales_by_city');
    const res = await viewer.api.post('/api/reports/sales_by_city/run', {});
    expect(res.status, res.text).toBe(404);
    // The aggregate endpoint, which takes the path directly, refuses it by name.
    const direct = await viewer.api.get('/api/records/sale/aggregate', { query: { groupBy: 'account.city' } });
    expect(direct.status, direct.text).toBe(400);
    expect(JSON.stringify(direct.body.error)).toContain('Unknown field: account.city');
    // Their own fields still aggregate.
    const own = await viewer.api.get('/api/records/sale/aggregate', { query: { sum: 'amount' } });
    expect(own.status, own.text).toBe(200);
  });
});

describe('bad paths are refused with 400 naming the path', () => {
  const def = (field: string) => ({
    label: 'Bad',
    object: 'sale_line',
    groupBy: [{ field }],
    aggregates: [{ fn: 'count', as: 'n' }],
    chart: 'table',
  });
  it.each([
    ['sale.account.nope', 'Unknown field: sale.account.nope'],
    ['sale.nope.name', 'Unknown field: sale.nope.name'],
    ['qty.name', 'qty is not a lookup: qty.name'],
    ['sale.amount.name', 'amount is not a lookup: sale.amount.name'],
    ['sale.account.region.owner.name', 'Path too long (at most 3 lookups): sale.account.region.owner.name'],
  ])('saving a report grouped by %s', async (field, message) => {
    const res = await putReport('bad_path', def(field));
    expect(res.status, res.text).toBe(400);
    expect(JSON.stringify(res.body)).toContain(message);
    const agg = await tenant.api.get('/api/records/sale_line/aggregate', { query: { groupBy: field } });
    expect(agg.status, agg.text).toBe(400);
    expect(agg.body.error.fields.groupBy).toBe(message);
  });

  it.each([
    'sale.account."city"',
    'sale.account.city;drop table x',
    'sale..city',
    'Sale.account',
    "sale.account.city') --",
  ])('injection-shaped path %s: refused by the name pattern, nothing runs', async (field) => {
    const res = await putReport('bad_path', def(field));
    expect(res.status, res.text).toBe(400);
    const agg = await tenant.api.get('/api/records/sale_line/aggregate', { query: { groupBy: field, sum: field } });
    expect(agg.status, agg.text).toBe(400);
    expect(agg.body.error.code).toBe('VALIDATION_FAILED');
    // Filters refuse them too.
    const filtered = await tenant.api.get('/api/records/sale_line/aggregate', {
      query: { filter: JSON.stringify({ [field]: { eq: 'x' } }) },
    });
    expect(filtered.status).toBe(400);
  });

  it('no report was saved by the refusals', async () => {
    const meta = await tenant.api.get('/api/meta');
    expect(meta.body.reports?.bad_path).toBeUndefined();
  });
});

describe('period comparison', () => {
  const asOf = '2026-12-07';
  const periods = {
    current: ['2026-12-01', '2027-01-01'],
    previous: ['2026-11-01', '2026-12-01'],
    last_year: ['2025-12-01', '2026-01-01'],
  } as const;
  const change = (now: number, before: number) =>
    before === 0 ? null : Math.round(((now - before) / Math.abs(before)) * 1000) / 10;

  async function expected(scoped: boolean) {
    const out = new Map<string, Record<string, number>>();
    for (const [p, [from, to]] of Object.entries(periods)) {
      const rows = await sql(
        `select a.tier, count(*) as n, sum(s.amount) as amount from $S.sale s
         left join $S.account a on a.id = s.account and a.deleted_at is null ${scoped ? `and ${mine('a')}` : ''}
         where s.deleted_at is null ${scoped ? `and ${mine('s')}` : ''} and s.closed_on >= ? and s.closed_on < ?
         group by a.tier, (s.account is not null and a.id is null)`,
        scoped ? [rep.id, rep.id, from, to] : [from, to],
      );
      for (const r of rows) {
        const key = String(r.tier);
        const e = out.get(key) ?? {};
        e[p === 'current' ? 'n' : `n_${p}`] = Number(r.n);
        e[p === 'current' ? 'amount' : `amount_${p}`] = Number(r.amount);
        out.set(key, e);
      }
    }
    return [...out.entries()].map(([tier, e]) => {
      const v = (k: string) => e[k] ?? 0;
      return [
        tier === 'null' ? null : tier,
        v('n'),
        v('n_previous'),
        change(v('n'), v('n_previous')),
        v('n_last_year'),
        change(v('n'), v('n_last_year')),
        v('amount'),
        v('amount_previous'),
        change(v('amount'), v('amount_previous')),
        v('amount_last_year'),
        change(v('amount'), v('amount_last_year')),
        v('amount') - v('amount_previous'),
      ];
    });
  }
  const shape = (r: Record<string, unknown>) => [
    r.tier,
    r.n,
    r.n_previous,
    r.n_previous_change,
    r.n_last_year,
    r.n_last_year_change,
    n(r.amount),
    n(r.amount_previous),
    r.amount_previous_change,
    n(r.amount_last_year),
    r.amount_last_year_change,
    n(r.gain),
  ];

  it('admin: this month, the previous one and the same month last year, per group, as SQL computes them', async () => {
    const got = await run(tenant.api, 'sales_month_compare', { asOf });
    expect(sorted(got.rows.map(shape))).toEqual(sorted(await expected(false)));
    expect(got.compare).toEqual({
      period: 'month',
      current: { from: '2026-12-01', to: '2027-01-01', label: '2026-12' },
      previous: { from: '2026-11-01', to: '2026-12-01', label: '2026-11' },
      last_year: { from: '2025-12-01', to: '2026-01-01', label: '2025-12' },
    });
    // Sorted by the change against the previous month, descending, unknown changes last.
    const changes = got.rows.map((r) => r.amount_previous_change as number | null);
    const known = changes.filter((c) => c !== null) as number[];
    expect(known).toEqual([...known].sort((a, b) => b - a));
    expect(changes.slice(known.length).every((c) => c === null)).toBe(true);
  });

  it('rep: the same within their scope', async () => {
    const got = await run(rep.api, 'sales_month_compare', { asOf });
    expect(sorted(got.rows.map(shape))).toEqual(sorted(await expected(true)));
    // Gold: o2 + o6 this month (200 + 25) against o1 (100) in November: +125 %.
    expect(got.rows.find((r) => r.tier === 'gold')).toMatchObject({ n: 2, n_previous: 1, amount_previous_change: 125 });
  });

  it('labels its columns in English and Chinese', async () => {
    const got = await run(tenant.api, 'sales_month_compare', { asOf });
    const col = (key: string) => got.columns.find((c) => c.key === key);
    expect(col('amount_previous')).toMatchObject({ label: 'Amount (previous month)', role: 'measure' });
    expect(col('amount_last_year')?.label).toBe('Amount (same month last year)');
    expect(col('amount_previous_change')).toMatchObject({
      label: 'Amount: change vs previous month (%)',
      role: 'derived',
    });
    expect(col('n_previous')?.['x-i18n']?.['zh-CN']?.label).toBe('销售数（上月）');
    expect(col('n_last_year_change')?.['x-i18n']?.['zh-CN']?.label).toBe('销售数：较去年同月变化（%）');
  });

  it('refuses a comparison it cannot make', async () => {
    const base = {
      label: 'Bad compare',
      object: 'sale',
      groupBy: [{ field: 'account.tier' }],
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'table',
    };
    const notDate = await putReport('bad_compare', { ...base, compare: { field: 'amount', period: 'month' } });
    expect(notDate.status).toBe(400);
    expect(notDate.text).toContain('Compare by a date or date-time field');
    const grouped = await putReport('bad_compare', {
      ...base,
      groupBy: [{ field: 'closed_on', bucket: 'month' }],
      compare: { field: 'closed_on', period: 'month' },
    });
    expect(grouped.status).toBe(400);
    expect(grouped.text).toContain('Do not group by the compared field');
    const unknownPeriod = await putReport('bad_compare', { ...base, compare: { field: 'closed_on', period: 'week' } });
    expect(unknownPeriod.status).toBe(400);
    const year = await putReport('bad_compare', {
      ...base,
      compare: { field: 'closed_on', period: 'year', with: ['previous', 'last_year'] },
    });
    expect(year.status).toBe(400);
    const badAsOf = await tenant.api.post('/api/reports/sales_month_compare/run', { asOf: '2026-13-45' });
    expect(badAsOf.status).toBe(400);
  });
});
