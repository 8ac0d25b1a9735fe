import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The product-sales template's stock and order amount (issue 23), as its consultant-readable
 * script does it with the script API's `adjust()`: confirming an order takes stock atomically, never
 * below zero, so concurrent orders never oversell; an order's amount is its lines' total.
 */
let server: TestServer;
let t: TestTenant;
let rep: ApiClient;
let account: string;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  t = await createTestTenant(server, { prefix: 'pstock', template: 'product-sales' });
  const u = await t.addUser({ roles: ['sales_rep'], name: 'Counter sales' });
  rep = u.api;
  const a = await rep.post('/api/records/account', { name: 'Blue Bottle Café' });
  expect(a.status, a.text).toBe(201);
  account = a.body.id;
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

async function product(code: string, stock: number, price = 100): Promise<string> {
  const r = await t.api.post('/api/records/product', { name: code, code, list_price: price, stock });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function draftOrder(lines: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const r = await rep.post('/api/records/order', { account, ...extra, lines });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; version: number; amount: number };
}

const stockOf = async (id: string) => Number((await t.api.get(`/api/records/product/${id}`)).body.stock);
const confirm = (id: string) => rep.patch(`/api/records/order/${id}`, { status: 'confirmed' });

describe('product sales: order amount and stock', () => {
  it("an order's amount is its lines' total and cannot be typed", async () => {
    const p = await product('AMT-1', 100, 1420);
    const o = await draftOrder([
      { product: p, quantity: 2 },
      { product: p, quantity: 1, unit_price: 0 },
    ]);
    expect(Number(o.amount)).toBe(2840);
    const typed = await rep.patch(`/api/records/order/${o.id}`, { amount: 1 });
    expect(typed.status, typed.text).toBe(400);
    expect(typed.body.error.fields.amount).toBeTruthy();
  });

  it('confirming takes the stock; beyond it the order is refused with a clear error and nothing is taken', async () => {
    const a = await product('STK-A', 5);
    const b = await product('STK-B', 2);
    const ok = await draftOrder([{ product: a, quantity: 3 }]);
    const c1 = await confirm(ok.id);
    expect(c1.status, c1.text).toBe(200);
    expect(await stockOf(a)).toBe(2);
    // Two lines, the second short: the whole confirmation is refused, the first line's stock stays.
    const short = await draftOrder([
      { product: a, quantity: 1 },
      { product: b, quantity: 2, unit_price: 10 },
    ]);
    // Meanwhile the shop sold one B over the counter.
    expect((await t.api.patch(`/api/records/product/${b}`, { stock: 1 })).status).toBe(200);
    const c2 = await confirm(short.id);
    expect(c2.status, c2.text).toBe(400);
    expect(c2.body.error.fields.status).toMatch(/Not enough stock: 1 left/);
    expect(await stockOf(a)).toBe(2);
    expect(await stockOf(b)).toBe(1);
    expect((await rep.get(`/api/records/order/${short.id}`)).body.status).toBe('draft');
    // Cancelling the confirmed order returns its stock.
    const cancel = await rep.patch(`/api/records/order/${ok.id}`, { status: 'cancelled' });
    expect(cancel.status, cancel.text).toBe(200);
    expect(await stockOf(a)).toBe(5);
  });

  it('an order created already confirmed is refused (its lines are not saved yet)', async () => {
    const a = await product('STK-C', 5);
    const r = await rep.post('/api/records/order', {
      account,
      status: 'confirmed',
      lines: [{ product: a, quantity: 1 }],
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.fields.status).toMatch(/lines first/);
    expect(await stockOf(a)).toBe(5);
  });

  it('with back-orders allowed, the order confirms, takes what is there and records the shortfall', async () => {
    const a = await product('STK-D', 3);
    const o = await draftOrder([{ product: a, quantity: 2, unit_price: 1 }], { allow_backorder: true });
    // The line check warns unless back-orders are allowed: here they are.
    await t.api.patch(`/api/records/product/${a}`, { stock: 1 });
    const c = await confirm(o.id);
    expect(c.status, c.text).toBe(200);
    expect(c.body).toMatchObject({ status: 'confirmed', backordered: 1 });
    expect(await stockOf(a)).toBe(0);
  });

  it('20 concurrent orders of 1 against a stock of 10: exactly 10 are confirmed, stock never negative', async () => {
    const p = await product('RACE-10', 10);
    const orders = [];
    for (let i = 0; i < 20; i += 1) orders.push(await draftOrder([{ product: p, quantity: 1 }]));
    const results = await Promise.all(orders.map((o) => confirm(o.id)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 400)).toHaveLength(10);
    for (const r of results.filter((x) => x.status === 400))
      expect(r.body.error.fields.status).toMatch(/Not enough stock: 0 left/);
    expect(await stockOf(p)).toBe(0);
    const confirmed = await rep.get('/api/records/order', {
      query: {
        filter: JSON.stringify({ status: { eq: 'confirmed' }, id: { in: orders.map((o) => o.id) } }),
        count: 'true',
      },
    });
    expect(confirmed.body.total).toBe(10);
  });
});
