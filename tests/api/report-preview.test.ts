import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * `POST /api/reports/preview` (the report builder's live preview: an unsaved report run by the same
 * engine as a saved one) and the dashboard filters of `POST /api/reports/:name/run` (`filter`,
 * `period`), compared with hand-counted data, with their refusals.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let regionNorth: string;

const draft = (over: Record<string, unknown> = {}) => ({
  label: 'Deals by stage',
  object: 'deal',
  groupBy: [{ field: 'stage' }],
  aggregates: [
    { fn: 'count', as: 'deals' },
    { fn: 'sum', field: 'amount', as: 'amount' },
  ],
  chart: 'bar',
  ...over,
});
const preview = (body: Record<string, unknown>, api = tenant.api) => api.post('/api/reports/preview', body);
const byKey = (rows: Record<string, unknown>[], key: string) =>
  Object.fromEntries(rows.map((r) => [String(r[key]), r]));

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'rprev' });
  const applied = await tenant.api.post('/api/meta/apply', {
    objects: {
      region: {
        title: 'Region',
        type: 'object',
        'x-label-field': 'name',
        properties: { name: { type: 'string', title: 'Name', maxLength: 100 } },
      },
      account: {
        title: 'Account',
        type: 'object',
        'x-label-field': 'name',
        properties: {
          name: { type: 'string', title: 'Name', maxLength: 100 },
          region: { type: 'string', format: 'uuid', 'x-ref': 'region', title: 'Region' },
          margin: { type: 'number', title: 'Margin' },
        },
      },
      deal: {
        title: 'Deal',
        type: 'object',
        'x-label-field': 'name',
        properties: {
          name: { type: 'string', title: 'Name', maxLength: 100 },
          amount: { type: 'number', title: 'Amount' },
          stage: { type: 'string', title: 'Stage', enum: ['new', 'won', 'lost'] },
          close_on: { type: 'string', format: 'date', title: 'Close date' },
          account: { type: 'string', format: 'uuid', 'x-ref': 'account', title: 'Account' },
        },
      },
    },
    roles: {
      sales_rep: {
        label: 'Sales rep',
        objects: {
          deal: { create: true, read: 'own', update: 'own', delete: false },
          account: { create: false, read: 'all', update: false, delete: false, fields: { margin: 'none' } },
          region: { create: false, read: 'all', update: false, delete: false },
        },
      },
    },
    reports: {
      deals_by_stage: draft({ label: 'Deals by stage (saved)' }),
      deals_by_month: draft({
        label: 'Deals by close month',
        groupBy: [{ field: 'close_on', bucket: 'month' }],
      }),
    },
  });
  expect(applied.status, applied.text).toBe(200);
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Rita Rep' });
  regionNorth = (await tenant.api.post('/api/records/region', { name: 'North' })).body.id;
  const regionSouth = (await tenant.api.post('/api/records/region', { name: 'South' })).body.id;
  const north = (await tenant.api.post('/api/records/account', { name: 'Acme', region: regionNorth })).body.id;
  const south = (await tenant.api.post('/api/records/account', { name: 'Bolt', region: regionSouth })).body.id;
  const deals: Array<[string, number, string, string, string, typeof tenant.api]> = [
    ['A', 100, 'won', '2026-01-10', north, tenant.api],
    ['B', 200, 'won', '2026-02-10', south, tenant.api],
    ['C', 400, 'new', '2026-02-20', north, rep.api],
    ['D', 800, 'lost', '2026-03-05', north, rep.api],
  ];
  for (const [name, amount, stage, close_on, account, api] of deals) {
    const r = await api.post('/api/records/deal', { name, amount, stage, close_on, account });
    expect(r.status, r.text).toBe(201);
  }
});
afterAll(async () => {
  await server?.close();
});

describe('POST /api/reports/preview', () => {
  it('runs a draft as a saved report would, with nothing saved', async () => {
    const before = (await tenant.api.get('/api/meta')).body;
    const res = await preview({
      report: draft({
        groupBy: [{ field: 'account.region.name', as: 'region' }],
        aggregates: [
          { fn: 'count', as: 'deals' },
          { fn: 'sum', field: 'amount', as: 'amount' },
          { fn: 'max', field: 'amount', as: 'biggest' },
        ],
        filter: { stage: { ne: 'lost' } },
        sort: ['-amount'],
      }),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.name).toBe('draft');
    expect(res.body.columns.map((c: { key: string }) => c.key)).toEqual(['region', 'deals', 'amount', 'biggest']);
    expect(res.body.columns[0].label).toBe('Account › Region › Name');
    expect(res.body.rows).toEqual([
      { region: 'North', deals: 2, amount: 500, biggest: 400 },
      { region: 'South', deals: 1, amount: 200, biggest: 200 },
    ]);
    const after = (await tenant.api.get('/api/meta')).body;
    expect(after.version).toBe(before.version);
    expect(Object.keys(after.reports)).toEqual(Object.keys(before.reports));
  });

  it('gives the same answer as the saved report it would become', async () => {
    const saved = await tenant.api.post('/api/reports/deals_by_stage/run', {});
    const drafted = await preview({ report: draft({ label: 'Deals by stage (saved)' }), name: 'deals_by_stage' });
    expect(drafted.status, drafted.text).toBe(200);
    expect(drafted.body.rows).toEqual(saved.body.rows);
    expect(drafted.body.columns).toEqual(saved.body.columns);
  });

  it('compares periods', async () => {
    const res = await preview({
      report: draft({ groupBy: [], compare: { field: 'close_on', period: 'month', with: ['previous'] } }),
      asOf: '2026-02-15',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.compare.current.label).toBe('2026-02');
    expect(res.body.rows).toEqual([
      {
        deals: 2,
        deals_previous: 1,
        deals_previous_change: 100,
        amount: 600,
        amount_previous: 100,
        amount_previous_change: 500,
      },
    ]);
  });

  it('runs a draft whose limit is above the preview cap', async () => {
    const res = await preview({ report: draft({ groupBy: [{ field: 'id' }], limit: 5000 }) });
    expect(res.status, res.text).toBe(200);
    expect(res.body.rows).toHaveLength(4);
    expect(res.body.truncated).toBe(false);
  });

  it('refuses a bad draft with each issue at its path', async () => {
    const missing = await preview({ report: { label: 'No measures', object: 'deal', chart: 'bar' } });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('aggregates');

    const unknownObject = await preview({ report: draft({ object: 'nope' }) });
    expect(unknownObject.status).toBe(400);
    expect(JSON.stringify(unknownObject.body)).toContain('Unknown object');

    const unknownField = await preview({ report: draft({ groupBy: [{ field: 'account.nope' }] }) });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body)).toContain('account.nope');

    const sumWithout = await preview({ report: draft({ aggregates: [{ fn: 'sum', as: 'x' }] }) });
    expect(sumWithout.status).toBe(400);
    expect(JSON.stringify(sumWithout.body)).toContain('/aggregates/0/field');

    const badSort = await preview({ report: draft({ sort: ['-nope'] }) });
    expect(badSort.status).toBe(400);
    expect(JSON.stringify(badSort.body)).toContain('/sort/0');

    const unknownFilterField = await preview({ report: draft({ filter: { nope: { eq: 1 } } }) });
    expect(unknownFilterField.status).toBe(400);

    const notAReport = await preview({ report: 'SELECT 1' });
    expect(notAReport.status).toBe(400);
    const noReport = await tenant.api.post('/api/reports/preview', {});
    expect(noReport.status).toBe(400);
  });

  it('refuses injection in names and paths before anything reaches SQL', async () => {
    for (const field of ['stage;drop table deal', 'account."name"', 'Stage', 'account..name']) {
      const res = await preview({ report: draft({ groupBy: [{ field }] }) });
      expect(res.status, field).toBe(400);
    }
    const badAs = await preview({ report: draft({ aggregates: [{ fn: 'count', as: 'x; drop' }] }) });
    expect(badAs.status).toBe(400);
    const badName = await preview({ report: draft(), name: 'Robert"); drop' });
    expect(badName.status).toBe(400);
    const badFilterOp = await preview({ report: draft({ filter: { stage: { raw: '1=1' } } }) });
    expect(badFilterOp.status).toBe(400);
    // The tenant still has its deals.
    expect((await tenant.api.get('/api/records/deal')).body.items).toHaveLength(4);
  });

  it('filters through lookups (two hops) and charts the chosen value by the chosen group', async () => {
    const res = await preview({
      report: draft({
        groupBy: [{ field: 'close_on', bucket: 'year', as: 'year' }, { field: 'stage' }],
        filter: { and: [{ 'account.region.name': { eq: 'North' } }, { 'account.name': { startsWith: 'Ac' } }] },
        chartValue: 'amount',
        chartCategory: 'stage',
      }),
    });
    expect(res.status, res.text).toBe(200);
    // North's deals by hand: A (won, 100), C (new, 400), D (lost, 800).
    expect(byKey(res.body.rows, 'stage')).toEqual({
      won: { year: '2026', stage: 'won', deals: 1, amount: 100 },
      new: { year: '2026', stage: 'new', deals: 1, amount: 400 },
      lost: { year: '2026', stage: 'lost', deals: 1, amount: 800 },
    });
    expect([res.body.chartValue, res.body.chartCategory]).toEqual(['amount', 'stage']);
  });

  it('refuses a bad path filter or chart choice with a code at its path', async () => {
    const tooFar = await preview({ report: draft({ filter: { 'account.region.name.x': { eq: 'N' } } }) });
    expect(tooFar.status).toBe(400);
    const notGroup = await preview({ report: draft({ chartCategory: 'amount' }), name: 'r' });
    expect(notGroup.status).toBe(400);
    expect(notGroup.body.error.details.issues).toContainEqual({
      path: '/reports/r/chartCategory',
      message: 'Label the chart by a group key of the report: amount',
      code: 'report_chart_category',
      params: { column: 'amount' },
    });
    const compared = await preview({
      report: draft({ groupBy: [{ field: 'close_on' }], compare: { field: 'close_on', period: 'month' } }),
      name: 'r',
    });
    expect(compared.status).toBe(400);
    expect(compared.body.error.details.issues).toContainEqual(
      expect.objectContaining({
        path: '/reports/r/groupBy',
        code: 'report_group_by_compared',
        params: { field: 'close_on' },
      }),
    );
    // Schema refusals are coded too: an unknown chart kind.
    const badChart = await preview({ report: draft({ chart: 'donut' }), name: 'r' });
    expect(badChart.status).toBe(400);
    expect(badChart.body.error.details.issues).toContainEqual(
      expect.objectContaining({ path: '/reports/r/chart', code: 'one_of' }),
    );
  });

  it('keeps a second grouping as the chart series, and refuses one that is not a second grouping', async () => {
    const twoGroups = { groupBy: [{ field: 'close_on', bucket: 'year', as: 'year' }, { field: 'stage' }] };
    const ok = await preview({ report: draft({ ...twoGroups, chartSeries: 'stage' }), name: 'r' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.chartSeries).toBe('stage');
    const refused = async (over: Record<string, unknown>, column: string) => {
      const r = await preview({ report: draft(over), name: 'r' });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.details.issues).toContainEqual(
        expect.objectContaining({ path: '/reports/r/chartSeries', code: 'report_chart_series', params: { column } }),
      );
    };
    // A measure, the only grouping, or the grouping that names the points.
    await refused({ ...twoGroups, chartSeries: 'amount' }, 'amount');
    await refused({ chartSeries: 'stage' }, 'stage');
    await refused({ ...twoGroups, chartSeries: 'stage', chartCategory: 'stage' }, 'stage');
  });

  it('is for tenant admins only', async () => {
    const res = await preview({ report: draft() }, rep.api);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });
});

describe('dashboard filters on a saved report run', () => {
  it('narrows by a filter (owner, picklist) with the viewer permissions', async () => {
    const mine = await tenant.api.post('/api/reports/deals_by_stage/run', { filter: { owner: { eq: rep.id } } });
    expect(mine.status, mine.text).toBe(200);
    expect(byKey(mine.body.rows, 'stage')).toEqual({
      new: { stage: 'new', deals: 1, amount: 400 },
      lost: { stage: 'lost', deals: 1, amount: 800 },
    });
    const won = await tenant.api.post('/api/reports/deals_by_stage/run', { filter: { stage: { in: ['won'] } } });
    expect(won.body.rows).toEqual([{ stage: 'won', deals: 2, amount: 300 }]);
    // The rep reads only their own deals, whatever the filter asks for.
    const repRun = await rep.api.post('/api/reports/deals_by_stage/run', { filter: { stage: { in: ['won', 'new'] } } });
    expect(repRun.body.rows).toEqual([{ stage: 'new', deals: 1, amount: 400 }]);
    // A field the rep may not read is as unknown in a dashboard filter as anywhere.
    const hidden = await rep.api.post('/api/reports/deals_by_stage/run', { filter: { 'account.margin': { gt: 0 } } });
    expect(hidden.status).toBe(400);
    const unknown = await tenant.api.post('/api/reports/deals_by_stage/run', { filter: { nope: { eq: 1 } } });
    expect(unknown.status).toBe(400);
    const lookup = await tenant.api.post('/api/reports/deals_by_stage/run', {
      filter: { 'account.region': { eq: regionNorth } },
    });
    expect(lookup.body.rows.reduce((n: number, r: { deals: number }) => n + r.deals, 0)).toBe(3);
  });

  it('narrows by a date range on the report date field', async () => {
    const byMonth = await tenant.api.post('/api/reports/deals_by_month/run', {
      period: { from: '2026-02-01', to: '2026-02-28' },
    });
    expect(byMonth.status, byMonth.text).toBe(200);
    expect(byMonth.body.periodField).toBe('close_on');
    expect(byMonth.body.rows).toEqual([{ close_on: '2026-02', deals: 2, amount: 600 }]);
    // Without a date group the range is on when the records were created: today.
    const today = new Date().toISOString().slice(0, 10);
    const created = await tenant.api.post('/api/reports/deals_by_stage/run', { period: { from: today, to: today } });
    expect(created.body.periodField).toBe('created_at');
    expect(created.body.rows.reduce((n: number, r: { deals: number }) => n + r.deals, 0)).toBe(4);
    const past = await tenant.api.post('/api/reports/deals_by_stage/run', { period: { to: '2020-01-01' } });
    expect(past.body.rows).toEqual([]);
    const bad = await tenant.api.post('/api/reports/deals_by_stage/run', { period: { from: '2026-13-45' } });
    expect(bad.status).toBe(400);
    const notADay = await tenant.api.post('/api/reports/deals_by_stage/run', { period: { from: 'yesterday' } });
    expect(notADay.status).toBe(400);
  });

  // Last in the file: it adds a deal the counts above do not expect.
  it("narrows to the viewer's team (inMyTeam): the viewer and everyone under them, never another's team", async () => {
    const tom = await tenant.addUser({ roles: ['sales_rep'], name: 'Tom Team', manager: tenant.admin.id });
    expect((await tom.api.post('/api/records/deal', { name: 'E', amount: 50, stage: 'won' })).status).toBe(201);
    const team = { filter: { owner: { inMyTeam: true } } };
    // The admin's team: the admin (A, B) and Tom (E) who reports to them; not Rita (no manager).
    const mine = await tenant.api.post('/api/reports/deals_by_stage/run', team);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.rows).toEqual([{ stage: 'won', deals: 3, amount: 350 }]);
    // Rita has nobody under her: her team is herself.
    const rita = await rep.api.post('/api/reports/deals_by_stage/run', team);
    expect(byKey(rita.body.rows, 'stage')).toEqual({
      new: { stage: 'new', deals: 1, amount: 400 },
      lost: { stage: 'lost', deals: 1, amount: 800 },
    });
    // The same filter in the records API.
    const list = await tenant.api.get('/api/records/deal', {
      query: { filter: JSON.stringify(team.filter), sort: 'name' },
    });
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((d: { name: string }) => d.name)).toEqual(['A', 'B', 'E']);
    // Refusals: only `true`, only on the record's own user fields; the engine's $inTeamOf (which could
    // name anyone's team) stays closed to clients.
    const refused: Array<[string, Record<string, unknown>]> = [
      ['false', { owner: { inMyTeam: false } }],
      ['a user id', { owner: { inMyTeam: tenant.admin.id } }],
      ['not a user field', { stage: { inMyTeam: true } }],
      ['through a lookup', { 'account.region': { inMyTeam: true } }],
      ['the engine operator', { owner: { $inTeamOf: tenant.admin.id } }],
    ];
    for (const [what, filter] of refused) {
      const r = await rep.api.post('/api/reports/deals_by_stage/run', { filter });
      expect(r.status, what).toBe(400);
    }
  });
});
