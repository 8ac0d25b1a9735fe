import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** Line items saved with their parent, roll-ups kept exact, autonumbers gapless under concurrency. */
let server: TestServer;
let tenant: TestTenant;

const quote = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 100 },
    number: { type: 'string', 'x-autonumber': 'Q-{YYYY}-{0000}' },
    lines: { type: 'array', 'x-children': { object: 'quote_line', field: 'quote' } },
    total: { type: 'number', 'x-kind': 'currency', 'x-rollup': { children: 'lines', op: 'sum', field: 'amount' } },
    line_count: { type: 'integer', 'x-rollup': { children: 'lines', op: 'count' } },
    biggest: { type: 'number', 'x-kind': 'currency', 'x-rollup': { children: 'lines', op: 'max', field: 'amount' } },
    first_delivery: {
      type: 'string',
      format: 'date',
      'x-rollup': { children: 'lines', op: 'min', field: 'deliver_on' },
    },
    last_delivery: {
      type: 'string',
      format: 'date',
      'x-rollup': { children: 'lines', op: 'max', field: 'deliver_on' },
    },
    products: { type: 'integer', 'x-rollup': { children: 'lines', op: 'count_distinct', field: 'product' } },
    // Formulas over a roll-up, one through the other: fresh as soon as the lines move.
    with_tax: { type: 'number', 'x-formula': '(record.total || 0) * 2' },
    grand: { type: 'number', 'x-formula': '(record.with_tax || 0) + 1' },
  },
  required: ['name'],
};
const quoteLine = {
  type: 'object',
  properties: {
    quote: { type: 'string', format: 'uuid', 'x-ref': 'quote' },
    product: { type: 'string', maxLength: 100 },
    amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
    deliver_on: { type: 'string', format: 'date' },
  },
  required: ['quote', 'product', 'amount'],
};

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'reclines' });
  const r = await tenant.api.post('/api/meta/apply', { objects: { quote, quote_line: quoteLine } });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const getQuote = async (id: string) => (await tenant.api.get(`/api/records/quote/${id}`)).body;

describe('line items', () => {
  it('creates a parent with its lines atomically and computes roll-ups', async () => {
    const r = await tenant.api.post('/api/records/quote', {
      name: 'Q1',
      lines: [
        { product: 'a', amount: 10 },
        { product: 'b', amount: 32.5 },
      ],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ total: 42.5, line_count: 2, biggest: 32.5, with_tax: 85, grand: 86 });
    expect(r.body.lines).toHaveLength(2);
    expect(r.body.lines[0]).toMatchObject({ product: 'a', amount: 10, quote: r.body.id });
  });

  it('rolls up the earliest and latest line dates and distinct products, equal to SQL', async () => {
    const r = await tenant.api.post('/api/records/quote', {
      name: 'Dated',
      lines: [
        { product: 'a', amount: 1, deliver_on: '2026-05-02' },
        { product: 'b', amount: 1, deliver_on: '2026-02-10' },
        { product: 'a', amount: 1 },
      ],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ first_delivery: '2026-02-10', last_delivery: '2026-05-02', products: 2 });
    const b = r.body.lines.find((l: { product: string }) => l.product === 'b');
    expect((await tenant.api.delete(`/api/records/quote_line/${b.id}`)).status).toBe(204);
    const q = await getQuote(r.body.id);
    expect(q).toMatchObject({ first_delivery: '2026-05-02', last_delivery: '2026-05-02', products: 1 });
    const [row] = (
      await server.runtime.db.raw(
        `select to_char(min(deliver_on), 'YYYY-MM-DD') as first, to_char(max(deliver_on), 'YYYY-MM-DD') as last,
                count(distinct product)::int as products
           from "t_${tenant.id}".quote_line where quote = ? and deleted_at is null`,
        [r.body.id],
      )
    ).rows;
    expect([q.first_delivery, q.last_delivery, q.products]).toEqual([row.first, row.last, row.products]);
  });

  it('rolls back the parent when a line is invalid, naming the line', async () => {
    const before = (await tenant.api.get('/api/records/quote', { query: { count: 'true' } })).body.total;
    const r = await tenant.api.post('/api/records/quote', {
      name: 'bad',
      lines: [
        { product: 'a', amount: 1 },
        { product: 'b', amount: -1 },
      ],
    });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.fields).join()).toMatch(/lines.*amount/);
    const after = (await tenant.api.get('/api/records/quote', { query: { count: 'true' } })).body.total;
    expect(after).toBe(before);
    expect((await tenant.api.post('/api/records/quote', { name: 'x', lines: [1] })).status).toBe(400);
    expect((await tenant.api.post('/api/records/quote', { name: 'x', lines: 'no' })).status).toBe(400);
  });

  it('updates, adds and removes lines with the parent, keeping roll-ups exact', async () => {
    const c = await tenant.api.post('/api/records/quote', {
      name: 'Q2',
      lines: [
        { product: 'a', amount: 1 },
        { product: 'b', amount: 2 },
      ],
    });
    const [a] = c.body.lines;
    const u = await tenant.api.patch(`/api/records/quote/${c.body.id}`, {
      lines: [
        { id: a.id, amount: 5 },
        { product: 'c', amount: 7 },
      ],
    });
    expect(u.status, u.text).toBe(200);
    expect(u.body).toMatchObject({ total: 12, line_count: 2, biggest: 7, with_tax: 24, grand: 25 });
    expect(u.body.lines.map((l: { product: string }) => l.product).sort()).toEqual(['a', 'c']);
    // A line of another quote cannot be adopted.
    const other = await tenant.api.post('/api/records/quote', { name: 'Q3', lines: [{ product: 'z', amount: 1 }] });
    const steal = await tenant.api.patch(`/api/records/quote/${c.body.id}`, {
      lines: [{ id: other.body.lines[0].id }],
    });
    expect(steal.status).toBe(400);
    // Computed roll-ups are read-only.
    expect((await tenant.api.patch(`/api/records/quote/${c.body.id}`, { total: 1 })).status).toBe(400);
  });

  it('recomputes the parent when a line is saved or deleted on its own', async () => {
    const c = await tenant.api.post('/api/records/quote', { name: 'Q4' });
    expect(c.body).toMatchObject({ total: 0, line_count: 0 });
    const l1 = await tenant.api.post('/api/records/quote_line', { quote: c.body.id, product: 'x', amount: 3 });
    expect(l1.status, l1.text).toBe(201);
    const l2 = await tenant.api.post('/api/records/quote_line', { quote: c.body.id, product: 'y', amount: 4 });
    expect(await getQuote(c.body.id)).toMatchObject({ total: 7, line_count: 2, biggest: 4 });
    await tenant.api.patch(`/api/records/quote_line/${l2.body.id}`, { amount: 10 });
    expect(await getQuote(c.body.id)).toMatchObject({ total: 13, biggest: 10, with_tax: 26, grand: 27 });
    await tenant.api.delete(`/api/records/quote_line/${l2.body.id}`);
    expect(await getQuote(c.body.id)).toMatchObject({ total: 3, line_count: 1 });
    await tenant.api.post(`/api/records/quote_line/${l2.body.id}/restore`);
    expect(await getQuote(c.body.id)).toMatchObject({ total: 13, line_count: 2 });
    // Moving a line to another quote updates both.
    const d = await tenant.api.post('/api/records/quote', { name: 'Q5' });
    await tenant.api.patch(`/api/records/quote_line/${l1.body.id}`, { quote: d.body.id });
    expect(await getQuote(c.body.id)).toMatchObject({ total: 10, line_count: 1 });
    expect(await getQuote(d.body.id)).toMatchObject({ total: 3, line_count: 1 });
  });

  it('keeps roll-ups exact under concurrent line inserts', async () => {
    const c = await tenant.api.post('/api/records/quote', { name: 'Q6' });
    const results = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        tenant.api.post('/api/records/quote_line', { quote: c.body.id, product: `p${i}`, amount: i + 1 }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(await getQuote(c.body.id)).toMatchObject({ total: 120, line_count: 15, biggest: 15 });
  });

  it('refuses a line for a missing parent', async () => {
    const r = await tenant.api.post('/api/records/quote_line', {
      quote: '00000000-0000-4000-8000-000000000000',
      product: 'x',
      amount: 1,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.fields).toHaveProperty('quote');
  });
});

describe('autonumbers', () => {
  it('are gapless and unique under 20 concurrent creates, and rolled-back saves give theirs back', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        tenant.api.post('/api/records/quote', i % 5 === 4 ? { name: 'x'.repeat(200) } : { name: `c${i}` }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(16);
    expect(results.filter((r) => r.status === 400)).toHaveLength(4);
    const all = await tenant.api.get('/api/records/quote', { query: { limit: 500, sort: 'number' } });
    const numbers = all.body.items.map((q: { number: string }) => Number(q.number.split('-')[2]));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    expect(all.body.items[0].number).toMatch(new RegExp(`^Q-${new Date().getUTCFullYear()}-0001$`));
  });
});
