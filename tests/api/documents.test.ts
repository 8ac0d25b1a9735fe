import { PDFParse } from 'pdf-parse';
import PizZip from 'pizzip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import { docxOf, docxParagraph } from '../support/docx';

/** Print templates → PDF through the real server: text extracted and compared, English and Chinese. */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let quoteId: string;
let repQuoteId: string;

const objects = {
  account: {
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 100 }, city: { type: 'string', maxLength: 100 } },
    required: ['name'],
  },
  quote: {
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 100 },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
      amount: { type: 'number', 'x-kind': 'currency' },
      margin_note: { type: 'string', maxLength: 200 },
      lines: { type: 'array', 'x-children': { object: 'quote_line', field: 'quote' } },
    },
    required: ['name'],
  },
  quote_line: {
    type: 'object',
    properties: {
      quote: { type: 'string', format: 'uuid', 'x-ref': 'quote' },
      product: { type: 'string', maxLength: 100 },
      qty: { type: 'integer' },
    },
    required: ['quote', 'product'],
  },
};

const html = `<h1>Quote {{name}}</h1>
<p>Customer: <b>{{account}}</b> ({{account.city}})</p>
<p>Amount: {{number amount}}</p>
<p>Note: [{{margin_note}}]</p>
<table><tr><th>Product</th><th>Qty</th></tr>
{{#each lines}}<tr><td>{{product}}</td><td>{{qty}}</td></tr>{{/each}}
</table>
<div class="page-break"></div>
<p>Terms page</p>`;

async function pdfText(
  api: ApiClient,
  path: string,
): Promise<{ status: number; type: string; text: string; body: string }> {
  const res = await fetch(new URL(path, api.baseUrl), { headers: { authorization: `Bearer ${api.token}` } });
  const buf = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('pdf')) return { status: res.status, type, text: '', body: buf.toString() };
  const parser = new PDFParse({ data: buf });
  const text = (await parser.getText()).text;
  await parser.destroy();
  return { status: res.status, type, text, body: '' };
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'docs' });
  const r = await tenant.api.post('/api/meta/apply', { objects });
  expect(r.status, r.text).toBe(200);
  const role = await tenant.api.put('/api/meta/roles/rep', {
    label: 'Rep',
    objects: {
      account: { create: true, read: 'all', update: 'own', delete: false },
      quote: { create: true, read: 'own', update: 'own', delete: false, fields: { margin_note: 'none' } },
      quote_line: { create: true, read: 'all', update: 'own', delete: false },
    },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'] });
  const account = await tenant.api.post('/api/records/account', { name: '上海贸易有限公司', city: 'Shanghai 上海' });
  expect(account.status, account.text).toBe(201);
  const q = await tenant.api.post('/api/records/quote', {
    name: 'Q-100',
    account: account.body.id,
    amount: 12345.5,
    margin_note: 'secret margin 40%',
    lines: [
      { product: 'Widget <b>&', qty: 2 },
      { product: '服务器机柜', qty: 1 },
    ],
  });
  expect(q.status, q.text).toBe(201);
  quoteId = q.body.id;
  const rq = await rep.api.post('/api/records/quote', { name: 'Rep quote', account: account.body.id, amount: 1 });
  expect(rq.status, rq.text).toBe(201);
  repQuoteId = rq.body.id;
  const saved = await tenant.api.put('/api/print-templates/quote/standard', {
    label: 'Standard quote',
    html,
    header: 'Forma Ltd — {{name}}',
    footer: 'Page {{page}} of {{pages}}',
    page: { size: 'A4', margin: 50 },
  });
  expect(saved.status, saved.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('print templates', () => {
  it('prints a record to PDF with lookups, line items, Chinese text, escaping and page numbers', async () => {
    const r = await pdfText(tenant.api, `/api/records/quote/${quoteId}/print/standard`);
    expect(r.status, r.body).toBe(200);
    expect(r.type).toBe('application/pdf');
    const text = r.text.replace(/\s+/g, ' ');
    expect(text).toContain('Quote Q-100');
    expect(text).toContain('Customer: 上海贸易有限公司 (Shanghai 上海)');
    expect(text).toContain('Amount: 12,345.50');
    expect(text).toContain('Note: [secret margin 40%]');
    // Escaped by the template engine, then shown as text: never interpreted as markup.
    expect(text).toContain('Widget <b>&');
    expect(text).toContain('服务器机柜');
    expect(text).toContain('Page 1 of 2');
    expect(text).toContain('Page 2 of 2');
    expect(text).toContain('Forma Ltd — Q-100');
    expect(text).toContain('Terms page');
  });

  it('never prints fields the user may not read, and only records in their scope', async () => {
    const own = await pdfText(rep.api, `/api/records/quote/${repQuoteId}/print/standard`);
    expect(own.status, own.body).toBe(200);
    expect(own.text).toContain('Quote Rep quote');
    expect(own.text).toContain('Note: []');
    const other = await pdfText(rep.api, `/api/records/quote/${quoteId}/print/standard`);
    expect(other.status).toBe(404);
    expect(other.body).not.toContain('secret');
  });

  it('refuses syntax errors with the line, and unknown placeholders', async () => {
    const bad = await tenant.api.put('/api/print-templates/quote/broken', { html: '<p>ok</p>\n<p>{{name}</p>' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.line).toBe(2);
    expect(bad.body.error.message).toMatch(/line 2/);
    const unknown = await tenant.api.put('/api/print-templates/quote/broken', {
      html: '{{nmae}} {{account.nope}} {{#each lines}}{{prodcut}}{{/each}} {{shout name}}',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.unknown.sort()).toEqual(['account.nope', 'nmae', 'prodcut', 'shout']);
    expect((await tenant.api.get('/api/print-templates/quote/broken')).status).toBe(404);
  });

  it('refuses bad input with 4xx', async () => {
    const api = tenant.api;
    expect((await api.put('/api/print-templates/nope/x', { html: 'x' })).status).toBe(404);
    expect((await api.put('/api/print-templates/quote/Bad-Name', { html: 'x' })).status).toBe(400);
    expect((await api.put('/api/print-templates/quote/x', { html: 42 })).status).toBe(400);
    expect((await api.put('/api/print-templates/quote/x', { html: 'x', page: { size: 'A0' } })).status).toBe(400);
    expect((await api.put('/api/print-templates/quote/x', undefined, { raw: '{"html":' })).status).toBe(400);
    const huge = await api.put('/api/print-templates/quote/x', { html: 'x'.repeat(300_000) });
    expect(huge.status).toBe(413);
    expect((await rep.api.put('/api/print-templates/quote/x', { html: 'x' })).status).toBe(403);
    expect((await rep.api.delete('/api/print-templates/quote/standard')).status).toBe(403);
    expect((await pdfText(tenant.api, `/api/records/quote/${quoteId}/print/missing`)).status).toBe(404);
    expect((await pdfText(tenant.api, '/api/records/quote/not-a-uuid/print/standard')).status).toBe(404);
    expect((await pdfText(tenant.api, `/api/records/nope/${quoteId}/print/standard`)).status).toBe(404);
    expect((await pdfText(tenant.api, `/api/records/quote/${quoteId}/print/x;drop`)).status).toBe(400);
    const anon = await fetch(new URL(`/api/records/quote/${quoteId}/print/standard`, tenant.api.baseUrl));
    expect(anon.status).toBe(401);
  });

  it('lists, replaces (version + 1) and deletes templates', async () => {
    const list = await rep.api.get('/api/print-templates', { query: { object: 'quote' } });
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(['standard']);
    const again = await tenant.api.put('/api/print-templates/quote/standard', { html: '<p>{{name}}</p>' });
    expect(again.body.version).toBe(2);
    expect((await tenant.api.delete('/api/print-templates/quote/standard')).status).toBe(204);
    expect((await tenant.api.delete('/api/print-templates/quote/standard')).status).toBe(404);
  });
});

describe('record files', () => {
  const base = () => `/api/records/quote/${repQuoteId}/files`;
  const upload = (api: ApiClient, path: string, body: Buffer | string, type = 'application/octet-stream') =>
    fetch(new URL(path, api.baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': type },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 1)]);

  it('attaches, lists, downloads byte for byte with the sniffed type, and deletes', async () => {
    const r = await upload(rep.api, `${base()}?name=${encodeURIComponent('../报价 "scan".png')}`, png, 'text/html');
    expect(r.status).toBe(201);
    const meta = await r.json();
    expect(meta).toMatchObject({ name: '报价 scan.png', contentType: 'image/png', size: png.length });
    const json = await upload(rep.api, `${base()}?name=data.json`, '{"a":1}', 'application/json');
    expect(json.status).toBe(201);
    expect((await json.json()).contentType).toBe('application/json');
    const list = await rep.api.get(base());
    expect(list.body.items.map((f: { name: string }) => f.name)).toEqual(['报价 scan.png', 'data.json']);
    const dl = await fetch(new URL(`${base()}/${meta.id}`, rep.api.baseUrl), {
      headers: { authorization: `Bearer ${rep.api.token}` },
    });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('image/png');
    expect(dl.headers.get('x-content-type-options')).toBe('nosniff');
    expect(dl.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(Buffer.from(await dl.arrayBuffer()).equals(png)).toBe(true);
    expect((await rep.api.delete(`${base()}/${meta.id}`)).status).toBe(204);
    expect((await rep.api.delete(`${base()}/${meta.id}`)).status).toBe(404);
  });

  it('follows the record: 404 outside read scope, 403 without update scope', async () => {
    const other = `/api/records/quote/${quoteId}/files`;
    expect((await rep.api.get(other)).status).toBe(404);
    expect((await upload(rep.api, `${other}?name=x.txt`, 'x', 'text/plain')).status).toBe(404);
    const adminFile = await upload(tenant.api, `${other}?name=x.txt`, 'hello', 'text/plain');
    expect(adminFile.status).toBe(201);
    const { id } = await adminFile.json();
    const dl = await fetch(new URL(`${other}/${id}`, rep.api.baseUrl), {
      headers: { authorization: `Bearer ${rep.api.token}` },
    });
    expect(dl.status).toBe(404);
    // A reader without update scope: the rep may read all accounts but update only their own.
    const acc = await tenant.api.post('/api/records/account', { name: 'Admin account' });
    const accFiles = `/api/records/account/${acc.body.id}/files`;
    expect((await rep.api.get(accFiles)).status).toBe(200);
    expect((await upload(rep.api, `${accFiles}?name=x.txt`, 'x', 'text/plain')).status).toBe(403);
  });

  it('refuses bad uploads with 4xx and loses nothing', async () => {
    expect((await upload(rep.api, base(), 'x')).status).toBe(400);
    expect((await upload(rep.api, `${base()}?name=..`, 'x')).status).toBe(400);
    expect((await upload(rep.api, `${base()}?name=empty.bin`, Buffer.alloc(0))).status).toBe(400);
    const big = await upload(rep.api, `${base()}?name=big.bin`, Buffer.alloc(10 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect((await upload(rep.api, `/api/records/nope/${repQuoteId}/files?name=a`, 'x')).status).toBe(404);
    expect((await upload(rep.api, `/api/records/quote/not-a-uuid/files?name=a`, 'x')).status).toBe(404);
    expect((await rep.api.get(`${base()}/not-a-uuid`)).status).toBe(404);
    const anon = await fetch(new URL(base(), rep.api.baseUrl));
    expect(anon.status).toBe(401);
    const list = await rep.api.get(base());
    expect(list.body.items.map((f: { name: string }) => f.name)).toEqual(['data.json']);
  });
});

describe('Word templates', () => {
  const put = (api: ApiClient, name: string, body: Buffer) =>
    fetch(new URL(`/api/print-templates/quote/${name}/docx`, api.baseUrl), {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(body),
    });

  it('fills a .docx per record with fields, lookups and line items, without hidden fields', async () => {
    const template = docxOf(
      docxParagraph('Quote {name} for {account.name}') +
        docxParagraph('Note: [{margin_note}]') +
        docxParagraph('{#lines}{product} x {qty}; {/lines}'),
    );
    const saved = await put(tenant.api, 'contract', template);
    expect(saved.status, await saved.text()).toBe(200);
    const get = async (api: ApiClient, id: string) => {
      const r = await fetch(new URL(`/api/records/quote/${id}/docx/contract`, api.baseUrl), {
        headers: { authorization: `Bearer ${api.token}` },
      });
      expect(r.status).toBe(200);
      const xml = new PizZip(Buffer.from(await r.arrayBuffer())).file('word/document.xml')?.asText() ?? '';
      return xml.replace(/<[^>]+>/g, '');
    };
    const text = await get(tenant.api, quoteId);
    expect(text).toContain('Quote Q-100 for 上海贸易有限公司');
    expect(text).toContain('Note: [secret margin 40%]');
    expect(text, text).toContain('Widget &lt;b&gt;&amp; x 2;');
    expect(text).toContain('服务器机柜 x 1;');
    const repText = await get(rep.api, repQuoteId);
    expect(repText).toContain('Quote Rep quote');
    expect(repText).toContain('Note: []');
  });

  it('refuses broken files and tags, and non-admins', async () => {
    expect((await put(tenant.api, 'bad', Buffer.from('not a zip'))).status).toBe(400);
    const badTags = await put(tenant.api, 'bad', docxOf(docxParagraph('{#lines} never closed')));
    expect(badTags.status).toBe(400);
    expect((await badTags.json()).error.code).toBe('VALIDATION_FAILED');
    expect((await put(rep.api, 'bad', docxOf(docxParagraph('x')))).status).toBe(403);
    expect((await put(tenant.api, 'big', Buffer.alloc(6 * 1024 * 1024))).status).toBe(413);
    const notWord = await fetch(new URL(`/api/records/quote/${quoteId}/docx/standard`, tenant.api.baseUrl), {
      headers: { authorization: `Bearer ${tenant.api.token}` },
    });
    expect([400, 404]).toContain(notWord.status);
  });
});
