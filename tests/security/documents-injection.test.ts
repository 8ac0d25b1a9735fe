/**
 * What a user can smuggle into documents and files: raw OOXML through Word tags, Handlebars
 * constructs that pass the save check and then break every print, bidi controls in file names,
 * and spreadsheet formulas in exports.
 */
import ExcelJS from 'exceljs';
import PizZip from 'pizzip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import { docxOf, docxParagraph } from '../support/docx';

let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let noteId: string;

/** An INCLUDEPICTURE field that makes Word fetch a URL when the document opens (a read beacon). */
const BEACON =
  '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDEPICTURE "https://evil.test/beacon.png" \\d </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>';

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'secdoc' });
  const r = await tenant.api.put('/api/meta/objects/note', {
    title: 'Note',
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 200 },
      body: { type: 'string', maxLength: 2000 },
      amount: { type: 'number' },
      tags: { type: 'array', items: { type: 'string', enum: ['=a', 'b'] } },
    },
    required: ['name'],
  });
  expect(r.status, r.text).toBe(200);
  const role = await tenant.api.put('/api/meta/roles/rep', {
    objects: { note: { create: true, read: 'own', update: 'own', delete: false } },
  });
  expect(role.status, role.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'] });
  const note = await rep.api.post('/api/records/note', { name: 'Plain note', body: BEACON, amount: -5 });
  expect(note.status, note.text).toBe(201);
  noteId = note.body.id;
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const putDocx = async (name: string, body: Buffer) => {
  const res = await fetch(new URL(`/api/print-templates/note/${name}/docx`, server.url), {
    method: 'PUT',
    headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
};

/** Replaces a stored template behind the save check's back, as one saved before the check existed. */
const storeBehindTheCheck = (name: string, values: { html?: string; docx?: Buffer }) =>
  server.runtime.db
    .withSchema(`t_${tenant.id}`)
    .from('_print_templates')
    .where({ object: 'note', name })
    .update(values);

describe('Word templates', { timeout: 60_000 }, () => {
  it('refuse raw-XML tags {@field} at upload, like unknown tags', async () => {
    const r = await putDocx('raw', docxOf(docxParagraph('{@body}')));
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r.body.error.fields)).toMatch(/raw XML/i);
    expect((await tenant.api.get('/api/print-templates/note/raw')).status).toBe(404);
  });

  it('never insert a field as raw XML, even from a template stored before the check', async () => {
    expect((await putDocx('letter', docxOf(docxParagraph('Dear {name}')))).status).toBe(200);
    await storeBehindTheCheck('letter', { docx: docxOf(docxParagraph('Dear {name}') + docxParagraph('{@body}')) });
    const res = await fetch(new URL(`/api/records/note/${noteId}/docx/letter`, server.url), {
      headers: { authorization: `Bearer ${rep.api.token}` },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('INCLUDEPICTURE');
  });

  it('still escape a field holding XML in a plain tag', async () => {
    expect((await putDocx('plain', docxOf(docxParagraph('Body: {body}')))).status).toBe(200);
    const res = await fetch(new URL(`/api/records/note/${noteId}/docx/plain`, server.url), {
      headers: { authorization: `Bearer ${rep.api.token}` },
    });
    expect(res.status).toBe(200);
    const xml = new PizZip(Buffer.from(await res.arrayBuffer())).file('word/document.xml')?.asText() ?? '';
    expect(xml).not.toContain('<w:instrText>');
    expect(xml).toContain('&lt;w:instrText&gt;');
  });
});

describe('print templates', { timeout: 60_000 }, () => {
  const save = (html: string) => tenant.api.put('/api/print-templates/note/probe', { html });

  it.each([
    ['a partial', '<p>{{> letterhead}}</p>'],
    ['a partial block', '{{#> layout}}<p>{{name}}</p>{{/layout}}'],
    ['an inline partial', '{{#*inline "x"}}<p>{{name}}</p>{{/inline}}'],
    ['a decorator', '{{* deco}}<p>{{name}}</p>'],
    ['#each without a list', '{{#each}}<p>x</p>{{/each}}'],
    ['#if without a condition', '{{#if}}<p>x</p>{{/if}}'],
    ['#if with two conditions', '{{#if name amount}}<p>x</p>{{/if}}'],
    ['#with without a value', '{{#with}}<p>x</p>{{/with}}'],
    ['#unless without a condition', '{{#unless}}<p>x</p>{{/unless}}'],
    ['if used as a value', '<p>{{if name}}</p>'],
    ['each used as a value', '<p>{{each name}}</p>'],
    ['with inside a sub-expression', '<p>{{date (with name)}}</p>'],
  ])('refuse %s at save (it would fail every print)', async (_label, html) => {
    const r = await save(html);
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect((await tenant.api.get('/api/print-templates/note/probe')).status).toBe(404);
  });

  it('answer 400, not 500, for a stored template that cannot render', async () => {
    expect((await tenant.api.put('/api/print-templates/note/old', { html: '<p>{{name}}</p>' })).status).toBe(200);
    await storeBehindTheCheck('old', { html: '<p>{{> letterhead}}</p>' });
    const r = await rep.api.get(`/api/records/note/${noteId}/print/old`);
    expect(r.status, r.text).toBe(400);
    const merge = await rep.api.post('/api/records/note/merge', { template: 'old', dryRun: true });
    expect(merge.status, merge.text).toBe(400);
  });

  it('keep accepting what renders: blocks, else chains, helpers, comments', async () => {
    const html =
      '{{!-- a comment --}}<p>{{#if name}}{{name}}{{else if amount}}{{number amount 2}}{{else}}none{{/if}}</p>' +
      '{{#with name}}<p>{{this}}</p>{{/with}}{{#unless amount}}<p>zero</p>{{/unless}}' +
      '{{#each tags}}<i>{{this}}</i>{{/each}}<p>{{date (number amount)}}</p>';
    const r = await save(html);
    expect(r.status, r.text).toBe(200);
    const printed = await rep.api.get(`/api/records/note/${noteId}/print/probe`);
    expect(printed.status, printed.text).toBe(200);
    expect((await tenant.api.delete('/api/print-templates/note/probe')).status).toBe(204);
  });
});

describe('file names', { timeout: 60_000 }, () => {
  it('lose bidi controls and other control characters on upload', async () => {
    const upload = async (name: string) => {
      const res = await fetch(
        new URL(`/api/records/note/${noteId}/files?name=${encodeURIComponent(name)}`, server.url),
        {
          method: 'POST',
          headers: { authorization: `Bearer ${rep.api.token}`, 'content-type': 'text/plain' },
          body: 'hello',
        },
      );
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; name: string };
    };
    // U+202E makes "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
    expect((await upload('invoice\u202efdp.exe')).name).toBe('invoicefdp.exe');
    expect((await upload('\u2066a\u2069b\u200f\u061c\u0085\u2028c\ufeff.txt')).name).toBe('abc.txt');
    const kept = await upload('报价单 (v2).txt');
    expect(kept.name).toBe('报价单 (v2).txt');
    const download = await fetch(new URL(`/api/records/note/${noteId}/files/${kept.id}`, server.url), {
      headers: { authorization: `Bearer ${rep.api.token}` },
    });
    expect(download.headers.get('content-disposition')).toContain(encodeURIComponent('报价单 (v2).txt'));
    // Nothing but controls is no name at all.
    const empty = await fetch(new URL(`/api/records/note/${noteId}/files?name=%E2%80%AE`, server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${rep.api.token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(empty.status).toBe(400);
  });
});

describe('spreadsheet formulas in exports', { timeout: 60_000 }, () => {
  const FORMULAS = ['=HYPERLINK("https://evil.test","x")', "+1+cmd|' /C calc'!A0", '-2+3', '@SUM(1)', '\t=1', '\r=1'];
  let ids: string[] = [];

  beforeAll(async () => {
    ids = [];
    for (const [i, name] of FORMULAS.entries()) {
      const r = await rep.api.post('/api/records/note', { name, amount: -i, tags: ['=a'] });
      expect(r.status, r.text).toBe(201);
      ids.push(r.body.id);
    }
  });

  const exportCsv = (query: Record<string, string> = {}) =>
    rep.api.get('/api/records/note/export', {
      query: { format: 'csv', fields: 'name,amount,tags', filter: JSON.stringify({ id: { in: ids } }), ...query },
    });

  it('CSV: text cells that a spreadsheet would run start with a quote; numbers stay numbers', async () => {
    const r = await exportCsv({ sort: 'amount' });
    expect(r.status, r.text).toBe(200);
    const text = r.text;
    for (const f of FORMULAS) {
      const quoted = /[",\r\n]/.test(f) ? `"'${f.replaceAll('"', '""')}"` : `'${f}`;
      expect(text, f).toContain(quoted);
    }
    // No cell starts with a formula character: every line begins with a quote (bare or inside "…").
    for (const line of text.split('\n').slice(1).filter(Boolean)) expect(line, line).toMatch(/^"?'/);
    expect(text).toContain(",'=a\n");
    expect(text).toMatch(/,-5,/);
  });

  it('CSV: escapeFormulas=false writes them raw, for round trips into systems that expect it', async () => {
    const r = await exportCsv({ escapeFormulas: 'false' });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain('\n"=HYPERLINK(""https://evil.test"",""x"")",');
    expect(r.text).not.toContain("'=");
  });

  it('CSV: an escaped export imports back to the same values', async () => {
    const exported = await exportCsv();
    const csv = exported.text;
    const dry = await tenant.api.post('/api/records/note/import', undefined, {
      raw: csv,
      headers: { 'content-type': 'text/csv' },
      query: { dryRun: 'true' },
    });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.inserted).toBe(FORMULAS.length);
    const real = await tenant.api.post('/api/records/note/import', undefined, {
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(real.status, real.text).toBe(200);
    const back = await tenant.api.get('/api/records/note', {
      query: { filter: JSON.stringify({ id: { nin: ids }, tags: { isNull: false } }), limit: 50 },
    });
    const names = back.body.items.map((i: { name: string }) => i.name).sort();
    expect(names).toEqual([...FORMULAS].sort());
    expect(back.body.items.every((i: { tags: string[] }) => i.tags[0] === '=a')).toBe(true);
  });

  it('XLSX: formula-like text is a plain string cell, never a formula', async () => {
    const res = await fetch(
      new URL(
        `/api/records/note/export?format=xlsx&fields=name&filter=${encodeURIComponent(JSON.stringify({ id: { in: ids } }))}`,
        server.url,
      ),
      { headers: { authorization: `Bearer ${rep.api.token}` } },
    );
    expect(res.status).toBe(200);
    const data = Buffer.from(await res.arrayBuffer());
    const sheetXml = new PizZip(data).file('xl/worksheets/sheet1.xml')?.asText() ?? '';
    expect(sheetXml).not.toContain('<f>');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as unknown as ArrayBuffer);
    const values: unknown[] = [];
    wb.worksheets[0]?.eachRow((row, n) => {
      if (n > 1) values.push(row.getCell(1).value);
    });
    // XML reads a stored CR as a LF: compare the text, not the line ending.
    expect(values.sort()).toEqual(FORMULAS.map((f) => f.replace('\r', '\n')).sort());
  });
});
