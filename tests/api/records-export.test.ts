import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;

const deal = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', maxLength: 100 },
    amount: { type: 'number', 'x-kind': 'currency' },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
    close_on: { type: 'string', format: 'date' },
    won: { type: 'boolean' },
    secret: { type: 'string' },
  },
  required: ['name'],
};

const rows = [
  { name: 'Alpha, Inc', amount: 10.5, tags: ['a', 'b'], close_on: '2026-01-31', won: true, secret: 's1' },
  { name: 'Beta "quoted"', amount: 20, tags: [], close_on: null, won: false, secret: 's2' },
  { name: '=HYPERLINK("x")', amount: null, tags: ['b'], close_on: '2026-02-01', won: null, secret: null },
];

const exportOf = (api = tenant.api, query: Record<string, string> = {}) =>
  api.get('/api/records/deal/export', { query });

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'recexp' });
  const r = await tenant.api.put('/api/meta/objects/deal', deal);
  expect(r.status, r.text).toBe(200);
  const imported = await tenant.api.post('/api/records/deal/import', undefined, { raw: JSON.stringify(rows) });
  expect(imported.status, imported.text).toBe(200);
  const role = await tenant.api.put('/api/meta/roles/rep', {
    label: 'Rep',
    objects: { deal: { create: true, read: 'own', update: 'own', delete: false, fields: { secret: 'none' } } },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'] });
  expect((await rep.api.post('/api/records/deal', { name: 'Rep deal', amount: 1 })).status).toBe(201);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('CSV export', () => {
  it('streams the chosen columns with the list filter and sort, as an attachment', async () => {
    const r = await exportOf(tenant.api, {
      fields: 'name,amount,tags,close_on,won',
      sort: 'name',
      filter: JSON.stringify({ name: { ne: 'Rep deal' } }),
    });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="deal-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(r.text).toBe(
      [
        'name,amount,tags,close_on,won',
        // A text cell a spreadsheet would run starts with ' (docs/records-io.md, CSV injection).
        '"\'=HYPERLINK(""x"")",,b,2026-02-01,',
        '"Alpha, Inc",10.5,a;b,2026-01-31,true',
        '"Beta ""quoted""",20,,,false',
        '',
      ].join('\n'),
    );
  });

  it('exports id, the custom fields, owner and timestamps by default', async () => {
    const r = await exportOf();
    const [header, ...lines] = r.text.trim().split('\n');
    expect(header).toBe('id,name,amount,tags,close_on,won,secret,owner,created_at,updated_at');
    expect(lines).toHaveLength(4);
  });

  it('exports only what the user may read: their rows, never hidden fields', async () => {
    const r = await exportOf(rep.api);
    expect(r.status, r.text).toBe(200);
    const [header, ...lines] = r.text.trim().split('\n');
    expect(header).not.toContain('secret');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Rep deal');
    const hidden = await exportOf(rep.api, { fields: 'name,secret' });
    expect(hidden.status).toBe(400);
    const byHidden = await exportOf(rep.api, { filter: '{"secret":{"eq":"s1"}}' });
    expect(byHidden.status).toBe(400);
    const sortHidden = await exportOf(rep.api, { sort: 'secret' });
    expect(sortHidden.status).toBe(400);
  });
});

describe('XLSX export', () => {
  it('writes typed cells: numbers, booleans, dates, and formulas as plain text', async () => {
    const res = await fetch(
      new URL('/api/records/deal/export?format=xlsx&sort=name&fields=name,amount,close_on,won', server.url),
      {
        headers: { authorization: `Bearer ${tenant.api.token}` },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(5);
    expect(sheet.getRow(1).values).toEqual([undefined, 'name', 'amount', 'close_on', 'won']);
    expect(sheet.getCell('A2').value).toBe('=HYPERLINK("x")');
    expect(sheet.getCell('B3').value).toBe(10.5);
    expect(sheet.getCell('C3').value).toEqual(new Date('2026-01-31T00:00:00Z'));
    expect(sheet.getCell('D3').value).toBe(true);
  });
});

describe('export refusals', () => {
  it.each([
    ['a malformed filter', { filter: '{"name":' }],
    ['an unknown filter field', { filter: '{"nope":{"eq":1}}' }],
    ['injection in fields', { fields: 'name,amount) from deal; --' }],
    ['injection in sort', { sort: 'name; drop table deal' }],
    ['an unknown format', { format: 'pdf' }],
    ['an unknown parameter', { limit: '5' }],
    ['a repeated column', { fields: 'name,name' }],
  ])('refuses %s with a JSON 400, before any file is sent', async (_label, query) => {
    const r = await exportOf(tenant.api, query as Record<string, string>);
    expect(r.status, r.text).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/json/);
  });

  it('answers 404 for an unknown object and 401 without a session', async () => {
    expect((await tenant.api.get('/api/records/nope/export')).status).toBe(404);
    expect((await server.anon.get('/api/records/deal/export')).status).toBe(401);
  });
});

describe('exports for people: labels and names (issue 21)', () => {
  let quoteId: string;
  let widgetId: string;
  let lineReader: Awaited<ReturnType<TestTenant['addUser']>>;

  beforeAll(async () => {
    const put = async (path: string, body: unknown) => {
      const r = await tenant.api.put(path, body);
      expect(r.status, r.text).toBe(200);
    };
    await put('/api/meta/objects/product', {
      title: 'Product',
      type: 'object',
      'x-label-field': 'name',
      properties: { name: { type: 'string', title: 'Product name', maxLength: 100 } },
    });
    const applied = await tenant.api.post('/api/meta/apply', {
      objects: {
        quote: {
          title: 'Quote',
          type: 'object',
          'x-label-field': 'name',
          properties: {
            name: { type: 'string', title: 'Name', maxLength: 100 },
            lines: { type: 'array', 'x-children': { object: 'quote_line', field: 'quote' } },
          },
        },
        quote_line: {
          title: 'Quote line',
          type: 'object',
          properties: {
            quote: { type: 'string', title: 'Quote', format: 'uuid', 'x-ref': 'quote' },
            product: { type: 'string', title: 'Product', format: 'uuid', 'x-ref': 'product' },
            qty: { type: 'number', title: 'Quantity', 'x-i18n': { 'zh-CN': { title: '数量' } } },
          },
        },
      },
    });
    expect(applied.status, applied.text).toBe(200);
    widgetId = (await tenant.api.post('/api/records/product', { name: 'Widget' })).body.id;
    const q = await tenant.api.post('/api/records/quote', { name: 'Q-1', lines: [{ product: widgetId, qty: 2 }] });
    expect(q.status, q.text).toBe(201);
    quoteId = q.body.id;
    await put('/api/meta/roles/line_reader', {
      label: 'Line reader',
      objects: { quote: { read: 'all' }, quote_line: { read: 'all' } },
    });
    lineReader = await tenant.addUser({ roles: ['line_reader'] });
  });

  const linesExport = (api: TestTenant['api'], query: Record<string, string>) =>
    api.get('/api/records/quote_line/export', {
      query: { fields: 'product,qty', filter: JSON.stringify({ quote: { eq: quoteId } }), ...query },
    });

  it("line items export with column labels and the product's name, its id beside it", async () => {
    const r = await linesExport(tenant.api, { labels: 'true' });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe(['Product,Product (id),Quantity', `Widget,${widgetId},2`, ''].join('\n'));
    // Without labels: field names and ids, what the import reads back.
    const plain = await linesExport(tenant.api, {});
    expect(plain.text).toBe(['product,qty', `${widgetId},2`, ''].join('\n'));
  });

  it('a product the reader may not see exports no name (its id only), never leaking the label', async () => {
    const r = await linesExport(lineReader.api, { labels: 'true' });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe(['Product,Product (id),Quantity', `,${widgetId},2`, ''].join('\n'));
    expect(r.text).not.toContain('Widget');
  });

  it('XLSX carries the same labelled headers and names', async () => {
    const res = await fetch(
      new URL('/api/records/quote_line/export?format=xlsx&labels=true&fields=product,qty', server.url),
      { headers: { authorization: `Bearer ${tenant.api.token}` } },
    );
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'Product', 'Product (id)', 'Quantity']);
    expect(sheet.getRow(2).values).toEqual([undefined, 'Widget', widgetId, 2]);
  });

  it('refuses a malformed labels flag', async () => {
    const r = await linesExport(tenant.api, { labels: 'maybe' });
    expect(r.status).toBe(400);
  });
});
