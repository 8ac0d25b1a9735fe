import PizZip from 'pizzip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import {
  contactName as name,
  MERGE_COUNT as COUNT,
  merge,
  pdfText,
  seedMergeTenant,
  watchContactPages,
} from '../support/merge-fixture';

/** Mail merge through the real server: 1,000 contacts, PDF text extracted, ZIP unpacked, outbox checked. */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'merge' });
  rep = await seedMergeTenant(tenant);
  for (const n of ['Rep One', 'Rep Two'])
    expect((await rep.api.post('/api/records/contact', { name: n, city: 'Paris' })).status).toBe(201);
  const tpl = await tenant.api.put('/api/print-templates/contact/letter', {
    html: '<h1>Dear {{name}}</h1><p>City: {{city}}</p><p>Code: [{{secret}}]</p>',
    footer: '{{name}} · page {{page}} of {{pages}}',
  });
  expect(tpl.status, tpl.text).toBe(200);
  const other = await tenant.api.put('/api/print-templates/note/memo', { html: '<p>{{title}}</p>' });
  expect(other.status, other.text).toBe(200);
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('mail merge', { timeout: 600_000 }, () => {
  it('merges 1,000 contacts into one PDF, reading keyset pages and streaming the answer', async () => {
    const { limits, restore } = watchContactPages(server);
    try {
      const { res, buf } = await merge(tenant.api, 'contact', { template: 'letter', sort: 'name' });
      expect(res.status, buf.toString().slice(0, 300)).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      // Streamed: no length known up front.
      expect(res.headers.get('content-length')).toBeNull();
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      expect(limits.length).toBeGreaterThanOrEqual(COUNT / 100);
      expect(Math.max(...limits)).toBeLessThanOrEqual(100);
      const { text, pages } = await pdfText(buf);
      // The two contacts a rep created are merged too (last by name).
      expect(pages).toBe(COUNT + 2);
      // Every contact once, in the requested order, each its own document (page 1 of 1).
      const found = [...text.matchAll(/Dear (Contact \d{4})/g)].map((m) => m[1]);
      expect(found).toEqual(Array.from({ length: COUNT }, (_, i) => name(i + 1)));
      expect(text).toContain('Contact 0001 · page 1 of 1');
      expect(text).toContain('City: 上海');
    } finally {
      restore();
    }
  });

  it('answers a ZIP of PDFs for a filtered list', async () => {
    const { res, buf } = await merge(tenant.api, 'contact', {
      template: 'letter',
      filter: { city: { eq: '上海' }, name: { lte: name(40) } },
      sort: '-name',
      format: 'zip',
    });
    expect(res.status, buf.toString().slice(0, 300)).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = new PizZip(buf);
    const entries = Object.keys(zip.files).sort();
    // 上海 is every fourth contact from the third: 3, 7, …, 39 → 10 contacts, newest name first.
    expect(entries).toHaveLength(10);
    expect(entries[0]).toBe('0001-Contact 0039.pdf');
    for (const entry of entries) {
      const label = /-(Contact \d{4})\.pdf$/.exec(entry)?.[1];
      const { text, pages } = await pdfText(Buffer.from(zip.file(entry)!.asUint8Array()));
      expect(pages).toBe(1);
      expect(text).toContain(`Dear ${label}`);
      expect(text).toContain('City: 上海');
    }
  });

  it('previews the first three documents on a dry run', async () => {
    const { res, buf } = await merge(tenant.api, 'contact', {
      template: 'letter',
      sort: 'name',
      dryRun: true,
      email: { to: 'email', subject: 'Hello {{name}}' },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(buf.toString());
    expect(body.documents).toHaveLength(3);
    expect(body.documents[0]).toMatchObject({
      label: name(1),
      html: expect.stringContaining('<h1>Dear Contact 0001</h1>'),
      text: expect.stringContaining('Dear Contact 0001'),
      email: { to: 'c1@example.test', subject: 'Hello Contact 0001' },
    });
    const count = await server.runtime.db.withSchema(`t_${tenant.id}`).from('_email_outbox').count({ n: '*' });
    expect(Number(count[0]?.n)).toBe(0);
  });

  it('queues personalised e-mails and reports the rows without an address', async () => {
    const { res, buf } = await merge(tenant.api, 'contact', {
      template: 'letter',
      filter: { name: { lte: name(25) } },
      email: { to: 'email', subject: 'Hello {{name}} <b>&</b>' },
    });
    expect(res.status, buf.toString()).toBe(200);
    const body = JSON.parse(buf.toString());
    expect(body.queued).toBe(23);
    expect(body.missingCount).toBe(2);
    expect(body.missing.map((m: { label: string }) => m.label).sort()).toEqual([name(10), name(20)]);
    const rows = await server.runtime.db
      .withSchema(`t_${tenant.id}`)
      .from('_email_outbox')
      .where('to_address', 'c7@example.test')
      .select('subject', 'body', 'sent_at');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject: 'Hello Contact 0007 &', sent_at: null });
    expect(rows[0].body).toContain('Dear Contact 0007');
    expect(rows[0].body).toContain('City: 上海');
  });

  it('merges only the records and fields the caller may read', async () => {
    const { res, buf } = await merge(rep.api, 'contact', { template: 'letter', sort: 'name' });
    expect(res.status).toBe(200);
    const { text, pages } = await pdfText(buf);
    expect(pages).toBe(2);
    expect(text).toContain('Dear Rep One');
    expect(text).not.toContain('Contact 0001');
    // A hidden field prints blank.
    expect(text).toContain('Code: []');
    const probe = await merge(rep.api, 'contact', {
      template: 'letter',
      dryRun: true,
      email: { to: 'secret', subject: 'x' },
    });
    expect(probe.res.status).toBe(400);
  });
});

describe('mail merge bad input', () => {
  const cases: Array<[string, string, unknown, number]> = [
    ['unknown template', 'contact', { template: 'nope' }, 404],
    ['unknown object', 'no_object', { template: 'letter' }, 404],
    ['template of another object', 'contact', { template: 'memo' }, 400],
    ['unknown filter field', 'contact', { template: 'letter', filter: { nope: { eq: 1 } } }, 400],
    ['injection in the filter', 'contact', { template: 'letter', filter: { "name') or 1=1 --": { eq: 'x' } } }, 400],
    ['bad operator', 'contact', { template: 'letter', filter: { name: { regex: '.*' } } }, 400],
    ['unknown sort', 'contact', { template: 'letter', sort: 'nope' }, 400],
    ['bad format', 'contact', { template: 'letter', format: 'docx' }, 400],
    ['template name injection', 'contact', { template: "letter'; drop table contact; --" }, 400],
    ['wrong types', 'contact', { template: 5, dryRun: 'yes' }, 400],
    ['unknown property', 'contact', { template: 'letter', extra: true }, 400],
    ['e-mail to a non e-mail field', 'contact', { template: 'letter', email: { to: 'city', subject: 'x' } }, 400],
    [
      'e-mail subject with unknown placeholder',
      'contact',
      { template: 'letter', email: { to: 'email', subject: '{{nope}}' } },
      400,
    ],
    ['e-mail subject syntax error', 'contact', { template: 'letter', email: { to: 'email', subject: '{{#if}}' } }, 400],
    ['malformed JSON', 'contact', '{"template": ', 400],
  ];
  it.each(cases.map(([l, o, b, st]) => [l, st, o, b] as const))('%s → %i', async (_label, status, object, body) => {
    const { res, buf } = await merge(tenant.api, object, body);
    expect(res.status, buf.toString()).toBe(status);
    expect(JSON.parse(buf.toString()).error.code).toBeTruthy();
  });

  it('refuses oversized bodies and anonymous callers', async () => {
    const big = await merge(tenant.api, 'contact', {
      template: 'letter',
      filter: { name: { eq: 'x'.repeat(100_000) } },
    });
    expect(big.res.status).toBe(413);
    const anon = await fetch(new URL('/api/records/contact/merge', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"template":"letter"}',
    });
    expect(anon.status).toBe(401);
  });
});
