import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** One record's line items as a file for people: `GET /api/records/:object/:id/lines/:field/export`. */
let server: TestServer;
let tenant: TestTenant;
let quote: { id: string; number: string };
let widget: string;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'lineexport', template: 'core-crm' });
  const make = async (object: string, body: Record<string, unknown>) => {
    const r = await tenant.api.post(`/api/records/${object}`, body);
    expect(r.status, r.text).toBe(201);
    return r.body;
  };
  const account = await make('account', { name: 'Acme' });
  widget = (await make('product', { name: 'Widget', code: 'W-1', list_price: 100 })).id;
  const gadget = (await make('product', { name: '=Gadget', code: 'G-1', list_price: 40 })).id;
  quote = await make('quote', {
    name: 'Q',
    account: account.id,
    lines: [
      { product: widget, quantity: 2, description: 'First' },
      { product: gadget, quantity: 1, discount: 50 },
    ],
  });
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const path = (id = quote.id, field = 'lines', object = 'quote') => `/api/records/${object}/${id}/lines/${field}/export`;

describe('line items export', () => {
  it('writes the lines in order with labelled columns and product names, named after the quote', async () => {
    const r = await tenant.api.get(path());
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${quote.number}-lines.csv"`);
    const [header, first, second, end] = r.text.split('\n');
    // The admin reads the lines' cost and margin (hidden from sales reps): columns too.
    expect(header).toBe(
      'Product,Product (id),Description,Quantity,Unit price,Line discount,Amount,Unit cost,Cost,Margin',
    );
    expect(first).toBe(`Widget,${widget},First,2,100,0,200,,0,200`);
    // A name a spreadsheet would run as a formula is written as text.
    expect(second?.startsWith("'=Gadget,")).toBe(true);
    expect(second?.endsWith(',1,40,50,20,,0,20')).toBe(true);
    expect(end).toBe('');
    const plain = await tenant.api.get(path(), { query: { labels: 'false' } });
    expect(plain.text.split('\n')[0]).toBe(
      'product,description,quantity,unit_price,discount,amount,unit_cost,cost,margin',
    );
  });

  it('writes XLSX with the same labels and typed numbers', async () => {
    const res = await fetch(new URL(`${path()}?format=xlsx`, server.url), {
      headers: { authorization: `Bearer ${tenant.api.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${quote.number}-lines.xlsx"`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'Product',
      'Product (id)',
      'Description',
      'Quantity',
      'Unit price',
      'Line discount',
      'Amount',
      'Unit cost',
      'Cost',
      'Margin',
    ]);
    expect(sheet.getRow(2).values).toEqual([undefined, 'Widget', widget, 'First', 2, 100, 0, 200, undefined, 0, 200]);
  });

  it('answers 404 for an unknown record, field or object, and for a quote the user may not read', async () => {
    expect((await tenant.api.get(path('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    expect((await tenant.api.get(path(quote.id, 'name'))).status).toBe(404);
    expect((await tenant.api.get(path(quote.id, 'nope'))).status).toBe(404);
    expect((await tenant.api.get(path(quote.id, 'lines', 'ghost'))).status).toBe(404);
    const rep = await tenant.addUser({ roles: ['sales_rep'] });
    const other = await rep.api.get(path());
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('Widget');
    expect((await server.anon.get(path())).status).toBe(401);
  });

  it('refuses a bad format or flag', async () => {
    expect((await tenant.api.get(path(), { query: { format: 'pdf' } })).status).toBe(400);
    expect((await tenant.api.get(path(), { query: { labels: 'maybe' } })).status).toBe(400);
    expect((await tenant.api.get(path(), { query: { filter: '{}' } })).status).toBe(400);
  });
});
