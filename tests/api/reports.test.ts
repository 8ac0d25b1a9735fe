import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Saved reports and home dashboards through the real server. Every built-in CRM report is compared
 * with SQL written here, independently of the aggregate engine, over a core-crm tenant with sample
 * data plus records added by the test.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let finance: Awaited<ReturnType<TestTenant['addUser']>>;
const asOf = new Date().toISOString().slice(0, 10);

const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${tenant.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const run = async (api: TestTenant['api'], name: string, body: Record<string, unknown> = { asOf }) => {
  const res = await api.post(`/api/reports/${name}/run`, body);
  expect(res.status, res.text).toBe(200);
  return res.body as {
    rows: Record<string, unknown>[];
    columns: { key: string }[];
    truncated: boolean;
    chartValue?: string;
  };
};
const STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation', 'won'];

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'rep', template: 'core-crm', sampleData: true });
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rita Rep' });
  finance = await tenant.addUser({ roles: ['finance'], name: 'Fay Finance' });
  // More data than the samples: won deals across months for the rep, campaigns, surveys.
  const account = (await tenant.api.get('/api/records/account', { query: { limit: 1 } })).body.items[0].id;
  const serviceCase = (await tenant.api.get('/api/records/service_case', { query: { limit: 1 } })).body.items[0].id;
  for (const [i, [amount, stage, close_on]] of (
    [
      [1000, 'won', '2026-01-10'],
      [2500, 'won', '2026-01-20'],
      [4000, 'won', '2026-03-05'],
      [700, 'proposal', '2026-04-01'],
      [300, 'lost', '2026-02-01'],
    ] as const
  ).entries()) {
    const r = await rep.api.post('/api/records/deal', {
      name: `Rep deal ${i}`,
      account,
      amount,
      stage,
      close_on,
      lost_reason: 'price',
    });
    expect(r.status, r.text).toBe(201);
  }
  // Campaign revenue is attributed from won deals (a roll-up): lost and open deals do not count.
  for (const [name, cost, deals] of [
    [
      'Spring mailing',
      3_000,
      [
        [10_000, 'won'],
        [2_000, 'won'],
        [5_000, 'lost'],
        [900, 'proposal'],
      ],
    ],
    ['Free cost fair', 0, [[500, 'won']]],
  ] as const) {
    const r = await tenant.api.post('/api/records/campaign', { name });
    expect(r.status, r.text).toBe(201);
    // A campaign's cost is its approved expense lines (the admin books one here, already approved).
    if (cost > 0) {
      const spend = await tenant.api.post('/api/records/expense_claim', {
        title: `${name} spend`,
        lines: [{ spent_on: '2025-11-01', category: 'marketing', amount: cost, campaign: r.body.id, approved: true }],
      });
      expect(spend.status, spend.text).toBe(201);
    }
    for (const [amount, stage] of deals) {
      const d = await tenant.api.post('/api/records/deal', {
        name: `${name} deal`,
        account,
        amount,
        stage,
        close_on: '2025-11-20',
        lost_reason: 'price',
        campaign: r.body.id,
      });
      expect(d.status, d.text).toBe(201);
    }
  }
  for (const [rating, answered_on] of [
    [4, '2026-02-03'],
    [2, '2026-02-20'],
    [5, '2026-03-01'],
  ] as const) {
    const r = await tenant.api.post('/api/records/survey', {
      service_case: serviceCase,
      rating,
      answered_on,
      comment: 'ok',
    });
    expect(r.status, r.text).toBe(201);
  }
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('built-in CRM reports match SQL computed independently', () => {
  it('sales funnel by stage with conversion rates, in stage order', async () => {
    const got = await run(tenant.api, 'sales_funnel');
    const rows = await sql(
      `select stage, count(*) as n, sum(amount) as amount from $S.deal
       where deleted_at is null and stage is distinct from 'lost' group by stage`,
    );
    const byStage = new Map(rows.map((r) => [r.stage as string, r]));
    const stages = STAGES.filter((s) => byStage.has(s));
    expect(got.rows.map((r) => r.stage)).toEqual(stages);
    let prevReached: number | null = null;
    stages.forEach((stage, i) => {
      const reached = stages.slice(i).reduce((s, k) => s + Number(byStage.get(k)!.n), 0);
      const row = got.rows[i]!;
      expect(row.deals).toBe(Number(byStage.get(stage)!.n));
      expect(n(row.amount)).toBeCloseTo(Number(byStage.get(stage)!.amount ?? 0), 2);
      expect(row.reached).toBe(reached);
      expect(row.conversion).toBe(prevReached === null ? null : Math.round((reached / prevReached) * 1000) / 10);
      prevReached = reached;
    });
    expect(got.columns.map((c) => c.key)).toEqual(['stage', 'deals', 'amount', 'reached', 'conversion']);
  });

  it('won amount by month and by owner (owner named)', async () => {
    const months = await run(tenant.api, 'won_by_month');
    const expected = await sql(
      `select to_char(close_on, 'YYYY-MM') as month, sum(amount) as amount, count(*) as n from $S.deal
       where deleted_at is null and stage = 'won' group by 1 order by 1 nulls last`,
    );
    expect(months.rows.map((r) => [r.month, n(r.won_amount), r.deals])).toEqual(
      expected.map((r) => [r.month, Number(r.amount), Number(r.n)]),
    );
    expect(months.rows.find((r) => r.month === '2026-01')?.won_amount).toBe(3500);

    const owners = await run(tenant.api, 'won_by_owner');
    const byOwner = await sql(
      `select d.owner, u.name, sum(d.amount) as amount, count(*) as n from $S.deal d join $S._users u on u.id = d.owner
       where d.deleted_at is null and d.stage = 'won' group by d.owner, u.name order by amount desc`,
    );
    expect(owners.rows.map((r) => [r.owner, r.owner_label, n(r.won_amount), r.deals])).toEqual(
      byOwner.map((r) => [r.owner, r.name, Number(r.amount), Number(r.n)]),
    );
    expect(owners.rows.some((r) => r.owner_label === 'Rita Rep' && r.won_amount === 7500)).toBe(true);
  });

  it('receivables aging 30/60/90/180 of open balances', async () => {
    const got = await run(tenant.api, 'receivables_aging');
    const expected = await sql(
      `select case when due_on is null then null
                   when ?::date - due_on <= 0 then 'current'
                   when ?::date - due_on <= 30 then '1-30'
                   when ?::date - due_on <= 60 then '31-60'
                   when ?::date - due_on <= 90 then '61-90'
                   when ?::date - due_on <= 180 then '91-180'
                   else '181+' end as age,
              sum(balance) as outstanding, count(*) as n
       from $S.receivable where deleted_at is null and balance > 0 group by 1`,
      [asOf, asOf, asOf, asOf, asOf],
    );
    expect(expected.length).toBeGreaterThan(2);
    const key = (r: Record<string, unknown>) => String(r.age);
    expect(Object.fromEntries(got.rows.map((r) => [key(r), [n(r.outstanding), r.receivables]]))).toEqual(
      Object.fromEntries(expected.map((r) => [key(r), [Number(r.outstanding), Number(r.n)]])),
    );
  });

  it('campaign ROI: attributed revenue against cost, no division by zero', async () => {
    const got = await run(tenant.api, 'campaign_roi');
    // Revenue computed here from the deals themselves, not from the campaign's stored roll-up.
    const expected = await sql(
      `select c.name, sum(c.cost) as cost,
              (select coalesce(sum(d.amount), 0) from $S.deal d join $S.campaign c2 on c2.id = d.campaign
                where c2.name = c.name and c2.deleted_at is null and d.deleted_at is null and d.stage = 'won') as revenue,
              (select count(*) from $S.deal d join $S.campaign c2 on c2.id = d.campaign
                where c2.name = c.name and c2.deleted_at is null and d.deleted_at is null and d.stage = 'won') as won
         from $S.campaign c where c.deleted_at is null group by c.name`,
    );
    const byName = Object.fromEntries(got.rows.map((r) => [r.campaign, r]));
    for (const e of expected) {
      const row = byName[e.name as string]!;
      const cost = Number(e.cost ?? 0);
      const revenue = Number(e.revenue ?? 0);
      expect([n(row.revenue), n(row.cost), n(row.won_deals)]).toEqual([
        revenue,
        e.cost === null ? null : cost,
        Number(e.won),
      ]);
      expect(row.roi).toBe(
        e.cost === null || cost === 0 || e.revenue === null ? null : Math.round(((revenue - cost) / cost) * 1000) / 10,
      );
    }
    expect(byName['Spring mailing']?.roi).toBe(300);
    // Its chart plots the ROI the title names, not the revenue.
    expect(got.chartValue).toBe('roi');
    expect(n(byName['Spring mailing']?.revenue)).toBe(12_000);
    // The sample data's expo campaign gets its revenue from its won sample deal.
    expect(n(byName['Industrial Expo Shanghai']?.revenue)).toBe(120_000);
    expect(byName['Free cost fair']?.roi).toBeNull();
    // Sorted by ROI, highest first, rows without one last.
    const rois = got.rows.map((r) => r.roi).filter((v) => v !== null) as number[];
    expect(rois).toEqual([...rois].sort((a, b) => b - a));
    expect(got.rows.at(-1)?.roi).toBeNull();
  });

  it('service cases by status and satisfaction score by month', async () => {
    const cases = await run(tenant.api, 'cases_by_status');
    const expected = await sql(
      `select status, count(*) as n from $S.service_case where deleted_at is null group by status`,
    );
    expect(Object.fromEntries(cases.rows.map((r) => [r.status, r.cases]))).toEqual(
      Object.fromEntries(expected.map((r) => [r.status, Number(r.n)])),
    );
    const score = await run(tenant.api, 'satisfaction_by_month');
    const months = await sql(
      `select to_char(answered_on, 'YYYY-MM') as month, avg(rating) as score, count(*) as n from $S.survey
       where deleted_at is null group by 1`,
    );
    expect(Object.fromEntries(score.rows.map((r) => [r.month, [r.score_rounded, r.answers]]))).toEqual(
      Object.fromEntries(months.map((r) => [r.month, [Math.round(Number(r.score) * 100) / 100, Number(r.n)]])),
    );
    expect(score.rows.find((r) => r.month === '2026-02')?.score_rounded).toBe(3);
  });
});

describe('permissions', () => {
  it("runs with the viewer's row scope: a rep's funnel counts only the deals they may read", async () => {
    // Reps read their own deals plus every won deal (the role's sharing rule).
    const got = await run(rep.api, 'sales_funnel');
    const visible = await rep.api.get('/api/records/deal', {
      query: { filter: JSON.stringify({ stage: { ne: 'lost' } }), limit: 500 },
    });
    expect(visible.status, visible.text).toBe(200);
    const ids = visible.body.items.map((d: { id: string }) => d.id);
    const expected = await sql(`select stage, count(*) as n from $S.deal where id = any(?::uuid[]) group by stage`, [
      ids,
    ]);
    expect(Object.fromEntries(got.rows.map((r) => [r.stage, r.deals]))).toEqual(
      Object.fromEntries(expected.map((r) => [r.stage, Number(r.n)])),
    );
    const all = await run(tenant.api, 'sales_funnel');
    const total = (rows: Record<string, unknown>[]) => rows.reduce((s, r) => s + Number(r.deals), 0);
    expect(total(got.rows)).toBeLessThan(total(all.rows));
    expect(got.rows.find((r) => r.stage === 'proposal')?.deals).toBe(1);
  });

  it('lists only runnable reports; others answer 404 like unknown ones', async () => {
    const all = (await tenant.api.get('/api/reports')).body.items.map((r: { name: string }) => r.name);
    expect(all).toEqual(expect.arrayContaining(['sales_funnel', 'receivables_aging', 'campaign_roi']));
    // Restrict one report to finance.
    const put = await tenant.api.put('/api/meta/reports/finance_only', {
      label: 'Finance only',
      object: 'deal',
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'table',
      roles: ['finance'],
    });
    expect(put.status, put.text).toBe(200);
    const repList = (await rep.api.get('/api/reports')).body.items.map((r: { name: string }) => r.name);
    expect(repList).not.toContain('finance_only');
    expect((await rep.api.post('/api/reports/finance_only/run', {})).status).toBe(404);
    expect((await finance.api.post('/api/reports/finance_only/run', {})).status).toBe(200);
    expect((await rep.api.post('/api/reports/no_such_report/run', {})).status).toBe(404);
    expect((await server.anon.post('/api/reports/sales_funnel/run', {})).status).toBe(401);
    expect((await server.anon.get('/api/dashboards/home')).status).toBe(401);
    // Non-admins cannot define reports.
    expect((await rep.api.put('/api/meta/reports/x', { label: 'x' })).status).toBe(403);
  });
});

describe('derived columns that depend on the order of the rows', () => {
  it("a Pareto: running total and cumulative share follow the report's sort, over every group, then the limit", async () => {
    const put = await tenant.api.put('/api/meta/reports/pareto_accounts', {
      label: 'Top accounts (Pareto)',
      object: 'deal',
      groupBy: [{ field: 'account' }],
      aggregates: [{ fn: 'sum', field: 'amount', as: 'amount' }],
      derive: [
        { as: 'share', expr: 'round(amount / total(amount) * 100, 1)' },
        { as: 'running_amount', expr: 'running(amount)' },
        { as: 'cumulative', expr: 'round(running_amount / total(amount) * 100, 1)' },
        // The same through remaining(): once order-dependent, always computed in the final order.
        { as: 'cumulative2', expr: 'round((total(amount) - remaining(amount) + amount) / total(amount) * 100, 1)' },
      ],
      sort: ['-share'],
      limit: 3,
      chart: 'bar',
    });
    expect(put.status, put.text).toBe(200);
    const got = await run(tenant.api, 'pareto_accounts');
    const expected = await sql(
      `with g as (select account, sum(amount) as amount from $S.deal where deleted_at is null group by account)
       select amount,
              round(100 * amount / sum(amount) over (), 1) as share,
              sum(coalesce(amount, 0)) over (order by amount desc nulls last rows unbounded preceding) as running_amount,
              round(100 * sum(coalesce(amount, 0)) over (order by amount desc nulls last rows unbounded preceding)
                    / sum(amount) over (), 1) as cumulative
         from g order by amount desc nulls last limit 3`,
    );
    expect(expected.length).toBeGreaterThan(1);
    expect(
      got.rows.map((r) => [n(r.amount), n(r.share), n(r.running_amount), n(r.cumulative), n(r.cumulative2)]),
    ).toEqual(expected.map((r) => [n(r.amount), n(r.share), n(r.running_amount), n(r.cumulative), n(r.cumulative)]));
    // The top group's cumulative share is its own share, not the sum of the groups before it in key order.
    expect(got.rows[0]!.cumulative).toBe(got.rows[0]!.share);
    expect(got.truncated).toBe(true);
  });

  it('refuses sorting by a column computed from the order of the rows', async () => {
    const bad = await tenant.api.put('/api/meta/reports/bad_order', {
      label: 'Bad order',
      object: 'deal',
      groupBy: [{ field: 'stage' }],
      aggregates: [{ fn: 'count', as: 'deals' }],
      derive: [
        { as: 'before', expr: 'prev(deals)' },
        { as: 'twice', expr: 'before * 2' },
      ],
      sort: ['-twice'],
      chart: 'bar',
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.error.fields['/reports/bad_order/sort/0']).toMatch(/depends on the order of the rows/);
  });
});

describe('bad input', () => {
  it('refuses reports that could not run, pointing at each problem', async () => {
    const bad = await tenant.api.put('/api/meta/reports/bad', {
      label: 'Bad',
      object: 'deal',
      groupBy: [{ field: 'nope' }, { field: 'name', bucket: 'month' }],
      aggregates: [
        { fn: 'sum', field: 'stage', as: 'x' },
        { fn: 'sum', as: 'y' },
      ],
      derive: [
        { as: 'hack', expr: 'process.exit(1)' },
        { as: 'hack2', expr: "constructor['constructor']('return 1')()" },
        { as: 'z', expr: 'unknown_col * 2' },
      ],
      sort: ['-missing'],
      chart: 'bar',
      chartValue: 'nope',
    });
    expect(bad.status, bad.text).toBe(400);
    const paths = Object.keys(bad.body.error.fields);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/reports/bad/groupBy',
        '/reports/bad/aggregates/1/field',
        '/reports/bad/derive/0/expr',
        '/reports/bad/derive/1/expr',
        '/reports/bad/derive/2/expr',
        '/reports/bad/sort/0',
        '/reports/bad/chartValue',
      ]),
    );
    const unknownObject = await tenant.api.put('/api/meta/reports/bad', {
      label: 'Bad',
      object: 'no_object',
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'bar',
    });
    expect(unknownObject.status).toBe(400);
    expect(unknownObject.body.error.fields['/reports/bad/object']).toMatch(/Unknown object/);
    const shape = await tenant.api.put('/api/meta/reports/bad', { label: 'x', object: 'deal', chart: 'pie3d' });
    expect(shape.status).toBe(400);
    const injected = await tenant.api.put('/api/meta/reports/bad;drop table deal', {
      label: 'x',
      object: 'deal',
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'bar',
    });
    expect(injected.status).toBe(400);
    expect((await tenant.api.post('/api/reports/sales_funnel/run', { asOf: 'yesterday' })).status).toBe(400);
    expect((await tenant.api.post('/api/reports/sales_funnel/run', { extra: 1 })).status).toBe(400);
    expect((await tenant.api.post('/api/reports/Robert%27);--/run', {})).status).toBe(400);
    const dash = await tenant.api.put('/api/meta/dashboards/bad', {
      label: 'Bad',
      roles: ['nobody'],
      widgets: [{ report: 'no_report' }],
    });
    expect(dash.status).toBe(400);
    expect(Object.keys(dash.body.error.fields)).toEqual(
      expect.arrayContaining(['/dashboards/bad/widgets/0/report', '/dashboards/bad/roles/0']),
    );
  });

  it('answers 400 for a saved report whose filter no longer fits the viewer (a hidden field)', async () => {
    const put = await tenant.api.put('/api/meta/reports/by_amount', {
      label: 'By amount',
      object: 'deal',
      filter: { amount: { gt: 'not a number' } },
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'table',
    });
    // Saved (filters are checked against the model by metadata validation) or refused: never a 500.
    expect([200, 400]).toContain(put.status);
    if (put.status === 200) expect((await tenant.api.post('/api/reports/by_amount/run', {})).status).toBe(400);
  });
});

describe('export and dashboards', () => {
  it('exports a report run to XLSX with the same numbers', async () => {
    const res = await fetch(new URL(`/api/reports/won_by_owner/export.xlsx?asOf=${asOf}`, server.url), {
      headers: { authorization: `Bearer ${tenant.api.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = wb.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    // Measures carry labels (core-crm names them): people read words, not column names.
    expect(header).toEqual(['Owner', 'Owner (name)', 'Won amount', 'Deals']);
    const run1 = await run(tenant.api, 'won_by_owner');
    const rows: unknown[][] = [];
    sheet.eachRow((row, i) => {
      if (i > 1) rows.push((row.values as unknown[]).slice(1));
    });
    expect(rows).toEqual(run1.rows.map((r) => [r.owner, r.owner_label, r.won_amount, r.deals]));
  });

  it('picks the home dashboard by role, leaving out widgets the user may not run', async () => {
    const admin = (await tenant.api.get('/api/dashboards/home')).body.dashboard;
    expect(admin).toMatchObject({ name: 'sales_manager', label: 'Sales manager' });
    expect(admin.widgets.map((w: { report: string }) => w.report)).toEqual([
      'sales_funnel',
      'won_by_month',
      'won_by_owner',
      'campaign_roi',
      'pipeline_by_month',
    ]);
    const repHome = (await rep.api.get('/api/dashboards/home')).body.dashboard;
    expect(repHome.name).toBe('sales_rep');
    expect(repHome.widgets[0]).toMatchObject({ report: 'sales_funnel', label: 'My funnel', width: 'half' });
    const financeHome = (await finance.api.get('/api/dashboards/home')).body.dashboard;
    expect(financeHome.name).toBe('finance');
    expect(financeHome.widgets.map((w: { report: string }) => w.report)).toEqual([
      'receivables_aging',
      'won_by_month',
      'collections_by_month',
    ]);
    const nobody = await tenant.addUser({ roles: [] });
    expect((await nobody.api.get('/api/dashboards/home')).body.dashboard).toBeNull();
  });

  it('an admin edits a dashboard through the metadata API', async () => {
    const put = await tenant.api.put('/api/meta/dashboards/finance', {
      label: 'Finance',
      roles: ['finance'],
      widgets: [{ report: 'won_by_month', width: 'full' }, { report: 'receivables_aging' }],
    });
    expect(put.status, put.text).toBe(200);
    const home = (await finance.api.get('/api/dashboards/home')).body.dashboard;
    expect(home.widgets.map((w: { report: string; width: string }) => [w.report, w.width])).toEqual([
      ['won_by_month', 'full'],
      ['receivables_aging', 'half'],
    ]);
  });
});
