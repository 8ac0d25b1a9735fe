import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import { docxOf, docxParagraph } from '../support/docx';

/**
 * Word templates are parsed off the event loop, within limits (issue 19): an 82 KB .docx holding a
 * 20 MB document.xml used to freeze every tenant for 30 s on upload.
 */
let server: TestServer;
let tenant: TestTenant;
const DOC_TIMEOUT_MS = 2000;

beforeAll(async () => {
  server = await startTestServer({ runtimeConfig: { documents: { timeoutMs: DOC_TIMEOUT_MS } } });
  tenant = await createTestTenant(server, { prefix: 'doclim' });
  const r = await tenant.api.post('/api/meta/apply', {
    objects: {
      letter: {
        type: 'object',
        'x-label-field': 'name',
        properties: { name: { type: 'string', maxLength: 200 }, amount: { type: 'number' } },
      },
    },
  });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

const upload = (name: string, body: Buffer) =>
  fetch(new URL(`/api/print-templates/letter/${name}/docx`, tenant.api.baseUrl), {
    method: 'PUT',
    headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });

describe('Word template limits', () => {
  it('refuses a ZIP bomb (20 MB document.xml in a small file) with 413 and a clear message', async () => {
    const bomb = docxOf(docxParagraph('a'.repeat(20 * 1024 * 1024)), { compress: true });
    expect(bomb.length).toBeLessThan(100 * 1024);
    const r = await upload('bomb', bomb);
    expect(r.status).toBe(413);
    const body = await r.json();
    expect(body.error).toMatchObject({ code: 'TOO_LARGE' });
    expect(body.error.message).toMatch(/word\/document\.xml unpacks to more than 4 MB/);
    expect((await tenant.api.get('/api/print-templates', { query: { object: 'letter' } })).body.items).toEqual([]);
  });

  it('a slow template is parsed in a worker: the server answers meanwhile, and the time limit gives 503', async () => {
    // Well within the size limits, but slow to parse: many paragraphs full of tags.
    const slow = docxOf(docxParagraph('{name} {amount} {name} {amount}').repeat(20_000), { compress: true });
    let answered = false;
    const saving = upload('slow', slow).then(async (r) => {
      answered = true;
      return { status: r.status, headers: r.headers, body: await r.json() };
    });
    const health = await server.anon.get('/api/health');
    expect(health.status).toBe(200);
    expect(answered).toBe(false);
    const r = await saving;
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(r.body.error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(r.body.error.message).toBe(
      `Making the document took longer than ${DOC_TIMEOUT_MS / 1000} s and was stopped; try a smaller template or fewer lines`,
    );
    // The pool replaced the stopped thread: a normal template still works.
    const fine = await upload('fine', docxOf(docxParagraph('Dear {name}')));
    expect(fine.status).toBe(200);
  });
});
