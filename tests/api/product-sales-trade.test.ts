import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * The product-sales template beyond the shelf (issue 23): purchase orders to suppliers bring stock
 * in and become payables that age like receivables; customer returns put stock back and owe a credit;
 * order lines are priced from the customer's price list (or the default one) with quantity breaks,
 * and a line discount above the saver's role limit needs the manager's approval before confirming.
 */
let server: TestServer;
let t: TestTenant;
let rep: ApiClient;
let mgr: ApiClient;
let clerk: ApiClient;
let fin: ApiClient;
let customer: string;
let supplier: string;
let warehouse: string;
const f = (filter: unknown) => ({ query: { filter: JSON.stringify(filter) } });

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  t = await createTestTenant(server, { prefix: 'ptrade', template: 'product-sales' });
  const m = await t.addUser({ roles: ['sales_manager'], name: 'Manager' });
  mgr = m.api;
  rep = (await t.addUser({ roles: ['sales_rep'], name: 'Rep', manager: m.id })).api;
  clerk = (await t.addUser({ roles: ['warehouse_clerk'], name: 'Clerk' })).api;
  fin = (await t.addUser({ roles: ['finance'], name: 'Finance' })).api;
  const c = await rep.post('/api/records/account', { name: 'Harbour Hotel', type: 'customer' });
  expect(c.status, c.text).toBe(201);
  customer = c.body.id;
  const s = await t.api.post('/api/records/account', { name: 'Yunnan Roasters', type: 'supplier' });
  expect(s.status, s.text).toBe(201);
  supplier = s.body.id;
  warehouse = (await t.api.post('/api/records/warehouse', { name: 'Main', code: 'MAIN', is_default: true })).body.id;
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

async function product(code: string, stock: number, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await t.api.post('/api/records/product', { name: code, code, list_price: 120, cost: 60, ...extra });
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
async function level(p: string) {
  const s = (await t.api.get('/api/records/stock_level', f({ product: { eq: p }, warehouse: { eq: warehouse } }))).body
    .items[0];
  return { on_hand: Number(s.on_hand), reserved: Number(s.reserved), available: Number(s.available) };
}
async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 150; i += 1) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('purchase orders and payables', () => {
  it('purchase orders go to suppliers, and only finance writes them', async () => {
    const p = await product('PO-S', 0);
    const notSupplier = await fin.post('/api/records/purchase_order', {
      supplier: customer,
      warehouse,
      lines: [{ product: p, quantity: 1 }],
    });
    expect(notSupplier.status, notSupplier.text).toBe(400);
    expect(notSupplier.body.error.fields.supplier).toMatch(/Supplier/);
    expect((await rep.post('/api/records/purchase_order', { supplier, warehouse })).status).toBe(404);
    expect((await rep.get('/api/records/payable')).status).toBe(404);
    const ghost = await fin.post('/api/records/purchase_order', { supplier, warehouse, ghost: 1 });
    expect(ghost.status, ghost.text).toBe(400);
    expect(ghost.body.error.fields.ghost).toBeTruthy();
  });

  it('receiving a purchase order adds its units to stock and creates the payable', async () => {
    const p = await product('PO-A', 5);
    const po = await fin.post('/api/records/purchase_order', {
      supplier,
      warehouse,
      status: 'ordered',
      payment_days: 45,
      lines: [{ product: p, quantity: 20 }],
    });
    expect(po.status, po.text).toBe(201);
    expect(Number(po.body.total)).toBe(1200); // 20 × the product's cost (60)
    const received = await clerk.patch(`/api/records/purchase_order/${po.body.id}`, { status: 'received' });
    expect(received.status, received.text).toBe(200);
    expect(await level(p)).toEqual({ on_hand: 25, reserved: 0, available: 25 });
    const receivedOn = received.body.received_on as string;
    const payable = await until(async () => {
      const r = await fin.get('/api/records/payable', f({ purchase_order: { eq: po.body.id } }));
      return r.body.items[0];
    }, 'the payable');
    expect(payable).toMatchObject({ supplier, aging: 'not_due' });
    expect(Number(payable.amount)).toBe(1200);
    const due = new Date(Date.parse(`${receivedOn}T00:00:00Z`) + 45 * 86_400_000).toISOString().slice(0, 10);
    expect(payable.due_on).toBe(due);
    // A received order does not change (nor is it received twice).
    const reopen = await clerk.patch(`/api/records/purchase_order/${po.body.id}`, { status: 'ordered' });
    expect(reopen.status, reopen.text).toBe(400);
    expect(await level(p)).toEqual({ on_hand: 25, reserved: 0, available: 25 });
  });

  it('a purchase order for a product the warehouse has no stock level of is not received', async () => {
    const r = await t.api.post('/api/records/product', { name: 'PO-N', code: 'PO-N', list_price: 1 });
    const po = await fin.post('/api/records/purchase_order', {
      supplier,
      warehouse,
      lines: [{ product: r.body.id, quantity: 3, unit_cost: 1 }],
    });
    const received = await clerk.patch(`/api/records/purchase_order/${po.body.id}`, { status: 'received' });
    expect(received.status, received.text).toBe(400);
    expect(received.body.error.fields.status).toMatch(/no stock level for PO-N/);
  });

  it('payables age in 30/60/90/180-day buckets like receivables', async () => {
    const mk = async (due_on: string, amount: number, paid: number) => {
      const r = await fin.post('/api/records/payable', { supplier, due_on, amount, paid });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };
    const today = new Date();
    const ago = (days: number) => new Date(today.getTime() - days * 86_400_000).toISOString().slice(0, 10);
    const ids = {
      d1_30: await mk(ago(10), 100, 0),
      d31_60: await mk(ago(45), 100, 50),
      d61_90: await mk(ago(75), 100, 0),
      d91_180: await mk(ago(120), 100, 0),
      d180_plus: await mk('2020-01-31', 1000, 300),
      paid: await mk(ago(200), 100, 100),
    };
    await server.plugins!.runJob('core-crm.receivables-aging', undefined, { tenants: [t.id] });
    for (const [bucket, id] of Object.entries(ids)) {
      const p = (await fin.get(`/api/records/payable/${id}`)).body;
      expect(p.aging, bucket).toBe(bucket);
    }
    const old = (await fin.get(`/api/records/payable/${ids.d180_plus}`)).body;
    expect(Number(old.balance)).toBe(700);
    expect(Number(old.days_overdue)).toBeGreaterThan(180);
    const negative = await fin.post('/api/records/payable', { supplier, due_on: '2030-01-01', amount: -5 });
    expect(negative.status, negative.text).toBe(400);
  });
});

describe('returns', () => {
  it('a return puts delivered units back in stock and owes a credit; never more than was delivered', async () => {
    const p = await product('RET-A', 10);
    const o = await rep.post('/api/records/order', { account: customer, lines: [{ product: p, quantity: 4 }] });
    expect(o.status, o.text).toBe(201);
    expect((await rep.patch(`/api/records/order/${o.body.id}`, { status: 'confirmed' })).status).toBe(200);
    const dn = await clerk.post('/api/records/delivery_note', {
      order: o.body.id,
      lines: [{ product: p, quantity: 3 }],
    });
    expect((await clerk.patch(`/api/records/delivery_note/${dn.body.id}`, { status: 'posted' })).status).toBe(200);
    expect(await level(p)).toEqual({ on_hand: 7, reserved: 1, available: 6 });
    const ret = async (quantity: number, restock = true) => {
      const r = await rep.post('/api/records/sales_return', {
        order: o.body.id,
        account: customer,
        reason: 'defective',
        restock,
        lines: [{ product: p, quantity, unit_price: 120 }],
      });
      expect(r.status, r.text).toBe(201);
      return clerk.patch(`/api/records/sales_return/${r.body.id}`, { status: 'received' });
    };
    const tooMany = await ret(4);
    expect(tooMany.status, tooMany.text).toBe(400);
    expect(tooMany.body.error.fields.status).toMatch(/Only 3 of RET-A were delivered/);
    expect(await level(p)).toEqual({ on_hand: 7, reserved: 1, available: 6 });
    const two = await ret(2);
    expect(two.status, two.text).toBe(200);
    expect(Number(two.body.credit_amount)).toBe(240);
    expect(await level(p)).toEqual({ on_hand: 9, reserved: 1, available: 8 });
    // Damaged goods: credited, not restocked.
    const damaged = await ret(1, false);
    expect(damaged.status, damaged.text).toBe(200);
    expect(await level(p)).toEqual({ on_hand: 9, reserved: 1, available: 8 });
    const none = await ret(1);
    expect(none.status, none.text).toBe(400);
    expect(none.body.error.fields.status).toMatch(/Only 0 of RET-A/);
    const reopen = await clerk.patch(`/api/records/sales_return/${two.body.id}`, { status: 'draft' });
    expect(reopen.status, reopen.text).toBe(400);
  });
});

describe('pricing', () => {
  let p: string;
  let q: string;
  let hotel: string;
  beforeAll(async () => {
    p = await product('PR-P', 100);
    q = await product('PR-Q', 100, { list_price: 55 });
    const std = await fin.post('/api/records/price_list', {
      name: 'Standard',
      is_default: true,
      entries: [
        { product: p, price: 100, min_quantity: 1 },
        { product: p, price: 90, min_quantity: 10 },
        { product: p, price: 80, min_quantity: 50 },
      ],
    });
    expect(std.status, std.text).toBe(201);
    const trade = await fin.post('/api/records/price_list', {
      name: 'Trade',
      entries: [{ product: p, price: 70, min_quantity: 1 }],
    });
    expect(trade.status, trade.text).toBe(201);
    const h = await t.api.post('/api/records/account', {
      name: 'Trade Hotel',
      type: 'customer',
      price_list: trade.body.id,
    });
    hotel = h.body.id;
    expect((await fin.post('/api/records/discount_limit', { role: 'sales_rep', max_discount: 5 })).status).toBe(201);
  });

  const priceOf = async (account: string, product: string, quantity: number, extra: Record<string, unknown> = {}) => {
    const o = await rep.post('/api/records/order', { account, lines: [{ product, quantity, ...extra }] });
    expect(o.status, o.text).toBe(201);
    return { order: o.body, line: o.body.lines[0] };
  };

  it('a line takes the default price list with quantity breaks, else the list price; a typed price stays', async () => {
    expect(Number((await priceOf(customer, p, 5)).line.unit_price)).toBe(100);
    expect(Number((await priceOf(customer, p, 10)).line.unit_price)).toBe(90);
    const big = await priceOf(customer, p, 60);
    expect(Number(big.line.unit_price)).toBe(80);
    expect(Number(big.order.amount)).toBe(4800);
    expect(Number((await priceOf(customer, q, 3)).line.unit_price)).toBe(55);
    expect(Number((await priceOf(customer, p, 5, { unit_price: 99 })).line.unit_price)).toBe(99);
  });

  it("a customer's own price list wins over the default; another list is a manager's choice", async () => {
    const { order, line } = await priceOf(hotel, p, 60);
    expect(order.price_list).toBeTruthy();
    expect(Number(line.unit_price)).toBe(70);
    // The rep may not move a default-list customer onto the trade list; the manager may.
    const o = await rep.post('/api/records/order', { account: customer, price_list: order.price_list });
    expect(o.status, o.text).toBe(400);
    expect(o.body.error.fields.price_list).toMatch(/sales manager/);
    const m = await mgr.post('/api/records/order', { account: customer, price_list: order.price_list });
    expect(m.status, m.text).toBe(201);
  });

  it("quote lines are priced the same way, from the customer's list", async () => {
    const quote = async (account: string, lines: Array<Record<string, unknown>>) => {
      const r = await rep.post('/api/records/quote', { name: 'Q', account, lines });
      return r;
    };
    const std = await quote(customer, [
      { product: p, quantity: 10 },
      { product: p, quantity: 2, unit_price: 95 },
      { product: q, quantity: 1 },
    ]);
    expect(std.status, std.text).toBe(201);
    expect(std.body.lines.map((l: Record<string, unknown>) => Number(l.unit_price))).toEqual([90, 95, 55]);
    const trade = await quote(hotel, [{ product: p, quantity: 60 }]);
    expect(trade.status, trade.text).toBe(201);
    expect(Number(trade.body.lines[0].unit_price)).toBe(70);
    const nothing = await quote(customer, [{ description: 'Installation', quantity: 1 }]);
    expect(nothing.status, nothing.text).toBe(400);
    expect(JSON.stringify(nothing.body.error.fields)).toMatch(/unit price or choose a product/);
  });

  it('a typed price below the list counts as a discount', async () => {
    // 1 % below the list price: within the rep's 5 %.
    expect(Number((await priceOf(customer, p, 5, { unit_price: 99 })).line.over_limit)).toBe(0);
    // 10 % below: above it, even without a line discount; 97 with 3 % off is 6.9 % below 100.
    expect(Number((await priceOf(customer, p, 5, { unit_price: 90 })).line.over_limit)).toBe(1);
    expect(Number((await priceOf(customer, p, 5, { unit_price: 97, discount: 3 })).line.over_limit)).toBe(1);
    // Above the list price is no discount.
    expect(Number((await priceOf(customer, p, 5, { unit_price: 130 })).line.over_limit)).toBe(0);
  });

  it("a discount above the rep's limit needs the manager's approval before the order is confirmed", async () => {
    const within = await priceOf(customer, p, 1, { discount: 5 });
    expect(Number(within.line.over_limit)).toBe(0);
    expect((await rep.patch(`/api/records/order/${within.order.id}`, { status: 'confirmed' })).status).toBe(200);
    const above = await priceOf(customer, p, 2, { discount: 8 });
    expect(Number(above.line.over_limit)).toBe(1);
    // Typing the flag away does not help: the script computes it.
    const cheat = await rep.patch(`/api/records/order_line/${above.line.id}`, { over_limit: 0 });
    expect(cheat.status, cheat.text).toBe(200);
    expect(Number(cheat.body.over_limit)).toBe(1);
    const id = above.order.id;
    expect(Number((await rep.get(`/api/records/order/${id}`)).body.lines_over_limit)).toBe(1);
    const refused = await rep.patch(`/api/records/order/${id}`, { status: 'confirmed' });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error.fields.status).toMatch(/submit the order for approval/);
    const submitted = await rep.post(`/api/records/order/${id}/submit`, {});
    expect(submitted.status, submitted.text).toBe(201);
    const task = await until(async () => {
      const inbox = await mgr.get('/api/approvals/inbox');
      return inbox.body.items.find((i: { record: string }) => i.record === id);
    }, 'the approval task');
    const ok = await mgr.post(`/api/approvals/tasks/${task.task}/approve`, { comment: 'key account' });
    expect(ok.status, ok.text).toBe(200);
    const confirmed = await rep.patch(`/api/records/order/${id}`, { status: 'confirmed' });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(await level(p)).toMatchObject({ reserved: 3 });
    // A discount out of range is bad input.
    const bad = await rep.post('/api/records/order', {
      account: customer,
      lines: [{ product: p, quantity: 1, discount: 150 }],
    });
    expect(bad.status, bad.text).toBe(400);
  });
});

describe('the template with its sample data', () => {
  it('ships warehouses, stock, price lists, limits and a purchase order its own users can run', async () => {
    const s = await createTestTenant(server, { prefix: 'psample', template: 'product-sales', sampleData: true });
    try {
      const repS = await s.login('rep@shop.test', 'forma-demo');
      const clerkS = await s.login('warehouse@shop.test', 'forma-demo');
      const finS = await s.login('finance@shop.test', 'forma-demo');
      const products = Object.fromEntries(
        (await repS.get('/api/records/product')).body.items.map((p: Record<string, unknown>) => [p.code, p]),
      );
      expect(Number(products['EM-100'].stock)).toBe(30); // two warehouses
      expect(Number(products['CB-1KG'].available)).toBe(400);
      const [po] = (await clerkS.get('/api/records/purchase_order')).body.items;
      const received = await clerkS.patch(`/api/records/purchase_order/${po.id}`, { status: 'received' });
      expect(received.status, received.text).toBe(200);
      const beans = (await repS.get(`/api/records/product/${products['CB-1KG'].id}`)).body;
      expect(Number(beans.stock)).toBe(600);
      await until(async () => {
        const r = await finS.get('/api/records/payable', f({ purchase_order: { eq: po.id } }));
        return r.body.items[0];
      }, 'the sample payable');
      const hotel = (await repS.get('/api/records/account', f({ name: { eq: 'Harbour Hotel' } }))).body.items[0];
      const order = await repS.post('/api/records/order', {
        account: hotel.id,
        lines: [
          { product: products['EM-100'].id, quantity: 1 },
          { product: products['CB-1KG'].id, quantity: 60, discount: 10 },
        ],
      });
      expect(order.status, order.text).toBe(201);
      expect(order.body.lines.map((l: Record<string, unknown>) => Number(l.unit_price)).sort()).toEqual([150, 2900]);
      expect(Number(order.body.lines_over_limit)).toBe(1);
    } finally {
      await server.platform.delete(`/api/tenants/${s.id}`, { query: { confirm: s.id } });
    }
  });
});
