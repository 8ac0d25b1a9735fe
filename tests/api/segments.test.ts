import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Saved segments through the real server: membership is compared with SQL written here over the
 * same rows — for the admin and for a rep whose scope is their own records (members outside it stay
 * invisible to them) — through lists, the segment's members, reports and mail merge; refreshes
 * diff old and new membership into history and "entered/left segment" automation rules; and the
 * unhappy paths: unknown objects and fields, injection in names and values, bad schedules, probes.
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
const idsOf = (rows: Array<Record<string, unknown>>) => rows.map((r) => String(r.id)).sort();

const region = { type: 'object', 'x-label-field': 'name', properties: { name: { type: 'string', maxLength: 100 } } };
const account = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    email: { type: 'string', format: 'email' },
    region: { type: 'string', format: 'uuid', 'x-ref': 'region' },
    flagged: { type: 'boolean' },
    farewell: { type: 'boolean' },
    sale_total: { type: 'number', 'x-rollup': { object: 'sale', via: 'account', op: 'sum', field: 'amount' } },
    last_sale_on: {
      type: 'string',
      format: 'date',
      'x-rollup': { object: 'sale', via: 'account', op: 'max', field: 'closed_on' },
    },
  },
};
const sale = {
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number' },
    closed_on: { type: 'string', format: 'date' },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
  },
};
const saleLine = {
  type: 'object',
  properties: {
    sale: { type: 'string', format: 'uuid', 'x-ref': 'sale' },
    qty: { type: 'integer' },
  },
};

/** Accounts in the North with sales of at least 150 (a roll-up and a lookup path). */
const bigNorth = {
  label: 'Big in the North',
  object: 'account',
  filter: { and: [{ sale_total: { gte: 150 } }, { 'region.name': { eq: 'North' } }] },
  'x-i18n': { 'zh-CN': { label: '北区大客户' } },
};
const BIG_NORTH_SQL = `select a.id from $S.account a join $S.region r on r.id = a.region
  where a.deleted_at is null and r.deleted_at is null and a.sale_total >= 150 and r.name = 'North'`;

async function create(object: string, key: string, body: Record<string, unknown>, owner?: string) {
  const r = await tenant.api.post(`/api/records/${object}`, body);
  expect(r.status, r.text).toBe(201);
  ids[key] = r.body.id;
  if (owner) {
    const p = await tenant.api.patch(`/api/records/${object}/${r.body.id}`, { owner, version: r.body.version });
    expect(p.status, p.text).toBe(200);
  }
}

const refresh = async (name: string) => {
  const r = await tenant.api.post(`/api/segments/${name}/refresh`);
  expect(r.status, r.text).toBe(200);
  return r.body as { count: number; entered: number; left: number; trigger: string };
};

const filterQuery = (f: unknown) => `filter=${encodeURIComponent(JSON.stringify(f))}`;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'seg' });
  const objects = await tenant.api.post('/api/meta/apply', {
    objects: { region, account, sale, sale_line: saleLine },
  });
  expect(objects.status, objects.text).toBe(200);
  const own = { create: true, read: 'own', update: 'own', delete: false };
  const role = await tenant.api.put('/api/meta/roles/rep', {
    label: 'Rep',
    objects: {
      region: { create: false, read: 'all', update: false, delete: false },
      account: own,
      sale: own,
      sale_line: own,
    },
  });
  expect(role.status, role.text).toBe(200);
  const other = await tenant.api.put('/api/meta/roles/finance', { label: 'Finance', objects: {} });
  expect(other.status, other.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'], name: 'Rita Rep' });
  const r = rep.id;
  await create('region', 'north', { name: 'North' });
  await create('region', 'south', { name: 'South' });
  await create('account', 'a1', { name: 'A1', email: 'a1@x.test', region: ids.north }, r);
  await create('account', 'a2', { name: 'A2', email: 'a2@x.test', region: ids.north });
  await create('account', 'a3', { name: 'A3', region: ids.south }, r);
  await create('account', 'a4', { name: "A4'; drop table account; --", region: ids.north }, r);
  for (const [key, acc, amount, closed_on, owner] of [
    ['s1', 'a1', 100, '2026-11-10', r],
    ['s2', 'a1', 100, '2026-12-01', r],
    ['s3', 'a2', 300, '2026-10-01', undefined],
    ['s4', 'a3', 500, '2026-12-02', r],
    ['s5', 'a4', 50, '2026-12-03', r],
  ] as const)
    await create('sale', key, { name: key, amount, closed_on, account: ids[acc] }, owner);
  await create('sale_line', 'l1', { sale: ids.s1, qty: 1 }, r);
  await create('sale_line', 'l2', { sale: ids.s3, qty: 2 }, r);
  await create('sale_line', 'l3', { sale: ids.s4, qty: 3 }, r);
  const seg = await tenant.api.put('/api/meta/segments/big_north', bigNorth);
  expect(seg.status, seg.text).toBe(200);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('definitions', () => {
  it('publishes segments through plan and apply like other metadata', async () => {
    const plan = await tenant.api.post('/api/meta/plan', {
      segments: { north_lines: { label: 'North lines', object: 'sale_line', filter: {} } },
    });
    expect(plan.status, plan.text).toBe(200);
    const applied = await tenant.api.post('/api/meta/apply', {
      segments: {
        // Three lookups: line → sale → account → region.
        north_lines: {
          label: 'North lines',
          object: 'sale_line',
          filter: { 'sale.account.region.name': { eq: 'North' } },
          refresh: { mode: 'schedule', every: 'P1D' },
        },
      },
    });
    expect(applied.status, applied.text).toBe(200);
    const meta = await tenant.api.get('/api/meta');
    expect(meta.body.segments.north_lines.refresh).toEqual({ mode: 'schedule', every: 'P1D' });
    expect(meta.body.segments.big_north.label).toBe('Big in the North');
  });

  it('refuses unknown objects and fields, bad filters, bad schedules and unknown roles', async () => {
    const put = (body: unknown, name = 'bad') => tenant.api.put(`/api/meta/segments/${name}`, body);
    const cases: Array<[unknown, RegExp]> = [
      [{ label: 'X', object: 'nope', filter: {} }, /Unknown object/],
      [{ label: 'X', object: 'account', filter: { ghost: { eq: 1 } } }, /unknown field/],
      [{ label: 'X', object: 'account', filter: { 'region.ghost': { eq: 1 } } }, /unknown field/],
      [{ label: 'X', object: 'account', filter: { sale_total: { eq: 'lots' } } }, /must be a number/],
      [{ label: 'X', object: 'account', filter: { id: { inSegment: 'big_north' } } }, /cannot use inSegment/],
      [{ label: 'X', object: 'account', filter: {}, refresh: { mode: 'schedule' } }, /needs \W*every/],
      [{ label: 'X', object: 'account', filter: {}, refresh: { mode: 'schedule', every: 'PT1S' } }, /once a minute/],
      [{ label: 'X', object: 'account', filter: {}, refresh: { mode: 'schedule', every: 'every day' } }, /neither/],
      [{ label: 'X', object: 'account', filter: {}, refresh: { mode: 'manual', every: 'P1D' } }, /schedule/],
      [{ label: 'X', object: 'account', filter: {}, roles: ['ghosts'] }, /Unknown role/],
      [{ label: 'X', object: 'account', filter: { "name'; drop table x; --": { eq: 1 } } }, /./],
      [{ label: 'X', object: 'account' }, /filter/],
    ];
    for (const [body, message] of cases) {
      const r = await put(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.text).toMatch(message);
    }
    // A name that is not an identifier never reaches the database.
    const bad = await put({ label: 'X', object: 'account', filter: {} }, 'Robert%27);drop');
    expect(bad.status).toBe(400);
    expect((await tenant.api.get('/api/meta')).body.segments.bad).toBeUndefined();
  });
});

describe('membership', () => {
  it('a refresh stores the members SQL finds, and lists show them to the admin', async () => {
    const expected = idsOf(await sql(BIG_NORTH_SQL));
    expect(expected).toEqual([ids.a1, ids.a2].sort());
    const r = await refresh('big_north');
    expect(r).toMatchObject({ count: 2, entered: 2, left: 0, trigger: 'manual' });
    const stored = await sql(`select record_id as id from $S._segment_members where segment = 'big_north'`);
    expect(idsOf(stored)).toEqual(expected);
    const list = await tenant.api.get(`/api/records/account?${filterQuery({ id: { inSegment: 'big_north' } })}`);
    expect(list.status, list.text).toBe(200);
    expect(idsOf(list.body.items)).toEqual(expected);
    const members = await tenant.api.get('/api/segments/big_north/members?count=true');
    expect(members.status, members.text).toBe(200);
    expect(idsOf(members.body.items)).toEqual(expected);
    expect(members.body.total).toBe(2);
    const one = await tenant.api.get('/api/segments/big_north');
    expect(one.body).toMatchObject({ name: 'big_north', object: 'account', count: 2, refresh: { mode: 'manual' } });
    expect(one.body['x-i18n']['zh-CN'].label).toBe('北区大客户');
  });

  it('a scoped rep sees only the members inside their row scope, everywhere', async () => {
    const expected = idsOf(await sql(`${BIG_NORTH_SQL} and a.owner = ?`, [rep.id]));
    expect(expected).toEqual([ids.a1]);
    const list = await rep.api.get(`/api/records/account?${filterQuery({ id: { inSegment: 'big_north' } })}`);
    expect(idsOf(list.body.items)).toEqual(expected);
    const members = await rep.api.get('/api/segments/big_north/members?count=true');
    expect(idsOf(members.body.items)).toEqual(expected);
    expect(members.body.total).toBe(1);
    expect((await rep.api.get('/api/segments/big_north')).body.count).toBe(1);
    // The other member (a2, not theirs) stays hidden: no filter on it finds it.
    const probe = await rep.api.get(
      `/api/records/account?${filterQuery({ and: [{ id: { inSegment: 'big_north' } }, { id: { eq: ids.a2 } }] })}`,
    );
    expect(probe.body.items).toEqual([]);
    // Totals across every scope are for admins.
    expect((await rep.api.get('/api/segments/big_north/history')).status).toBe(403);
    expect((await rep.api.post('/api/segments/big_north/refresh')).status).toBe(403);
    expect((await rep.api.post('/api/segments/preview', { object: 'account', filter: {} })).status).toBe(403);
  });

  it('a lookup field selects records whose target is a member (sales of big accounts), through three lookups too', async () => {
    const expected = idsOf(
      await sql(`select s.id from $S.sale s where s.deleted_at is null and s.account in (${BIG_NORTH_SQL})`),
    );
    const list = await tenant.api.get(`/api/records/sale?${filterQuery({ account: { inSegment: 'big_north' } })}`);
    expect(list.status, list.text).toBe(200);
    expect(idsOf(list.body.items)).toEqual(expected);
    const scoped = await rep.api.get(`/api/records/sale?${filterQuery({ account: { inSegment: 'big_north' } })}`);
    const expectedRep = idsOf(
      await sql(
        `select s.id from $S.sale s where s.deleted_at is null and s.owner = ? and s.account in (${BIG_NORTH_SQL} and a.owner = ?)`,
        [rep.id, rep.id],
      ),
    );
    expect(idsOf(scoped.body.items)).toEqual(expectedRep);
    const lines = await refresh('north_lines');
    const expectedLines = await sql(
      `select l.id from $S.sale_line l join $S.sale s on s.id = l.sale join $S.account a on a.id = s.account
        join $S.region r on r.id = a.region where l.deleted_at is null and r.name = 'North'`,
    );
    expect(lines.count).toBe(expectedLines.length);
  });

  it('filters a report by membership', async () => {
    const put = await tenant.api.put('/api/meta/reports/big_north_sales', {
      label: 'Sales of big northern accounts',
      object: 'sale',
      filter: { account: { inSegment: 'big_north' } },
      aggregates: [
        { fn: 'sum', field: 'amount', as: 'amount' },
        { fn: 'count', as: 'n' },
      ],
      chart: 'table',
    });
    expect(put.status, put.text).toBe(200);
    const [expected] = await sql(
      `select sum(amount)::float as amount, count(*)::int as n from $S.sale s
        where s.deleted_at is null and s.account in (${BIG_NORTH_SQL})`,
    );
    const run = await tenant.api.post('/api/reports/big_north_sales/run', {});
    expect(run.status, run.text).toBe(200);
    expect(Number(run.body.rows[0].amount)).toBe(expected!.amount);
    expect(Number(run.body.rows[0].n)).toBe(expected!.n);
  });

  it('merges to a segment as an audience (with the caller scope)', async () => {
    const tpl = await tenant.api.put('/api/print-templates/account/hello', { html: '<p>Hello {{name}}</p>' });
    expect(tpl.status, tpl.text).toBeLessThan(300);
    const dry = await tenant.api.post('/api/records/account/merge', {
      template: 'hello',
      segment: 'big_north',
      dryRun: true,
    });
    expect(dry.status, dry.text).toBe(200);
    expect(idsOf(dry.body.documents)).toEqual([ids.a1, ids.a2].sort());
    const mine = await rep.api.post('/api/records/account/merge', {
      template: 'hello',
      segment: 'big_north',
      dryRun: true,
    });
    expect(mine.status, mine.text).toBe(200);
    expect(idsOf(mine.body.documents)).toEqual([ids.a1]);
    const unknown = await tenant.api.post('/api/records/account/merge', {
      template: 'hello',
      segment: 'ghost',
      dryRun: true,
    });
    expect(unknown.status).toBe(400);
  });

  it('diffs refreshes into history and runs "entered/left segment" rules', async () => {
    for (const [name, on, field] of [
      ['flag_entered', 'segment_entered', 'flagged'],
      ['flag_left', 'segment_left', 'farewell'],
    ] as const) {
      const rule = await tenant.api.put(`/api/meta/automations/${name}`, {
        label: name,
        object: 'account',
        trigger: { on, segment: 'big_north' },
        actions: [{ type: 'set', values: { [field]: true } }],
      });
      expect(rule.status, rule.text).toBe(200);
    }
    // a4 grows into the segment, a2 leaves it (its only sale is deleted, so its roll-up drops).
    await create('sale', 's6', { name: 's6', amount: 200, closed_on: '2026-12-04', account: ids.a4 });
    expect((await tenant.api.delete(`/api/records/sale/${ids.s3}`)).status).toBe(204);
    const expected = idsOf(await sql(BIG_NORTH_SQL));
    expect(expected).toEqual([ids.a1, ids.a4].sort());
    const r = await refresh('big_north');
    expect(r).toMatchObject({ count: 2, entered: 1, left: 1 });
    const flags = await sql(`select id, flagged, farewell from $S.account order by name`);
    const byId = new Map(flags.map((f) => [String(f.id), f]));
    expect(byId.get(ids.a4!)).toMatchObject({ flagged: true });
    expect(byId.get(ids.a2!)).toMatchObject({ farewell: true });
    expect(byId.get(ids.a1!)?.flagged).not.toBe(true);
    // A refresh that changes nothing runs nothing and counts the same.
    const again = await refresh('big_north');
    expect(again).toMatchObject({ count: 2, entered: 0, left: 0 });
    const history = await tenant.api.get('/api/segments/big_north/history');
    expect(history.status, history.text).toBe(200);
    expect(
      history.body.items.map((h: { count: number; entered: number; left: number }) => [h.count, h.entered, h.left]),
    ).toEqual([
      [2, 0, 0],
      [2, 1, 1],
      [2, 2, 0],
    ]);
    const runs = await sql(
      `select rule, record_id from $S._automation_runs where rule like 'flag_%' and period like 'segment:%' order by rule`,
    );
    expect(runs.map((x) => [x.rule, x.record_id])).toEqual([
      ['flag_entered', ids.a4],
      ['flag_left', ids.a2],
    ]);
  });

  it('refreshes scheduled segments once per period', async () => {
    const now = new Date('2030-01-01T10:00:00Z');
    expect(await server.runtime.segments.sweep(now, { tenants: [tenant.id] })).toBe(1);
    expect(await server.runtime.segments.sweep(new Date('2030-01-01T11:00:00Z'), { tenants: [tenant.id] })).toBe(0);
    expect(await server.runtime.segments.sweep(new Date('2030-01-02T00:01:00Z'), { tenants: [tenant.id] })).toBe(1);
    const history = await tenant.api.get('/api/segments/north_lines/history');
    expect(history.body.items.filter((h: { trigger: string }) => h.trigger === 'schedule')).toHaveLength(2);
  });

  it('previews a count for the designer', async () => {
    const r = await tenant.api.post('/api/segments/preview', { object: 'account', filter: bigNorth.filter });
    expect(r.status, r.text).toBe(200);
    expect(r.body.count).toBe((await sql(BIG_NORTH_SQL)).length);
    const bad = await tenant.api.post('/api/segments/preview', { object: 'account', filter: { ghost: { eq: 1 } } });
    expect(bad.status).toBe(400);
  });
});

describe('core-crm segments', () => {
  it('ships account segments whose refresh matches SQL ($today shifts count from the refresh)', async () => {
    const crm = await createTestTenant(server, { prefix: 'segcrm', template: 'core-crm', sampleData: false });
    const seed = async (body: Record<string, unknown>) => {
      const r = await crm.api.post('/api/records/account', body);
      expect(r.status, r.text).toBe(201);
    };
    await seed({ name: 'Big quiet', type: 'customer', annual_revenue: 2_000_000 });
    await seed({ name: 'Small quiet', type: 'customer', annual_revenue: 10_000 });
    await seed({ name: 'Big prospect', type: 'prospect', annual_revenue: 5_000_000 });
    const names = (await crm.api.get('/api/segments')).body.items.map((x: { name: string }) => x.name);
    expect(names).toEqual(expect.arrayContaining(['high_value_at_risk', 'new_customers', 'open_receivables']));
    const crmSql = async (q: string) =>
      (await server.runtime.db.raw(q.replaceAll('$S', `"t_${crm.id}"`))).rows as Array<Record<string, unknown>>;
    const expected = await crmSql(
      `select id from $S.account where deleted_at is null and type = 'customer' and annual_revenue >= 1000000
        and (last_activity_on < current_date - 90 or last_activity_on is null)`,
    );
    const r = await crm.api.post('/api/segments/high_value_at_risk/refresh');
    expect(r.status, r.text).toBe(200);
    expect(r.body.count).toBe(expected.length);
    expect(r.body.count).toBe(1);
    const fresh = await crm.api.post('/api/segments/new_customers/refresh');
    expect(fresh.body.count).toBe(2);
  }, 120_000);
});

describe('unhappy paths', () => {
  it('refuses unknown segments, segments over another object and hidden segments', async () => {
    const list = (object: string, f: unknown, api = tenant.api) => api.get(`/api/records/${object}?${filterQuery(f)}`);
    expect((await list('account', { id: { inSegment: 'ghost' } })).status).toBe(400);
    expect((await list('sale', { id: { inSegment: 'big_north' } })).text).toMatch(/over account/);
    expect((await list('account', { name: { inSegment: 'big_north' } })).status).toBe(400);
    expect((await list('account', { id: { inSegment: "x'; drop table account; --" } })).status).toBe(400);
    expect((await list('account', { id: { inSegment: ['big_north'] } })).status).toBe(400);
    const hidden = await tenant.api.put('/api/meta/segments/finance_only', {
      label: 'Finance only',
      object: 'account',
      filter: {},
      roles: ['finance'],
    });
    expect(hidden.status, hidden.text).toBe(200);
    // Unknown and hidden look the same to the rep.
    const a = await list('account', { id: { inSegment: 'finance_only' } }, rep.api);
    const b = await list('account', { id: { inSegment: 'nothing_here' } }, rep.api);
    expect(a.status).toBe(400);
    expect(a.body.error.message.replace('finance_only', 'X')).toBe(b.body.error.message.replace('nothing_here', 'X'));
    expect((await rep.api.get('/api/segments/finance_only')).status).toBe(404);
    expect((await rep.api.get('/api/segments/finance_only/members')).status).toBe(404);
    const names = (await rep.api.get('/api/segments')).body.items.map((s: { name: string }) => s.name);
    expect(names).toContain('big_north');
    expect(names).not.toContain('finance_only');
    // A user without any grant on the object learns nothing either.
    const nobody = await tenant.addUser({ roles: [] });
    expect((await nobody.api.get('/api/segments/big_north')).status).toBe(404);
    expect((await nobody.api.get('/api/segments')).body.items).toEqual([]);
  });

  it('answers 400/404 for bad names and unknown segments on every route', async () => {
    expect((await tenant.api.get('/api/segments/ghost')).status).toBe(404);
    expect((await tenant.api.post('/api/segments/ghost/refresh')).status).toBe(404);
    expect((await tenant.api.get('/api/segments/ghost/history')).status).toBe(404);
    expect((await tenant.api.get('/api/segments/Bad%20Name')).status).toBe(400);
    expect((await tenant.api.post('/api/segments/x%27%3Bdrop/refresh')).status).toBe(400);
    expect((await tenant.api.get('/api/segments/big_north/members?filter=%7Bnot%20json')).status).toBe(400);
    expect((await tenant.api.post('/api/segments/preview', { object: 'ghost', filter: {} })).status).toBe(400);
    expect((await server.anon.get('/api/segments')).status).toBe(401);
    expect((await rep.api.put('/api/meta/segments/mine', { label: 'x', object: 'account', filter: {} })).status).toBe(
      403,
    );
  });

  it('refuses automation rules on unknown segments or segments of another object', async () => {
    const put = (trigger: unknown) =>
      tenant.api.put('/api/meta/automations/bad_seg', {
        label: 'x',
        object: 'sale',
        trigger,
        actions: [{ type: 'set', values: { name: 'x' } }],
      });
    expect((await put({ on: 'segment_entered' })).text).toMatch(/needs \W*segment/);
    expect((await put({ on: 'segment_entered', segment: 'ghost' })).text).toMatch(/unknown segment/);
    expect((await put({ on: 'segment_left', segment: 'big_north' })).text).toMatch(/over account/);
    expect((await put({ on: 'create', segment: 'big_north' })).status).toBe(400);
  });
});
