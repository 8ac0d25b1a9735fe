import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * RFM scores stored on the account (docs/analytics.md, "Stored RFM scores and segment movement"):
 * an admin's refresh (the nightly job's work) writes every account's scores and segment set-based,
 * equal to hand-written SQL over the same orders; each refresh keeps a snapshot, and the "RFM
 * segment sizes and movement" report equals SQL over the snapshot table — for the admin, and for a
 * rep who reads only their own accounts. Then the refusals.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
const acc: Record<string, string> = {};
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const today = daysAgo(0);
const before = daysAgo(30);
const REFRESH = '/api/plugins/core-crm/rfm/refresh';

const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${tenant.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];

async function create(object: string, body: Record<string, unknown>, owner?: string): Promise<string> {
  const r = await tenant.api.post(`/api/records/${object}`, body);
  expect(r.status, r.text).toBe(201);
  if (owner) {
    const p = await tenant.api.patch(`/api/records/${object}/${r.body.id}`, { owner, version: r.body.version });
    expect(p.status, p.text).toBe(200);
  }
  return r.body.id;
}

/** The scores as a developer would write them: the last 24 months of purchases up to `asOf`, quintiles. */
async function expectedScores(asOf: string) {
  const rows = await sql(
    `with c as (
       select o.account as customer, max(o.ordered_on) as last_on, count(*) as orders, sum(coalesce(o.amount, 0)) as revenue
       from $S."order" o join $S.account a on a.id = o.account and a.deleted_at is null
       where o.deleted_at is null and o.status in ('confirmed', 'shipped', 'delivered')
         and o.ordered_on <= ?::date and o.ordered_on >= (?::date - interval '24 months')::date
       group by o.account),
     s as (
       select customer,
              least(5, floor(percent_rank() over (order by last_on) * 5)::int + 1) as r,
              least(5, floor(percent_rank() over (order by orders) * 5)::int + 1) as f,
              least(5, floor(percent_rank() over (order by revenue) * 5)::int + 1) as m
       from c)
     select customer, r, f, m, case
       when r = 5 and f >= 4 then 'champions' when r >= 3 and f >= 4 then 'loyal'
       when r >= 4 and f >= 2 then 'potential_loyalists' when r = 5 then 'new' when r = 4 then 'promising'
       when r = 3 and f = 3 then 'need_attention' when r = 3 then 'about_to_sleep'
       when f = 5 then 'cant_lose' when f >= 3 then 'at_risk' else 'hibernating' end as segment
     from s order by customer`,
    [asOf, asOf],
  );
  return rows.map((r) => ({
    customer: String(r.customer),
    r: Number(r.r),
    f: Number(r.f),
    m: Number(r.m),
    segment: String(r.segment),
  }));
}

const stored = async () =>
  (
    await sql(
      `select id as customer, rfm_recency as r, rfm_frequency as f, rfm_monetary as m, rfm_segment as segment,
              rfm_scored_on::text as scored_on
       from $S.account where rfm_segment is not null order by id`,
    )
  ).map((r) => ({
    customer: String(r.customer),
    r: Number(r.r),
    f: Number(r.f),
    m: Number(r.m),
    segment: String(r.segment),
    scored_on: String(r.scored_on),
  }));

/** Movement by hand: the latest snapshot up to each day, full join per customer, counted. */
async function expectedMovement(from: string, to: string, owner?: string) {
  const rows = await sql(
    `with a as (select customer, segment from $S._rfm_snapshots
                where taken_on = (select max(taken_on) from $S._rfm_snapshots where taken_on <= ?::date)),
          b as (select customer, segment from $S._rfm_snapshots
                where taken_on = (select max(taken_on) from $S._rfm_snapshots where taken_on <= ?::date))
     select b.segment as now, a.segment as before, count(*)::int as n
     from a full join b on a.customer = b.customer
     join $S.account c on c.id = coalesce(a.customer, b.customer) and c.deleted_at is null ${owner ? 'and c.owner = ?' : ''}
     group by 1, 2`,
    owner ? [from, to, owner] : [from, to],
  );
  return rows
    .map((r) => `${r.now ?? '-'}<${r.before ?? '-'}=${r.n}`)
    .sort()
    .join(' ');
}
const movementOf = (rows: Record<string, unknown>[]) =>
  rows
    .map((r) => `${r.now ?? '-'}<${r.before ?? '-'}=${r.customers}`)
    .sort()
    .join(' ');

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'rfms', template: 'core-crm' });
  const own = { create: true, read: 'own', update: 'own', delete: false };
  const role = await tenant.api.put('/api/meta/roles/own_rep', {
    label: 'Own rep',
    objects: { account: own, order: own },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['own_rep'], name: 'Olga Own' });
  // The rep owns A, B, C; D, E, F, G are not theirs.
  for (const [key, owner] of [
    ['A', rep.id],
    ['B', rep.id],
    ['C', rep.id],
    ['D', undefined],
    ['E', undefined],
    ['F', undefined],
    ['G', undefined],
  ] as const)
    acc[key] = await create('account', { name: `Customer ${key}`, type: 'customer' }, owner);
  // customer, days ago, amount, status
  const orders: [string, number, number, string][] = [
    ['A', 300, 1000, 'delivered'],
    ['A', 200, 500, 'delivered'],
    ['A', 100, 800, 'shipped'],
    ['A', 40, 1200, 'confirmed'],
    ['B', 400, 300, 'delivered'],
    ['B', 350, 400, 'delivered'],
    ['C', 60, 5000, 'delivered'],
    ['C', 45, 100, 'cancelled'], // not a purchase
    ['D', 330, 2000, 'delivered'],
    ['D', 320, 2200, 'delivered'],
    ['D', 310, 2100, 'delivered'],
    ['E', 900, 700, 'delivered'], // outside the 24 months
    ['F', 35, 90, 'delivered'],
    ['G', 5, 900, 'confirmed'], // after the first refresh's day: G is new at the second
    ['B', 3, 650, 'shipped'], // B comes back
  ];
  for (const [c, age, amount, status] of orders)
    await create('order', { account: acc[c], ordered_on: daysAgo(age), amount, status });
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('stored RFM scores', { timeout: 300_000 }, () => {
  it('an admin refresh stores every account’s scores and segment, equal to hand-written SQL', async () => {
    const versions = await sql('select id, version from $S.account order by id');
    const first = await tenant.api.post(REFRESH, { asOf: before });
    expect(first.status, first.text).toBe(200);
    const expected = await expectedScores(before);
    expect(first.body).toEqual({ customers: expected.length, asOf: before });
    // E's only order is older than 24 months and G has not bought yet: neither is scored.
    expect(expected.map((e) => e.customer).sort()).toEqual([acc.A, acc.B, acc.C, acc.D, acc.F].sort());
    expect(await stored()).toEqual(expected.map((e) => ({ ...e, scored_on: before })));

    const second = await tenant.api.post(REFRESH, { asOf: today });
    expect(second.status, second.text).toBe(200);
    const now = await expectedScores(today);
    expect(now.map((e) => e.customer)).toContain(acc.G);
    expect(await stored()).toEqual(now.map((e) => ({ ...e, scored_on: today })));
    // Derived values, like roll-ups: no new version, so nobody editing an account gets a 409.
    expect(await sql('select id, version from $S.account order by id')).toEqual(versions);
    // One snapshot per refresh day.
    const days = await sql(
      'select taken_on::text as d, count(*)::int as n from $S._rfm_snapshots group by 1 order by 1',
    );
    expect(days).toEqual([
      { d: before, n: expected.length },
      { d: today, n: now.length },
    ]);
  });

  it('refreshing the same day again replaces its snapshot, and a customer with no purchase left loses the scores', async () => {
    const [c] = await sql(`select id from $S."order" where account = ? and status = 'delivered'`, [acc.C]);
    const del = await tenant.api.delete(`/api/records/order/${c?.id}`);
    expect(del.status, del.text).toBe(204);
    const again = await tenant.api.post(REFRESH, { asOf: today });
    expect(again.status, again.text).toBe(200);
    const now = await expectedScores(today);
    expect(now.map((e) => e.customer)).not.toContain(acc.C);
    expect(await stored()).toEqual(now.map((e) => ({ ...e, scored_on: today })));
    const [row] = await sql('select rfm_segment, rfm_recency, rfm_scored_on from $S.account where id = ?', [acc.C]);
    expect(row).toEqual({ rfm_segment: null, rfm_recency: null, rfm_scored_on: null });
    const [snap] = await sql('select count(*)::int as n from $S._rfm_snapshots where taken_on = ?', [today]);
    expect(snap?.n).toBe(now.length);
  });

  it('the fields are read by the records API and written by no one', async () => {
    const a = await tenant.api.get(`/api/records/account/${acc.A}`);
    expect(a.status, a.text).toBe(200);
    const mine = (await stored()).find((s) => s.customer === acc.A);
    expect(a.body).toMatchObject({
      rfm_recency: mine?.r,
      rfm_frequency: mine?.f,
      rfm_monetary: mine?.m,
      rfm_segment: mine?.segment,
      rfm_scored_on: today,
    });
    for (const body of [{ rfm_segment: 'champions' }, { rfm_recency: 5 }, { rfm_scored_on: today }]) {
      const p = await tenant.api.patch(`/api/records/account/${acc.A}`, { ...body, version: a.body.version });
      expect(p.status, p.text).toBe(400);
      expect(Object.keys(p.body.error.fields ?? {})).toEqual(Object.keys(body));
    }
    const c = await tenant.api.post('/api/records/account', { name: 'Self-made champion', rfm_segment: 'champions' });
    expect(c.status, c.text).toBe(400);
    // The segment names in English and Chinese come with the field.
    const meta = await tenant.api.get('/api/meta');
    const field = meta.body.objects.account.properties.rfm_segment;
    expect(field['x-enum-labels'].champions).toBe('Champions');
    expect(field['x-i18n']['zh-CN'].enum.champions).toBe('重要价值客户');
  });

  it('a rep reads the scores of their own accounts only', async () => {
    const list = await rep.api.get('/api/records/account', { query: { fields: 'name,rfm_segment', limit: '100' } });
    expect(list.status, list.text).toBe(200);
    const items = list.body.items as { id: string; rfm_segment: string | null }[];
    expect(items.map((i) => i.id).sort()).toEqual([acc.A, acc.B, acc.C].sort());
    const d = await rep.api.get(`/api/records/account/${acc.D}`);
    expect(d.status).toBe(404);
  });

  it('the movement report equals SQL over the snapshots, for the admin and for a rep', async () => {
    const admin = await tenant.api.post('/api/reports/rfm_movement/run', { asOf: today });
    expect(admin.status, admin.text).toBe(200);
    expect(movementOf(admin.body.rows)).toBe(await expectedMovement(before, today));
    // Something moved: G is new (no segment 30 days ago), C is no longer scored.
    expect(admin.body.rows).toContainEqual(expect.objectContaining({ before: null, customers: 1 }));
    const cols = admin.body.columns as { key: string; options?: { value: string; 'x-i18n'?: unknown }[] }[];
    const now = cols.find((c) => c.key === 'now');
    expect(now?.options?.find((o) => o.value === 'champions')?.['x-i18n']).toEqual({
      'zh-CN': { label: '重要价值客户' },
    });

    const mine = await rep.api.post('/api/reports/rfm_movement/run', { asOf: today });
    expect(mine.status, mine.text).toBe(200);
    expect(movementOf(mine.body.rows)).toBe(await expectedMovement(before, today, rep.id));
    const total = (mine.body.rows as { customers: number }[]).reduce((s, r) => s + r.customers, 0);
    expect(total).toBeLessThanOrEqual(3);

    // Between two days given as the run's period.
    const period = await tenant.api.post('/api/reports/rfm_movement/run', {
      period: { from: daysAgo(100), to: before },
    });
    expect(period.status, period.text).toBe(200);
    expect(movementOf(period.body.rows)).toBe(await expectedMovement(daysAgo(100), before));
  });
});

describe('refusals', { timeout: 300_000 }, () => {
  it('only tenant admins refresh', async () => {
    const r = await rep.api.post(REFRESH, {});
    expect(r.status, r.text).toBe(403);
    const anon = await server.anon.request('POST', REFRESH, { body: {} });
    expect(anon.status).toBe(401);
  });

  it('a bad day or period is a 400 naming it, and nothing changes', async () => {
    const snapshots = await sql('select count(*)::int as n from $S._rfm_snapshots');
    for (const asOf of ['yesterday', '2026-13-01', daysAgo(-2), '2026-01-01; drop table x']) {
      const r = await tenant.api.post(REFRESH, { asOf });
      expect(r.status, `${asOf}: ${r.text}`).toBe(400);
      expect(r.body.error.fields?.asOf).toBeTruthy();
    }
    const extra = await tenant.api.post(REFRESH, { asOf: today, months: 3 });
    expect(extra.status).toBe(400);
    expect(await sql('select count(*)::int as n from $S._rfm_snapshots')).toEqual(snapshots);
    const backwards = await tenant.api.post('/api/reports/rfm_movement/run', { period: { from: today, to: before } });
    expect(backwards.status, backwards.text).toBe(400);
    const bad = await tenant.api.post('/api/reports/rfm_movement/run', { period: { from: 'last month' } });
    expect(bad.status, bad.text).toBe(400);
  });

  it('the scoring period is checked where it is configured', async () => {
    const report = (await tenant.api.get('/api/meta')).body.reports.rfm_segments;
    for (const months of [0, 241, 'two years']) {
      const r = await tenant.api.put('/api/meta/reports/rfm_segments', {
        ...report,
        analysis: { ...report.analysis, months },
      });
      expect(r.status, r.text).toBe(400);
    }
    const movement = (await tenant.api.get('/api/meta')).body.reports.rfm_movement;
    for (const change of [
      { analysis: { ...movement.analysis, days: 0 } },
      { groupBy: [{ field: 'revenue' }] },
      { aggregates: [{ fn: 'sum', field: 'revenue', as: 'x' }] },
    ]) {
      const r = await tenant.api.put('/api/meta/reports/rfm_movement', { ...movement, ...change });
      expect(r.status, r.text).toBe(400);
    }
    // A shorter window is configuration, not an error: the next refresh scores by it.
    const six = await tenant.api.put('/api/meta/reports/rfm_segments', {
      ...report,
      analysis: { ...report.analysis, months: 6 },
    });
    expect(six.status, six.text).toBe(200);
    const r = await tenant.api.post(REFRESH, { asOf: today });
    expect(r.status, r.text).toBe(200);
    expect((await stored()).map((s) => s.customer).sort()).not.toContain(acc.D);
  });
});
