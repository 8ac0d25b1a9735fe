import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The product-sales template's stock (issue 23), as its consultant-readable scripts do it with the
 * script API's `adjust()`: stock per warehouse (`stock_level`), confirming an order reserves
 * (available = on hand − reserved), a delivery note delivers (on hand and reserved go down), an
 * order beyond what is available is refused unless back-orders are allowed, and concurrent orders
 * never oversell. An order's amount, tax and total come from its lines.
 */
let server: TestServer;
let t: TestTenant;
let rep: ApiClient;
let clerk: ApiClient;
let account: string;
let warehouse: string;
let otherWarehouse: string;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  t = await createTestTenant(server, { prefix: 'pstock', template: 'product-sales' });
  rep = (await t.addUser({ roles: ['sales_rep'], name: 'Counter sales' })).api;
  clerk = (await t.addUser({ roles: ['warehouse_clerk'], name: 'Warehouse' })).api;
  const a = await rep.post('/api/records/account', { name: 'Blue Bottle Café' });
  expect(a.status, a.text).toBe(201);
  account = a.body.id;
  const w = await t.api.post('/api/records/warehouse', { name: 'Main', code: 'MAIN', is_default: true });
  expect(w.status, w.text).toBe(201);
  warehouse = w.body.id;
  const w2 = await t.api.post('/api/records/warehouse', { name: 'North', code: 'NORTH' });
  otherWarehouse = w2.body.id;
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

/** A product with `stock` units on hand at the main warehouse. */
async function product(code: string, stock: number, price = 100): Promise<string> {
  const r = await t.api.post('/api/records/product', { name: code, code, list_price: price });
  expect(r.status, r.text).toBe(201);
  const s = await t.api.post('/api/records/stock_level', {
    product: r.body.id,
    warehouse,
    on_hand: stock,
    available: stock,
  });
  expect(s.status, s.text).toBe(201);
  return r.body.id;
}

async function draftOrder(lines: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const r = await rep.post('/api/records/order', { account, ...extra, lines });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; version: number; amount: number; warehouse: string };
}

async function level(p: string, w = warehouse) {
  const r = await t.api.get('/api/records/stock_level', {
    query: { filter: JSON.stringify({ product: { eq: p }, warehouse: { eq: w } }) },
  });
  const s = r.body.items[0];
  return { on_hand: Number(s.on_hand), reserved: Number(s.reserved), available: Number(s.available) };
}
const confirm = (id: string) => rep.patch(`/api/records/order/${id}`, { status: 'confirmed' });

async function deliveryNote(order: string, lines: Array<Record<string, unknown>>) {
  const r = await clerk.post('/api/records/delivery_note', { order, lines });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}
const post = (id: string) => clerk.patch(`/api/records/delivery_note/${id}`, { status: 'posted' });

describe('product sales: order amount', () => {
  it("an order's amount, tax and total come from its lines and cannot be typed", async () => {
    const p = await product('AMT-1', 100, 1420);
    const o = await draftOrder([
      { product: p, quantity: 2 },
      { product: p, quantity: 1, unit_price: 0 },
    ]);
    expect(Number(o.amount)).toBe(2840);
    const full = (await rep.get(`/api/records/order/${o.id}`)).body;
    expect(Number(full.tax)).toBe(369.2);
    expect(Number(full.total)).toBe(3209.2);
    expect(full.warehouse).toBe(warehouse);
    for (const typed of [{ amount: 1 }, { total: 1 }, { tax: 1 }]) {
      const r = await rep.patch(`/api/records/order/${o.id}`, typed);
      expect(r.status, r.text).toBe(400);
      expect(Object.keys(r.body.error.fields)).toEqual(Object.keys(typed));
    }
    const bad = await rep.post('/api/records/order_line', { order: o.id, product: p, quantity: -1 });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.error.fields.quantity).toBeTruthy();
  });
});

describe('product sales: reservations', () => {
  it('confirming reserves; beyond what is available the order is refused and nothing is reserved', async () => {
    const a = await product('STK-A', 5);
    const b = await product('STK-B', 2);
    const ok = await draftOrder([{ product: a, quantity: 3 }]);
    const c1 = await confirm(ok.id);
    expect(c1.status, c1.text).toBe(200);
    expect(await level(a)).toEqual({ on_hand: 5, reserved: 3, available: 2 });
    const pa = (await rep.get(`/api/records/product/${a}`)).body;
    expect([Number(pa.stock), Number(pa.reserved), Number(pa.available)]).toEqual([5, 3, 2]);
    // Two lines, the second short: the whole confirmation is refused, the first line's reservation stays undone.
    const short = await draftOrder([
      { product: a, quantity: 1 },
      { product: b, quantity: 2 },
    ]);
    // Meanwhile another order reserved one B.
    const other = await draftOrder([{ product: b, quantity: 1 }]);
    expect((await confirm(other.id)).status).toBe(200);
    const c2 = await confirm(short.id);
    expect(c2.status, c2.text).toBe(400);
    expect(c2.body.error.fields.status).toMatch(/Not enough stock: 1 left/);
    expect(await level(a)).toEqual({ on_hand: 5, reserved: 3, available: 2 });
    expect(await level(b)).toEqual({ on_hand: 2, reserved: 1, available: 1 });
    expect((await rep.get(`/api/records/order/${short.id}`)).body.status).toBe('draft');
    // Cancelling the confirmed order releases its reservation; a confirmed order never goes back to draft.
    const back = await rep.patch(`/api/records/order/${ok.id}`, { status: 'draft' });
    expect(back.status, back.text).toBe(400);
    const cancel = await rep.patch(`/api/records/order/${ok.id}`, { status: 'cancelled' });
    expect(cancel.status, cancel.text).toBe(200);
    expect(await level(a)).toEqual({ on_hand: 5, reserved: 0, available: 5 });
  });

  it('an order created already confirmed, or shipping from a warehouse without the product, is refused', async () => {
    const a = await product('STK-C', 5);
    const r = await rep.post('/api/records/order', {
      account,
      status: 'confirmed',
      lines: [{ product: a, quantity: 1 }],
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.fields.status).toMatch(/lines first/);
    const north = await draftOrder([{ product: a, quantity: 1 }], { warehouse: otherWarehouse, allow_backorder: true });
    const c = await confirm(north.id);
    expect(c.status, c.text).toBe(400);
    expect(c.body.error.fields.status).toMatch(/does not stock STK-C/);
    expect(await level(a)).toEqual({ on_hand: 5, reserved: 0, available: 5 });
  });

  it('lines of a confirmed order do not change, and a line beyond what is available is flagged early', async () => {
    const a = await product('STK-L', 4);
    const early = await rep.post('/api/records/order', { account, lines: [{ product: a, quantity: 9 }] });
    expect(early.status, early.text).toBe(400);
    expect(JSON.stringify(early.body.error.fields)).toMatch(/Only 4 in stock/);
    const o = await draftOrder([{ product: a, quantity: 1 }]);
    expect((await confirm(o.id)).status).toBe(200);
    const add = await rep.post('/api/records/order_line', { order: o.id, product: a, quantity: 1 });
    expect(add.status, add.text).toBe(400);
    expect(add.body.error.fields.quantity).toMatch(/confirmed/);
  });

  it('with back-orders allowed, the order confirms, reserves beyond stock and records the shortfall', async () => {
    const a = await product('STK-D', 3);
    const o = await draftOrder([{ product: a, quantity: 5 }], { allow_backorder: true });
    const c = await confirm(o.id);
    expect(c.status, c.text).toBe(200);
    expect(c.body).toMatchObject({ status: 'confirmed', backordered: 2 });
    expect(await level(a)).toEqual({ on_hand: 3, reserved: 5, available: -2 });
    // The back-order comes first: an order without back-orders finds nothing available.
    const next = await draftOrder([{ product: a, quantity: 1 }], { allow_backorder: true });
    await t.api.patch(`/api/records/order/${next.id}`, { allow_backorder: false });
    const refused = await confirm(next.id);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error.fields.status).toMatch(/-2 left/);
    // Cancelling gives back the whole reservation, back-ordered units included.
    expect((await rep.patch(`/api/records/order/${o.id}`, { status: 'cancelled' })).status).toBe(200);
    expect(await level(a)).toEqual({ on_hand: 3, reserved: 0, available: 3 });
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
    expect(await level(p)).toEqual({ on_hand: 10, reserved: 10, available: 0 });
    const confirmed = await rep.get('/api/records/order', {
      query: {
        filter: JSON.stringify({ status: { eq: 'confirmed' }, id: { in: orders.map((o) => o.id) } }),
        count: 'true',
      },
    });
    expect(confirmed.body.total).toBe(10);
  });
});

describe('product sales: delivery notes', () => {
  it('posting a delivery note takes the units off the shelf and out of the reservation', async () => {
    const a = await product('DLV-A', 10);
    const o = await draftOrder([{ product: a, quantity: 4 }]);
    // Not confirmed yet: nothing to deliver.
    const early = await deliveryNote(o.id, [{ product: a, quantity: 1 }]);
    const refused = await post(early);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error.fields.order).toMatch(/confirmed/);
    expect((await confirm(o.id)).status).toBe(200);
    const dn = await deliveryNote(o.id, [{ product: a, quantity: 3 }]);
    const p1 = await post(dn);
    expect(p1.status, p1.text).toBe(200);
    expect(p1.body.delivered_on).toBeTruthy();
    expect(await level(a)).toEqual({ on_hand: 7, reserved: 1, available: 6 });
    // More than the order has left to deliver: refused, nothing moves.
    const tooMuch = await deliveryNote(o.id, [{ product: a, quantity: 2 }]);
    const p2 = await post(tooMuch);
    expect(p2.status, p2.text).toBe(400);
    expect(p2.body.error.fields.status).toMatch(/1 of DLV-A left to deliver/);
    expect(await level(a)).toEqual({ on_hand: 7, reserved: 1, available: 6 });
    // A posted note does not change; created posted it is refused.
    const reopen = await clerk.patch(`/api/records/delivery_note/${dn}`, { status: 'draft' });
    expect(reopen.status, reopen.text).toBe(400);
    const direct = await clerk.post('/api/records/delivery_note', {
      order: o.id,
      status: 'posted',
      lines: [{ product: a, quantity: 1 }],
    });
    expect(direct.status, direct.text).toBe(400);
    // Cancelling the order releases only what it has not delivered.
    expect((await rep.patch(`/api/records/order/${o.id}`, { status: 'cancelled' })).status).toBe(200);
    expect(await level(a)).toEqual({ on_hand: 7, reserved: 0, available: 7 });
  });

  it('two delivery notes racing for the last units of an order: one is posted', async () => {
    const a = await product('DLV-R', 10);
    const o = await draftOrder([{ product: a, quantity: 2 }]);
    expect((await confirm(o.id)).status).toBe(200);
    const notes = [
      await deliveryNote(o.id, [{ product: a, quantity: 2 }]),
      await deliveryNote(o.id, [{ product: a, quantity: 2 }]),
    ];
    const results = await Promise.all(notes.map(post));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(await level(a)).toEqual({ on_hand: 8, reserved: 0, available: 8 });
  });

  it('stock counters are not typed by anyone but documents: stock adjustments move them', async () => {
    const a = await product('PERM-A', 5);
    const { id } = (
      await t.api.get('/api/records/stock_level', { query: { filter: JSON.stringify({ product: { eq: a } }) } })
    ).body.items[0];
    for (const who of [rep, clerk]) {
      const r = await who.patch(`/api/records/stock_level/${id}`, { on_hand: 500 });
      expect(r.status, r.text).toBe(403);
    }
    expect((await rep.post('/api/records/delivery_note', { order: id })).status).toBe(403);
    // Reps have no access to stock adjustments at all: the object answers as if it did not exist.
    expect((await rep.post('/api/records/stock_adjustment', { product: a, warehouse, quantity: 5 })).status).toBe(404);
    // One stock level per product and warehouse: a second one would split the stock.
    const twice = await clerk.post('/api/records/stock_level', { product: a, warehouse });
    expect(twice.status, twice.text).toBe(409);
    const north = await clerk.post('/api/records/stock_level', { product: a, warehouse: otherWarehouse });
    expect(north.status, north.text).toBe(201);
    const moved = await t.api.patch(`/api/records/stock_level/${north.body.id}`, { warehouse });
    expect(moved.status, moved.text).toBe(409);
    const count = await clerk.post('/api/records/stock_adjustment', { product: a, warehouse, quantity: -2 });
    expect(count.status, count.text).toBe(201);
    expect(await level(a)).toEqual({ on_hand: 3, reserved: 0, available: 3 });
    const tooMuch = await clerk.post('/api/records/stock_adjustment', { product: a, warehouse, quantity: -4 });
    expect(tooMuch.status, tooMuch.text).toBe(400);
    expect(tooMuch.body.error.fields.quantity).toMatch(/Only 3 on hand/);
    const far = await t.api.post('/api/records/warehouse', { name: 'Far', code: 'FAR' });
    const nowhere = await clerk.post('/api/records/stock_adjustment', {
      product: a,
      warehouse: far.body.id,
      quantity: 1,
    });
    expect(nowhere.status, nowhere.text).toBe(400);
    expect(nowhere.body.error.fields.product).toMatch(/no stock level/);
    expect(await level(a)).toEqual({ on_hand: 3, reserved: 0, available: 3 });
  });
});
