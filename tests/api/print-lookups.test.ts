import { PDFParse } from 'pdf-parse';
import PizZip from 'pizzip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import { docxOf, docxParagraph } from '../support/docx';

/**
 * What a printed document says for an auto-number field (a field named like a helper, `number`,
 * printed "[object Object]") and for a line's lookup (printed its id; `{{product.name}}` printed
 * nothing): names, never ids, in the PDF, its footer, the Word file and mail-merge previews.
 */
let server: TestServer;
let tenant: TestTenant;
let crm: TestTenant;
let orderId: string;

const objects = {
  product: {
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 100 }, sku: { type: 'string', maxLength: 40 } },
    required: ['name'],
  },
  order: {
    type: 'object',
    'x-label-field': 'number',
    properties: {
      number: { type: 'string', 'x-autonumber': 'SO-{0000}' },
      date: { type: 'string', format: 'date' },
      title: { type: 'string', maxLength: 100 },
      lines: { type: 'array', 'x-children': { object: 'order_line', field: 'order' } },
    },
  },
  order_line: {
    type: 'object',
    properties: {
      order: { type: 'string', format: 'uuid', 'x-ref': 'order' },
      product: { type: 'string', format: 'uuid', 'x-ref': 'product' },
      qty: { type: 'integer' },
    },
    required: ['order'],
  },
};

async function download(api: ApiClient, path: string): Promise<{ status: number; type: string; buf: Buffer }> {
  const res = await fetch(new URL(path, api.baseUrl), { headers: { authorization: `Bearer ${api.token}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', buf: Buffer.from(await res.arrayBuffer()) };
}

async function pdfText(api: ApiClient, path: string): Promise<string> {
  const r = await download(api, path);
  expect(r.status, r.buf.toString()).toBe(200);
  expect(r.type).toBe('application/pdf');
  const parser = new PDFParse({ data: r.buf });
  const text = (await parser.getText()).text;
  await parser.destroy();
  return text.replace(/\s+/g, ' ');
}

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'prlk' });
  const r = await tenant.api.post('/api/meta/apply', { objects });
  expect(r.status, r.text).toBe(200);
  const widget = await tenant.api.post('/api/records/product', { name: 'Widget 小部件', sku: 'W-1' });
  const gadget = await tenant.api.post('/api/records/product', { name: 'Gadget', sku: 'G-2' });
  expect(widget.status, widget.text).toBe(201);
  const order = await tenant.api.post('/api/records/order', {
    title: 'First order',
    date: '2026-03-04',
    lines: [
      { product: widget.body.id, qty: 2 },
      { product: gadget.body.id, qty: 5 },
    ],
  });
  expect(order.status, order.text).toBe(201);
  orderId = order.body.id;
  const saved = await tenant.api.put('/api/print-templates/order/standard', {
    html: [
      '<h1>Order {{number}} of {{date}}</h1>',
      '{{#each lines}}<p>Line: {{product}} / {{product.name}} / {{product.sku}} x {{qty}}</p>{{/each}}',
      '<p>Formatted: {{number 2 0}} lines, {{date date}}</p>',
    ].join('\n'),
    footer: 'Order {{number}} page {{page}}',
  });
  expect(saved.status, saved.text).toBe(200);
}, 300_000);
afterAll(async () => {
  for (const t of [tenant, crm])
    if (t) await server?.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
  await server?.close();
});

describe('printing auto-numbers and lookups of line items', () => {
  it('prints an auto-number field (and a field named date) as its value, in the body and footer', async () => {
    const text = await pdfText(tenant.api, `/api/records/order/${orderId}/print/standard`);
    expect(text).not.toContain('[object Object]');
    expect(text).toContain('Order SO-0001 of 2026-03-04');
    expect(text).toContain('Order SO-0001 page 1');
    // The helpers still work when called with a value.
    expect(text).toContain('Formatted: 2 lines, 2026-03-04');
  });

  it("prints a line's lookup as its name and gives its fields", async () => {
    const text = await pdfText(tenant.api, `/api/records/order/${orderId}/print/standard`);
    expect(text).toContain('Line: Widget 小部件 / Widget 小部件 / W-1 x 2');
    expect(text).toContain('Line: Gadget / Gadget / G-2 x 5');
  });

  it('refuses a field of a line lookup that does not exist', async () => {
    const bad = await tenant.api.put('/api/print-templates/order/bad', {
      html: '{{#each lines}}{{product.nope}}{{/each}}',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.unknown).toEqual(['product.nope']);
  });

  it('fills Word templates with the same names', async () => {
    const docx = docxOf(
      docxParagraph('Order {number}') + docxParagraph('{#lines}{product} ({product.sku}) x {qty}; {/lines}'),
    );
    const put = await fetch(new URL('/api/print-templates/order/letter/docx', tenant.api.baseUrl), {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(docx),
    });
    expect(put.status, await put.text()).toBe(200);
    const r = await download(tenant.api, `/api/records/order/${orderId}/docx/letter`);
    expect(r.status).toBe(200);
    const xml = new PizZip(r.buf).file('word/document.xml')?.asText() ?? '';
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain('Order SO-0001');
    expect(text).toContain('Widget 小部件 (W-1) x 2;');
    expect(text).toContain('Gadget (G-2) x 5;');
  });

  it('shows names in mail-merge previews', async () => {
    const r = await tenant.api.post('/api/records/order/merge', { template: 'standard', dryRun: true });
    expect(r.status, r.text).toBe(200);
    const doc = r.body.documents[0];
    expect(doc.text).toContain('Order SO-0001');
    expect(doc.text).toContain('Line: Widget 小部件 / Widget 小部件 / W-1 x 2');
    expect(doc.text).not.toContain('[object Object]');
  });

  it("prints core-crm's shipped contract template with the contract number", { timeout: 300_000 }, async () => {
    crm = await createTestTenant(server, { prefix: 'prcrm', template: 'core-crm' });
    const account = await crm.api.post('/api/records/account', { name: 'Acme 公司' });
    expect(account.status, account.text).toBe(201);
    const contract = await crm.api.post('/api/records/contract', {
      name: 'Support 2026',
      account: account.body.id,
      value: 1000,
    });
    expect(contract.status, contract.text).toBe(201);
    const text = await pdfText(crm.api, `/api/records/contract/${contract.body.id}/print/contract`);
    expect(text).not.toContain('[object Object]');
    expect(text).toContain(`Contract ${contract.body.number}`);
    expect(contract.body.number).toMatch(/^C-\d{4}-\d{4}$/);
  });

  it('previews an unsaved template against a record, refusing at the field, admins only', async () => {
    const ok = await tenant.api.post('/api/print-templates/order/preview', {
      record: orderId,
      html: '<h1>{{number}}</h1>{{#each lines}}<p>{{product.name}}</p>{{/each}}',
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.html).toContain('<h1>SO-0001</h1>');
    expect(ok.body.text).toContain('Widget 小部件');
    const pdf = await fetch(new URL('/api/print-templates/order/preview', tenant.api.baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ record: orderId, html: '<p>{{title}}</p>', format: 'pdf', footer: 'p {{page}}' }),
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bad = await tenant.api.post('/api/print-templates/order/preview', { record: orderId, html: '{{nope}}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ 'html.nope': 'unknown field' });
    const missing = await tenant.api.post('/api/print-templates/order/preview', {
      record: '00000000-0000-4000-8000-000000000000',
      html: '<p>{{title}}</p>',
    });
    expect(missing.status).toBe(404);
    const user = await tenant.addUser({ roles: [] });
    const denied = await user.api.post('/api/print-templates/order/preview', { record: orderId, html: '<p>x</p>' });
    expect(denied.status).toBe(403);
  });

  it("lists a Word file's tags and flags those naming no field, storing nothing", async () => {
    const docx = docxOf(docxParagraph('{number} {nmae} {#lines}{product.sku} {qty} {oops}{/lines}'));
    const r = await fetch(new URL('/api/print-templates/order/docx-tags', tenant.api.baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(docx),
    });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.tags).toEqual([
      { tag: 'number' },
      { tag: 'nmae' },
      { tag: 'lines' },
      { tag: 'product.sku', inside: 'lines' },
      { tag: 'qty', inside: 'lines' },
      { tag: 'oops', inside: 'lines' },
    ]);
    expect(body.unknown).toEqual(['nmae', 'oops']);
    const list = await tenant.api.get('/api/print-templates', { query: { object: 'order' } });
    expect(list.body.items.map((t: { name: string }) => t.name).sort()).toEqual(['letter', 'standard']);
    const broken = await fetch(new URL('/api/print-templates/order/docx-tags', tenant.api.baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/octet-stream' },
      body: 'not a docx',
    });
    expect(broken.status).toBe(400);
  });
});
