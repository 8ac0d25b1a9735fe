import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Roll-ups over related records through the real server: every way a child moves (create, update,
 * move to another parent, delete, restore, purge, import and its revert, concurrent writers) leaves
 * the parent equal to SQL computed here; bad definitions and removals are refused at publish; a new
 * or changed roll-up is backfilled by the publish.
 */
let server: TestServer;
let tenant: TestTenant;

const won = { stage: { eq: 'won' } };
const promo = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 100 },
    cost: { type: 'number', 'x-kind': 'currency' },
    won_total: {
      type: 'number',
      'x-kind': 'currency',
      'x-rollup': { object: 'sale', via: 'promo', op: 'sum', field: 'amount', filter: won },
    },
    won_count: { type: 'integer', 'x-rollup': { object: 'sale', via: 'promo', op: 'count', filter: won } },
    sale_count: { type: 'integer', 'x-rollup': { object: 'sale', via: 'promo', op: 'count' } },
    biggest: { type: 'number', 'x-rollup': { object: 'sale', via: 'promo', op: 'max', field: 'amount' } },
    first_sold_on: {
      type: 'string',
      format: 'date',
      'x-rollup': { object: 'sale', via: 'promo', op: 'min', field: 'sold_on' },
    },
    last_won_on: {
      type: 'string',
      format: 'date',
      'x-rollup': { object: 'sale', via: 'promo', op: 'max', field: 'sold_on', filter: won },
    },
    last_touch_at: {
      type: 'string',
      format: 'date-time',
      'x-rollup': { object: 'sale', via: 'promo', op: 'max', field: 'touched_at' },
    },
    stages: { type: 'integer', 'x-rollup': { object: 'sale', via: 'promo', op: 'count_distinct', field: 'stage' } },
    avg_amount: { type: 'number', 'x-rollup': { object: 'sale', via: 'promo', op: 'avg', field: 'amount' } },
    // A formula over a date roll-up: recomputed when the roll-up moves (as of that save's day).
    days_since_won: { type: 'integer', 'x-formula': 'days_since(record.last_won_on)' },
    won_span: { type: 'integer', 'x-formula': 'days_between(record.first_sold_on, record.last_won_on)' },
    roi: {
      type: 'number',
      'x-formula': 'record.cost > 0 ? ((record.won_total || 0) - record.cost) / record.cost : null',
    },
  },
  required: ['name'],
};
const sale = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 100 },
    promo: { type: 'string', format: 'uuid', 'x-ref': 'promo' },
    amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
    stage: { type: 'string', enum: ['open', 'won', 'lost'], default: 'open' },
    note: { type: 'string', maxLength: 200 },
    sold_on: { type: 'string', format: 'date' },
    touched_at: { type: 'string', format: 'date-time' },
  },
  required: ['name'],
};

const sql = async (query: string, bindings: unknown[] = []) =>
  (await server.runtime.db.raw(query.replaceAll('$S', `"t_${tenant.id}"`), bindings as never)).rows as Record<
    string,
    unknown
  >[];
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The roll-ups of a promo, computed from the sales table independently of the engine. */
async function expected(id: string) {
  const [r] = await sql(
    `select coalesce(sum(amount) filter (where stage = 'won'), 0) as won_total,
            count(*) filter (where stage = 'won') as won_count, count(*) as sale_count, max(amount) as biggest
       from $S.sale where promo = ? and deleted_at is null`,
    [id],
  );
  return {
    won_total: n(r!.won_total),
    won_count: n(r!.won_count),
    sale_count: n(r!.sale_count),
    biggest: n(r!.biggest),
  };
}
/** Date, distinct and average roll-ups of a promo, from SQL written here. */
async function expectedMore(id: string) {
  const [r] = await sql(
    `select to_char(min(sold_on), 'YYYY-MM-DD') as first_sold_on,
            to_char(max(sold_on) filter (where stage = 'won'), 'YYYY-MM-DD') as last_won_on,
            max(touched_at) as last_touch_at, count(distinct stage) as stages, avg(amount) as avg_amount
       from $S.sale where promo = ? and deleted_at is null`,
    [id],
  );
  return {
    first_sold_on: r!.first_sold_on ?? null,
    last_won_on: r!.last_won_on ?? null,
    last_touch_at: r!.last_touch_at ? (r!.last_touch_at as Date).toISOString() : null,
    stages: n(r!.stages),
    avg_amount: r!.avg_amount === null ? null : Math.round(Number(r!.avg_amount) * 1e4) / 1e4,
  };
}
const moreRollups = async (id: string) => {
  const p = await getPromo(id);
  return {
    first_sold_on: p.first_sold_on ?? null,
    last_won_on: p.last_won_on ?? null,
    last_touch_at: p.last_touch_at ? new Date(p.last_touch_at).toISOString() : null,
    stages: n(p.stages),
    avg_amount: p.avg_amount === null ? null : Math.round(Number(p.avg_amount) * 1e4) / 1e4,
  };
};
const getPromo = async (id: string) => (await tenant.api.get(`/api/records/promo/${id}`)).body;
const rollups = async (id: string) => {
  const p = await getPromo(id);
  return { won_total: n(p.won_total), won_count: n(p.won_count), sale_count: n(p.sale_count), biggest: n(p.biggest) };
};
const newPromo = async (name: string, cost = 100) => {
  const r = await tenant.api.post('/api/records/promo', { name, cost });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
};
const newSale = async (body: Record<string, unknown>) => {
  const r = await tenant.api.post('/api/records/sale', { name: 's', ...body });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; version: number };
};
const patchSale = async (id: string, body: Record<string, unknown>) => {
  const r = await tenant.api.patch(`/api/records/sale/${id}`, body);
  expect(r.status, r.text).toBe(200);
};

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'relroll' });
  const r = await tenant.api.post('/api/meta/apply', { objects: { promo, sale } });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('related roll-ups follow every change of the children', () => {
  it('create, update, filter, move, delete, restore and purge', async () => {
    const a = await newPromo('A');
    const b = await newPromo('B');
    const before = await getPromo(a);
    expect(await rollups(a)).toEqual({ won_total: 0, won_count: 0, sale_count: 0, biggest: null });

    const s1 = await newSale({ promo: a, amount: 100, stage: 'won' });
    await newSale({ promo: a, amount: 40, stage: 'open' });
    expect(await rollups(a)).toEqual({ won_total: 100, won_count: 1, sale_count: 2, biggest: 100 });
    expect((await getPromo(a)).roi).toBe(0);

    await patchSale(s1.id, { amount: 250 });
    expect(await rollups(a)).toEqual({ won_total: 250, won_count: 1, sale_count: 2, biggest: 250 });
    expect((await getPromo(a)).roi).toBe(1.5);

    // The filter is honoured: a lost sale still counts in sale_count, not in won_total.
    await patchSale(s1.id, { stage: 'lost' });
    expect(await rollups(a)).toEqual({ won_total: 0, won_count: 0, sale_count: 2, biggest: 250 });
    await patchSale(s1.id, { stage: 'won' });

    // Moved to another parent: both parents move.
    await patchSale(s1.id, { promo: b });
    expect(await rollups(a)).toEqual({ won_total: 0, won_count: 0, sale_count: 1, biggest: 40 });
    expect(await rollups(b)).toEqual({ won_total: 250, won_count: 1, sale_count: 1, biggest: 250 });
    await patchSale(s1.id, { promo: null });
    expect(await rollups(b)).toEqual({ won_total: 0, won_count: 0, sale_count: 0, biggest: null });
    await patchSale(s1.id, { promo: b });

    expect((await tenant.api.delete(`/api/records/sale/${s1.id}`)).status).toBe(204);
    expect(await rollups(b)).toEqual({ won_total: 0, won_count: 0, sale_count: 0, biggest: null });
    expect((await tenant.api.post(`/api/records/sale/${s1.id}/restore`)).status).toBe(200);
    expect(await rollups(b)).toEqual({ won_total: 250, won_count: 1, sale_count: 1, biggest: 250 });
    expect((await tenant.api.delete(`/api/records/sale/${s1.id}`)).status).toBe(204);
    const purged = await tenant.api.post(`/api/records/sale/${s1.id}/purge`);
    expect([200, 204]).toContain(purged.status);
    expect(await rollups(b)).toEqual(await expected(b));
    expect(await rollups(a)).toEqual(await expected(a));

    // Derived values: the parent's version and history stay those of its own edits.
    const after = await getPromo(a);
    expect(after.version).toBe(before.version);
    const history = (await tenant.api.get(`/api/records/promo/${a}/history`)).body;
    expect((history.items ?? history).length).toBe(1);
    // So a user editing the promo with the version they read is not refused.
    const edit = await tenant.api.patch(`/api/records/promo/${a}`, { cost: 50, version: before.version });
    expect(edit.status, edit.text).toBe(200);
    expect(n(edit.body.won_total)).toBe(0);
  });

  it('an import recomputes each parent once per batch, and its revert too', async () => {
    const a = await newPromo('Import A');
    const b = await newPromo('Import B');
    const rows = Array.from({ length: 30 }, (_, i) => ({
      name: `imp ${i}`,
      promo: i % 3 === 0 ? b : a,
      amount: 10 + i,
      stage: i % 2 === 0 ? 'won' : 'open',
    }));
    const r = await tenant.api.post('/api/records/sale/import', undefined, { raw: JSON.stringify(rows) });
    expect(r.status, r.text).toBe(200);
    expect(r.body.inserted).toBe(30);
    expect(await rollups(a)).toEqual(await expected(a));
    expect(await rollups(b)).toEqual(await expected(b));
    expect((await rollups(a)).sale_count).toBe(20);
    const rev = await tenant.api.post(`/api/records/sale/imports/${r.body.id}/revert`);
    expect(rev.status, rev.text).toBe(200);
    expect(await rollups(a)).toEqual({ won_total: 0, won_count: 0, sale_count: 0, biggest: null });
    expect(await rollups(b)).toEqual({ won_total: 0, won_count: 0, sale_count: 0, biggest: null });
  });

  it('concurrent writers on the same parents lose no update', async () => {
    const a = await newPromo('Busy A');
    const b = await newPromo('Busy B');
    const created = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        tenant.api.post('/api/records/sale', {
          name: `c${i}`,
          promo: i % 2 ? a : b,
          amount: i + 1,
          stage: i % 4 === 0 ? 'open' : 'won',
        }),
      ),
    );
    expect(created.map((r) => r.status)).toEqual(created.map(() => 201));
    expect(await rollups(a)).toEqual(await expected(a));
    expect(await rollups(b)).toEqual(await expected(b));
    // Children moving both ways between the two parents at once: no deadlock, no lost update.
    const moved = await Promise.all(
      created
        .slice(0, 12)
        .map((r, i) => tenant.api.patch(`/api/records/sale/${r.body.id}`, { promo: i % 2 ? b : a, amount: 100 + i })),
    );
    expect(moved.map((r) => r.status)).toEqual(moved.map(() => 200));
    const [ea, eb] = [await expected(a), await expected(b)];
    expect(await rollups(a)).toEqual(ea);
    expect(await rollups(b)).toEqual(eb);
    expect(ea.sale_count! + eb.sale_count!).toBe(24);
  });

  it('a workflow setting the stage of a sale moves the parent too', async () => {
    const wf = await tenant.api.put('/api/meta/workflows/sale_win', {
      object: 'sale',
      label: 'Win a sale',
      trigger: { on: 'submit' },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'ok',
          type: 'approval',
          position: { x: 0, y: 100 },
          data: { label: 'Admin', approvers: [{ user: tenant.admin.id }], mode: 'any' },
        },
        { id: 'won', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved', set: { stage: 'won' } } },
        { id: 'no', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'ok' },
        { id: 'e2', source: 'ok', target: 'won', data: { outcome: 'approved' } },
        { id: 'e3', source: 'ok', target: 'no', data: { outcome: 'rejected' } },
      ],
    });
    expect(wf.status, wf.text).toBe(200);
    const a = await newPromo('Workflow');
    const s = await newSale({ promo: a, amount: 33, stage: 'open' });
    expect((await tenant.api.post(`/api/records/sale/${s.id}/submit`, {})).status).toBe(201);
    const inbox = await tenant.api.get('/api/approvals/inbox');
    const task = inbox.body.items.find((i: { record: string }) => i.record === s.id);
    const approved = await tenant.api.post(`/api/approvals/tasks/${task.task}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
    expect((await tenant.api.get(`/api/records/sale/${s.id}`)).body.stage).toBe('won');
    expect(await rollups(a)).toEqual({ won_total: 33, won_count: 1, sale_count: 1, biggest: 33 });
    expect((await tenant.api.delete('/api/meta/workflows/sale_win')).status).toBe(200);
  });

  it('roll-up fields are read-only to clients, like formulas', async () => {
    const created = await tenant.api.post('/api/records/promo', { name: 'x', won_total: 5 });
    expect(created.status).toBe(400);
    const a = await newPromo('RO');
    const patched = await tenant.api.patch(`/api/records/promo/${a}`, { won_count: 3 });
    expect(patched.status).toBe(400);
    expect(await rollups(a)).toEqual({ won_total: 0, won_count: 0, sale_count: 0, biggest: null });
  });

  it('counts children the reader may not see', async () => {
    const role = await tenant.api.put('/api/meta/roles/promo_viewer', {
      objects: { promo: { read: 'all' }, sale: { read: 'own', create: true } },
    });
    expect(role.status, role.text).toBe(200);
    const viewer = await tenant.addUser({ roles: ['promo_viewer'] });
    const a = await newPromo('Hidden');
    await newSale({ promo: a, amount: 70, stage: 'won' });
    const own = await viewer.api.post('/api/records/sale', { name: 'mine', promo: a, amount: 5, stage: 'won' });
    expect(own.status, own.text).toBe(201);
    const visible = await viewer.api.get('/api/records/sale', {
      query: { filter: JSON.stringify({ promo: { eq: a } }) },
    });
    expect(visible.body.items.map((r: { name: string }) => r.name)).toEqual(['mine']);
    const seen = await viewer.api.get(`/api/records/promo/${a}`);
    expect(seen.status).toBe(200);
    expect([n(seen.body.won_total), n(seen.body.won_count)]).toEqual([75, 2]);
    expect(await rollups(a)).toEqual(await expected(a));
  });
});

describe('roll-ups of dates, distinct counts and averages', () => {
  it('follow create, update, filter, delete, restore and purge, equal to SQL', async () => {
    const a = await newPromo('Dates');
    expect(await moreRollups(a)).toEqual({
      first_sold_on: null,
      last_won_on: null,
      last_touch_at: null,
      stages: 0,
      avg_amount: null,
    });
    const s1 = await newSale({
      promo: a,
      amount: 100,
      stage: 'won',
      sold_on: '2026-03-05',
      touched_at: '2026-03-05T10:00:00.000Z',
    });
    const s2 = await newSale({
      promo: a,
      amount: 50,
      stage: 'open',
      sold_on: '2026-01-20',
      touched_at: '2026-04-01T08:30:00.000Z',
    });
    await newSale({ promo: a, amount: 30, stage: 'won', sold_on: '2025-12-31' });
    expect(await moreRollups(a)).toEqual({
      first_sold_on: '2025-12-31',
      last_won_on: '2026-03-05',
      last_touch_at: '2026-04-01T08:30:00.000Z',
      stages: 2,
      avg_amount: 60,
    });
    expect(await moreRollups(a)).toEqual(await expectedMore(a));
    const [days] = await sql(
      `select (now() at time zone 'utc')::date - max(sold_on) filter (where stage = 'won') as since,
              max(sold_on) filter (where stage = 'won') - min(sold_on) as span
         from $S.sale where promo = ? and deleted_at is null`,
      [a],
    );
    const computed = await getPromo(a);
    // Computed at the save, compared a moment later: midnight (UTC) may fall in between.
    expect([n(days!.since), n(days!.since)! - 1]).toContain(computed.days_since_won);
    expect(computed.won_span).toBe(n(days!.span));
    expect(computed.won_span).toBe(64);

    // The filter: an open sale's later date is not the last won one.
    await patchSale(s2.id, { sold_on: '2026-06-01' });
    expect((await moreRollups(a)).last_won_on).toBe('2026-03-05');
    expect(await moreRollups(a)).toEqual(await expectedMore(a));

    expect((await tenant.api.delete(`/api/records/sale/${s1.id}`)).status).toBe(204);
    expect(await moreRollups(a)).toMatchObject({
      last_won_on: '2025-12-31',
      last_touch_at: '2026-04-01T08:30:00.000Z',
    });
    expect(await moreRollups(a)).toEqual(await expectedMore(a));
    expect((await getPromo(a)).won_span).toBe(0);

    const restored = await tenant.api.post(`/api/records/sale/${s1.id}/restore`, {});
    expect(restored.status, restored.text).toBe(200);
    expect((await moreRollups(a)).last_won_on).toBe('2026-03-05');
    expect(await moreRollups(a)).toEqual(await expectedMore(a));

    expect((await tenant.api.delete(`/api/records/sale/${s2.id}`)).status).toBe(204);
    const purged = await tenant.api.post(`/api/records/sale/${s2.id}/purge`);
    expect([200, 204], purged.text).toContain(purged.status);
    expect(await moreRollups(a)).toMatchObject({ stages: 1, last_touch_at: '2026-03-05T10:00:00.000Z' });
    expect(await moreRollups(a)).toEqual(await expectedMore(a));
  });

  it('refuses wrong combinations at the path of the problem', async () => {
    const withBad = (def: Record<string, unknown>) => ({ ...promo, properties: { ...promo.properties, bad: def } });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { type: 'number', 'x-rollup': { object: 'sale', via: 'promo', op: 'avg', field: 'name' } },
        '/x-rollup/field',
        /Cannot avg a Text field/,
      ],
      [
        { type: 'number', 'x-rollup': { object: 'sale', via: 'promo', op: 'sum', field: 'sold_on' } },
        '/x-rollup/field',
        /Cannot sum a Date field/,
      ],
      [
        { type: 'number', 'x-rollup': { object: 'sale', via: 'promo', op: 'max', field: 'sold_on' } },
        '/format',
        /must have type "string" and format "date"/,
      ],
      [
        {
          type: 'string',
          format: 'date',
          'x-rollup': { object: 'sale', via: 'promo', op: 'max', field: 'touched_at' },
        },
        '/format',
        /format "date-time"/,
      ],
      [
        { type: 'string', format: 'date', 'x-rollup': { object: 'sale', via: 'promo', op: 'max', field: 'amount' } },
        '/format',
        /is a number, not a date/,
      ],
      [
        { type: 'string', format: 'date', 'x-rollup': { object: 'sale', via: 'promo', op: 'avg', field: 'sold_on' } },
        '/type',
        /"avg" roll-up must have type "number"/,
      ],
      [
        { type: 'number', 'x-rollup': { object: 'sale', via: 'promo', op: 'count_distinct', field: 'stage' } },
        '/type',
        /count_distinct roll-up must have type "integer"/,
      ],
      [{ type: 'string', 'x-rollup': { object: 'sale', via: 'promo', op: 'max', field: 'sold_on' } }, '/type', /date/],
    ];
    for (const [def, path, message] of cases) {
      const r = await tenant.api.put('/api/meta/objects/promo', withBad(def));
      expect(r.status, JSON.stringify(def)).toBe(400);
      const fields = (r.body.error.fields ?? {}) as Record<string, string>;
      const at = Object.entries(fields).find(([p]) => p.startsWith(`/objects/promo/properties/bad${path}`));
      expect(at, `${JSON.stringify(fields)} for ${JSON.stringify(def)}`).toBeDefined();
      expect(String(at![1])).toMatch(message);
    }
  });
});

describe('publishing related roll-ups', () => {
  const withField = (name: string, def: Record<string, unknown>) => ({
    ...promo,
    properties: { ...promo.properties, [name]: def },
  });

  it('refuses bad definitions with the path of the problem', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ object: 'nope', via: 'promo', op: 'count' }, '/x-rollup/object'],
      [{ object: 'sale', via: 'name', op: 'count' }, '/x-rollup/via'],
      [{ object: 'sale', via: 'promo', op: 'sum', field: 'stage' }, '/x-rollup/field'],
      [{ object: 'sale', via: 'promo', op: 'count', filter: { nope: { eq: 1 } } }, '/x-rollup/filter/nope'],
      [
        { object: 'sale', via: 'promo', op: 'count', filter: { "x'); drop table sale; --": { eq: 1 } } },
        '/x-rollup/filter',
      ],
      [{ object: 'sale', via: 'promo', op: 'count', children: 'lines' }, '/x-rollup'],
      [{ object: 'sale', op: 'count' }, '/x-rollup/via'],
      [{ object: 'sale', via: 'promo', op: 'count', filter: 'stage = won' }, '/x-rollup/filter'],
      [
        { object: 'sale', via: 'promo', op: 'count', filter: { stage: { eq: 'won', drop: 1 } } },
        '/x-rollup/filter/stage',
      ],
      [{ object: 'Sale"; drop', via: 'promo', op: 'count' }, '/x-rollup/object'],
    ];
    for (const [rollup, path] of cases) {
      const r = await tenant.api.put(
        '/api/meta/objects/promo',
        withField('bad', { type: 'integer', 'x-rollup': rollup }),
      );
      expect(r.status, JSON.stringify(rollup)).toBe(400);
      const paths = Object.keys(r.body.error.fields ?? {});
      expect(
        paths.some((p) => p.startsWith(`/objects/promo/properties/bad${path}`)),
        `${paths.join()} for ${JSON.stringify(rollup)}`,
      ).toBe(true);
    }
    const count = await tenant.api.put(
      '/api/meta/objects/promo',
      withField('bad', { type: 'number', 'x-rollup': { object: 'sale', via: 'promo', op: 'count' } }),
    );
    expect(count.status).toBe(400);
    expect(Object.keys(count.body.error.fields)).toContain('/objects/promo/properties/bad/type');
  });

  it('refuses removing what a roll-up reads, listing the roll-up', async () => {
    const { amount: _amount, ...rest } = sale.properties;
    const r = await tenant.api.put(
      '/api/meta/objects/sale',
      { ...sale, properties: rest },
      {
        query: { allowDestructive: true },
      },
    );
    expect(r.status).toBe(409);
    expect(r.body.error.details.dependents['field:sale.amount']).toEqual(
      expect.arrayContaining([expect.objectContaining({ via: 'roll-up', name: 'promo.won_total' })]),
    );
    const { stage: _stage, ...noStage } = sale.properties;
    const s = await tenant.api.put(
      '/api/meta/objects/sale',
      { ...sale, properties: noStage },
      {
        query: { allowDestructive: true },
      },
    );
    expect(s.status).toBe(409);
    expect(s.body.error.details.dependents['field:sale.stage']).toBeDefined();
    const dropped = await tenant.api.delete('/api/meta/objects/sale', { query: { allowDestructive: true } });
    expect(dropped.status).toBe(409);
    expect(dropped.body.error.details.dependents['object:sale']).toBeDefined();
  });

  it('backfills a new or changed roll-up on every existing parent, as a plan step', async () => {
    const a = await newPromo('Backfill A');
    const b = await newPromo('Backfill B');
    for (const [promoId, amount, stage] of [
      [a, 5, 'lost'],
      [a, 7, 'lost'],
      [b, 11, 'lost'],
      [b, 13, 'won'],
    ] as const)
      await newSale({ promo: promoId, amount, stage });
    const lostTotal = {
      type: 'number',
      'x-rollup': { object: 'sale', via: 'promo', op: 'sum', field: 'amount', filter: { stage: { eq: 'lost' } } },
    };
    const plan = await tenant.api.post('/api/meta/plan', { objects: { promo: withField('lost_total', lostTotal) } });
    expect(plan.status, plan.text).toBe(200);
    const step = plan.body.steps.find((s: { kind: string }) => s.kind === 'recompute_rollup');
    expect(step).toMatchObject({ destructive: false, description: 'Recompute roll-up promo.lost_total' });

    const applied = await tenant.api.put('/api/meta/objects/promo', withField('lost_total', lostTotal));
    expect(applied.status, applied.text).toBe(200);
    const lost = async (id: string) =>
      n(
        (
          await sql(
            `select coalesce(sum(amount), 0) as s from $S.sale where promo = ? and stage = 'lost' and deleted_at is null`,
            [id],
          )
        )[0]!.s,
      );
    expect(n((await getPromo(a)).lost_total)).toBe(await lost(a));
    expect(n((await getPromo(b)).lost_total)).toBe(11);
    expect(n((await getPromo(a)).lost_total)).toBe(12);

    // Changing the filter recomputes; publishing the same definition again has no such step.
    const changed = {
      ...lostTotal,
      'x-rollup': { ...lostTotal['x-rollup'], filter: { stage: { in: ['lost', 'won'] } } },
    };
    const again = await tenant.api.put('/api/meta/objects/promo', withField('lost_total', changed));
    expect(again.status, again.text).toBe(200);
    expect(n((await getPromo(b)).lost_total)).toBe(24);
    const same = await tenant.api.post('/api/meta/plan', { objects: { promo: withField('lost_total', changed) } });
    expect(same.body.steps.some((s: { kind: string }) => s.kind === 'recompute_rollup')).toBe(false);

    // Filter values reach the backfill's SQL text as escaped literals: quotes, `?` and `$1` stay data.
    const tricky = "x'?$1; drop table sale; --";
    await newSale({ promo: a, amount: 1, stage: 'open', note: tricky });
    const noted = {
      type: 'integer',
      'x-rollup': {
        object: 'sale',
        via: 'promo',
        op: 'count',
        filter: { or: [{ note: { eq: tricky } }, { note: { in: [tricky, '"{}\\'] } }] },
      },
    };
    const withNoted = await tenant.api.put('/api/meta/objects/promo', {
      ...withField('lost_total', changed),
      properties: { ...withField('lost_total', changed).properties, noted },
    });
    expect(withNoted.status, withNoted.text).toBe(200);
    expect([n((await getPromo(a)).noted), n((await getPromo(b)).noted)]).toEqual([1, 0]);
    // The hostile text stayed data: the table is intact and holds it verbatim.
    expect(Number((await sql('select count(*) as c from $S.sale where note = ?', [tricky]))[0]!.c)).toBe(1);

    // A stored field turned into a roll-up: hand-typed values are replaced by the computed ones.
    const typed = await tenant.api.put('/api/meta/objects/promo', withField('lost_total', { type: 'number' }), {
      query: { allowDestructive: true },
    });
    expect(typed.status, typed.text).toBe(200);
    expect((await tenant.api.patch(`/api/records/promo/${b}`, { lost_total: 999 })).status).toBe(200);
    const back = await tenant.api.put('/api/meta/objects/promo', withField('lost_total', changed));
    expect(back.status, back.text).toBe(200);
    expect(n((await getPromo(b)).lost_total)).toBe(24);
  });
});
