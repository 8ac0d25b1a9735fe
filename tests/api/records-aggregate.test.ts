import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;

const invoice = {
  title: 'Invoice',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    stage: { type: 'string', enum: ['new', 'won', 'lost'] },
    amount: { type: 'number', 'x-kind': 'currency' },
    qty: { type: 'integer' },
    due_on: { type: 'string', format: 'date' },
    secret: { type: 'number' },
    notes: { type: 'string', 'x-kind': 'textarea' },
  },
  required: ['name'],
};

/** [name, stage, amount, qty, due_on] — due dates relative to the as-of day 2026-06-30. */
const rows: [string, string, number, number, string | null][] = [
  ['a', 'new', 100, 1, '2026-07-15'], // not yet due → current
  ['b', 'new', 200, 2, '2026-06-20'], // 10 days → 1-30
  ['c', 'won', 300, 3, '2026-05-21'], // 40 days → 31-60
  ['d', 'won', 400, 4, '2026-04-16'], // 75 days → 61-90
  ['e', 'lost', 500, 5, '2026-02-01'], // 149 days → 91-180
  ['f', 'won', 600, 6, '2025-10-01'], // 272 days → 181+
  ['g', 'won', 50.25, 7, null],
];

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'recagg' });
  const put = await tenant.api.put('/api/meta/objects/invoice', invoice);
  expect(put.status, put.text).toBe(200);
  for (const [name, stage, amount, qty, due_on] of rows) {
    const r = await tenant.api.post('/api/records/invoice', { name, stage, amount, qty, due_on, secret: 1 });
    expect(r.status, r.text).toBe(201);
  }
  const role = await tenant.api.put('/api/meta/roles/rep', {
    label: 'Rep',
    objects: { invoice: { create: true, read: 'own', update: 'own', delete: false, fields: { secret: 'none' } } },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'] });
  const mine = await rep.api.post('/api/records/invoice', {
    name: 'mine',
    stage: 'won',
    amount: 7,
    due_on: '2026-06-01',
  });
  expect(mine.status, mine.text).toBe(201);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const agg = (query: Record<string, string | number | boolean>) =>
  tenant.api.get('/api/records/invoice/aggregate', { query });

describe('aggregate', () => {
  it('groups by a field with count and sum (a funnel)', async () => {
    const r = await agg({ groupBy: 'stage', sum: 'amount', count: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      groups: [
        { stage: 'lost', sum_amount: 500, count: 1 },
        { stage: 'new', sum_amount: 300, count: 2 },
        { stage: 'won', sum_amount: 1357.25, count: 5 },
      ],
      truncated: false,
    });
  });

  it('gives one total without groupBy, with avg/min/max', async () => {
    const r = await agg({ avg: 'qty', min: 'due_on', max: 'amount', count: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body.groups).toEqual([{ avg_qty: 4, min_due_on: '2025-10-01', max_amount: 600, count: 8 }]);
  });

  it('groups by month, quarter and year of a date', async () => {
    const month = await agg({ groupBy: 'due_on:month', count: true, filter: JSON.stringify({ stage: { eq: 'won' } }) });
    expect(month.body.groups).toEqual([
      { 'due_on:month': '2025-10', count: 1 },
      { 'due_on:month': '2026-04', count: 1 },
      { 'due_on:month': '2026-05', count: 1 },
      { 'due_on:month': '2026-06', count: 1 },
      { 'due_on:month': null, count: 1 },
    ]);
    const quarter = await agg({ groupBy: 'due_on:quarter', sum: 'amount' });
    expect(quarter.body.groups.map((g: Record<string, unknown>) => g['due_on:quarter'])).toEqual([
      '2025-Q4',
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      null,
    ]);
    const year = await agg({ groupBy: 'due_on:year', count: true, sort: '-count' });
    expect(year.body.groups[0]).toEqual({ 'due_on:year': '2026', count: 6 });
  });

  it('buckets receivables by age (30/60/90/180 days) as of a day', async () => {
    const r = await agg({
      groupBy: 'due_on:age',
      sum: 'amount',
      asOf: '2026-06-30',
      filter: '{"stage":{"ne":"lost"}}',
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.groups).toEqual([
      { 'due_on:age': 'current', sum_amount: 100 },
      { 'due_on:age': '1-30', sum_amount: 200 + 7 },
      { 'due_on:age': '31-60', sum_amount: 300 },
      { 'due_on:age': '61-90', sum_amount: 400 },
      { 'due_on:age': '181+', sum_amount: 600 },
      { 'due_on:age': null, sum_amount: 50.25 },
    ]);
    const custom = await agg({ groupBy: 'due_on:age:45', count: true, asOf: '2026-06-30' });
    expect(custom.body.groups.map((g: Record<string, unknown>) => g['due_on:age:45'])).toEqual([
      'current',
      '1-45',
      '46+',
      null,
    ]);
  });

  it('groups by two keys, sorts by a measure and limits the groups', async () => {
    const r = await agg({ groupBy: 'stage,due_on:year', sum: 'amount', sort: '-sum_amount', limit: 2 });
    expect(r.status, r.text).toBe(200);
    expect(r.body.groups).toEqual([
      { stage: 'won', 'due_on:year': '2026', sum_amount: 707 },
      { stage: 'won', 'due_on:year': '2025', sum_amount: 600 },
    ]);
    expect(r.body.truncated).toBe(true);
  });

  it('takes the same request as a JSON body', async () => {
    const r = await tenant.api.post('/api/records/invoice/aggregate', {
      groupBy: ['stage'],
      count: true,
      filter: { amount: { gte: 300 } },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.groups).toEqual([
      { stage: 'lost', count: 1 },
      { stage: 'won', count: 3 },
    ]);
  });

  it('applies the read scope and field security of the user', async () => {
    const r = await rep.api.get('/api/records/invoice/aggregate', { query: { groupBy: 'stage', sum: 'amount' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.groups).toEqual([{ stage: 'won', sum_amount: 7 }]);
    const hidden = await rep.api.get('/api/records/invoice/aggregate', { query: { sum: 'secret' } });
    expect(hidden.status).toBe(400);
    expect(hidden.body.error.fields.sum).toMatch(/Unknown field/);
    const byHidden = await rep.api.get('/api/records/invoice/aggregate', {
      query: { count: true, filter: '{"secret":{"eq":1}}' },
    });
    expect(byHidden.status).toBe(400);
  });
});

describe('aggregate refusals', () => {
  it.each([
    ['an unknown field', { groupBy: 'nope' }],
    ['injection in a group key', { groupBy: 'stage"; drop table invoice; --' }],
    ['injection in a measure', { sum: 'amount) from invoice; --' }],
    ['sum of text', { sum: 'name' }],
    ['a long text group', { groupBy: 'notes' }],
    ['a bucket of a non-date', { groupBy: 'amount:month' }],
    ['an unknown bucket', { groupBy: 'due_on:decade' }],
    ['a malformed filter', { filter: '{"stage":' }],
    ['an unknown filter operator', { filter: '{"stage":{"like":"x"}}' }],
    ['a $-operator from a client', { filter: '{"owner":{"$inTeamOf":"x"}}' }],
    ['sorting by something not requested', { groupBy: 'stage', sort: 'amount' }],
    ['a bad as-of day', { groupBy: 'due_on:age', asOf: 'tomorrow' }],
    ['an unknown parameter', { groupBy: 'stage', having: 'x' }],
    ['a limit too high', { groupBy: 'stage', limit: 100000 }],
  ])('refuses %s with 400', async (_label, query) => {
    const r = await agg(query);
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toMatch(/BAD_REQUEST|VALIDATION_FAILED/);
  });

  it('is described in the OpenAPI document, with the import and export routes', async () => {
    const paths = Object.keys((await server.anon.get('/api/openapi.json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/records/{object}/aggregate',
        '/api/records/{object}/import',
        '/api/records/{object}/export',
        '/api/records/{object}/imports/{id}/revert',
        '/api/records/{object}/duplicates',
      ]),
    );
  });

  it('answers 404 for an unknown object and 401 without a session', async () => {
    expect((await tenant.api.get('/api/records/nope/aggregate')).status).toBe(404);
    expect((await server.anon.get('/api/records/invoice/aggregate')).status).toBe(401);
  });

  it('refuses a malformed JSON body and wrong types', async () => {
    const bad = await tenant.api.post('/api/records/invoice/aggregate', undefined, { raw: '{"groupBy":' });
    expect(bad.status).toBe(400);
    const wrong = await tenant.api.post('/api/records/invoice/aggregate', { groupBy: 'stage', count: 'yes' });
    expect(wrong.status).toBe(400);
    const arr = await tenant.api.post('/api/records/invoice/aggregate', [1, 2]);
    expect(arr.status).toBe(400);
  });
});
