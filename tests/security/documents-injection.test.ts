/**
 * What a user can smuggle into documents and files: raw OOXML through Word tags, Handlebars
 * constructs that pass the save check and then break every print, bidi controls in file names,
 * and spreadsheet formulas in exports.
 */
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
