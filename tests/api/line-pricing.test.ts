import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * A quote line without a unit price takes it from the quote's price list, else from the product
 * (core-crm's `x-default-from` on quote_line.unit_price), on every create path.
 */
let server: TestServer;
let tenant: TestTenant;
let widget: string;
let gadget: string;
let listed: string;
let account: string;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'lineprice', template: 'core-crm' });
  const make = async (object: string, body: Record<string, unknown>) => {
    const r = await tenant.api.post(`/api/records/${object}`, body);
    expect(r.status, r.text).toBe(201);
    return r.body.id as string;
  };
  account = await make('account', { name: 'Acme' });
  widget = await make('product', { name: 'Widget', code: 'W-1', list_price: 100 });
  gadget = await make('product', { name: 'Gadget', code: 'G-1', list_price: 40 });
  listed = await make('price_list', { name: 'Partners' });
  await make('price_list_entry', { price_list: listed, product: widget, price: 80 });
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const quote = (lines: Record<string, unknown>[], priceList: string | null = listed) =>
  tenant.api.post('/api/records/quote', {
    name: 'Q',
    account,
    ...(priceList ? { price_list: priceList } : {}),
    lines,
  });

describe('line unit price from the price list or the product', () => {
  it("takes the price list entry's price when the quote has a price list", async () => {
    const r = await quote([{ product: widget, quantity: 2 }]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.lines[0]).toMatchObject({ unit_price: 80, amount: 160 });
    expect(r.body.subtotal).toBe(160);
  });

  it("falls back to the product's list price (no entry on the list, or no list)", async () => {
    const onList = await quote([{ product: gadget, quantity: 3 }]);
    expect(onList.status, onList.text).toBe(201);
    expect(onList.body.lines[0]).toMatchObject({ unit_price: 40, amount: 120 });
    const noList = await quote([{ product: widget, quantity: 1 }], null);
    expect(noList.status, noList.text).toBe(201);
    expect(noList.body.lines[0]).toMatchObject({ unit_price: 100 });
  });

  it('keeps an explicit unit price, zero included', async () => {
    const r = await quote([
      { product: widget, quantity: 1, unit_price: 55 },
      { product: widget, quantity: 1, unit_price: 0 },
    ]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.lines.map((l: { unit_price: number }) => l.unit_price)).toEqual([55, 0]);
  });

  it('resolves a line created on its own and an imported line too', async () => {
    const q = await quote([]);
    expect(q.status, q.text).toBe(201);
    const line = await tenant.api.post('/api/records/quote_line', { quote: q.body.id, product: widget, quantity: 1 });
    expect(line.status, line.text).toBe(201);
    expect(line.body.unit_price).toBe(80);
    const imported = await tenant.api.post('/api/records/quote_line/import', undefined, {
      raw: JSON.stringify([{ quote: q.body.id, product: gadget, quantity: 2 }]),
    });
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.inserted).toBe(1);
    const lines = await tenant.api.get('/api/records/quote_line', {
      query: { filter: JSON.stringify({ quote: { eq: q.body.id }, product: { eq: gadget } }) },
    });
    expect(lines.body.items[0]).toMatchObject({ unit_price: 40, amount: 80 });
    expect((await tenant.api.get(`/api/records/quote/${q.body.id}`)).body.subtotal).toBe(160);
  });

  it('names an unknown product instead of a missing price, and writes nothing', async () => {
    const before = (await tenant.api.get('/api/records/quote', { query: { count: 'true' } })).body.total;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const r = await quote([{ product: unknown, quantity: 1 }]);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(r.body.error.fields)).toEqual(['lines.product']);
    const garbage = await quote([{ product: 'not-an-id', quantity: 1 }]);
    expect(garbage.status).toBe(400);
    expect(Object.keys(garbage.body.error.fields)).toContain('lines.product');
    expect((await tenant.api.get('/api/records/quote', { query: { count: 'true' } })).body.total).toBe(before);
  });

  it('still asks for a price when neither the list nor the product has one', async () => {
    const free = await tenant.api.post('/api/records/product', { name: 'Free', code: 'F-1' });
    expect(free.status, free.text).toBe(201);
    const r = await quote([{ product: free.body.id, quantity: 1 }]);
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.fields)).toEqual(['lines.unit_price']);
  });

  it('reads prices only as the writer may: a price list entry the user cannot read is not used', async () => {
    // The sales rep of core-crm reads products and price lists; a user without price list rights
    // gets the product's list price, never a value from records they may not see.
    const meta = await tenant.api.get('/api/meta');
    const rep = meta.body.roles.sales_rep;
    const role = {
      ...rep,
      objects: { ...rep.objects, price_list_entry: { ...rep.objects.price_list_entry, read: false } },
    };
    expect((await tenant.api.put('/api/meta/roles/rep_no_prices', role)).status).toBe(200);
    const user = await tenant.addUser({ roles: ['rep_no_prices'] });
    const r = await user.api.post('/api/records/quote', {
      name: 'Q',
      account,
      price_list: listed,
      lines: [{ product: widget, quantity: 1 }],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.lines[0].unit_price).toBe(100);
  });
});
