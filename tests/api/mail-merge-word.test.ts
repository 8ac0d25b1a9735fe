import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sendOutbox, smtpTransport } from '@forma/runtime';
import { simpleParser } from 'mailparser';
import PizZip from 'pizzip';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';
import {
  cityOf,
  contactName as name,
  MERGE_COUNT as COUNT,
  merge,
  pdfText,
  seedMergeTenant,
  watchContactPages,
} from '../support/merge-fixture';
import { docxOf, docxParagraph } from '../support/docx';

/**
 * Mail merge with Word templates (a ZIP of .docx files, unzipped and read back) and merge e-mails
 * carrying each record's document, delivered to an SMTP sink and their attachments read back.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;
let smtp: SMTPServer;
let smtpUrl: string;
const received: string[] = [];
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function docx(paragraphs: string[]): Buffer {
  return docxOf(paragraphs.map(docxParagraph).join(''));
}

/** A .docx's paragraphs as lines, read independently of the runtime's own text extraction. */
function docxLines(buf: Buffer): string[] {
  const xml = new PizZip(buf).file('word/document.xml')?.asText() ?? '';
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)]
      .map((t) => t[1])
      .join('')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>'),
  );
}

async function putDocx(object: string, template: string, body: Buffer) {
  const res = await fetch(new URL(`/api/print-templates/${object}/${template}/docx`, tenant.api.baseUrl), {
    method: 'PUT',
    headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });
  expect(res.status, await res.text()).toBe(200);
}

/** Sends the tenant's queued e-mails to the sink and answers the messages that arrived, parsed. */
async function deliver(filesDir?: string) {
  const before = received.length;
  const transport = smtpTransport(smtpUrl);
  const report = await sendOutbox(
    server.runtime.db,
    transport,
    { from: 'forma@example.test', ...(filesDir ? { filesDir } : {}) },
    server.runtime.clock.now(),
    server.runtime.logger,
    [tenant.id],
  );
  transport.close();
  expect(report.failed).toBe(0);
  return Promise.all(received.slice(before).map((raw) => simpleParser(raw)));
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'mergeword' });
  rep = await seedMergeTenant(tenant);
  for (const n of ['Rep: One/Two', 'Rep: One/Two'])
    expect(
      (await rep.api.post('/api/records/contact', { name: n, city: 'Lyon', email: 'rep@example.test' })).status,
    ).toBe(201);
  await putDocx('contact', 'letter_docx', docx(['Dear {name}', 'City: {city}', 'Code: [{secret}]']));
  await putDocx('note', 'memo_docx', docx(['{title}']));
  const html = await tenant.api.put('/api/print-templates/contact/letter', {
    html: '<h1>Dear {{name}}</h1><p>City: {{city}}</p><p>Code: [{{secret}}]</p>',
  });
  expect(html.status, html.text).toBe(200);
}, 300_000);

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('mail merge with a Word template', { timeout: 600_000 }, () => {
  it('streams a ZIP of one .docx per record over 1,000 contacts, reading keyset pages', async () => {
    const { limits, restore } = watchContactPages(server);
    try {
      const { res, buf } = await merge(tenant.api, 'contact', {
        wordTemplate: 'letter_docx',
        filter: { name: { lte: name(COUNT) } },
        sort: 'name',
      });
      expect(res.status, buf.toString().slice(0, 300)).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/zip');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="letter_docx-merge.zip"');
      expect(res.headers.get('content-length')).toBeNull();
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      expect(limits.length).toBeGreaterThanOrEqual(COUNT / 100);
      expect(Math.max(...limits)).toBeLessThanOrEqual(100);
      const zip = new PizZip(buf);
      const entries = Object.keys(zip.files).sort();
      expect(entries).toHaveLength(COUNT);
      for (const [k, entry] of entries.entries()) {
        const i = k + 1;
        expect(entry).toBe(`${String(i).padStart(4, '0')}-${name(i)}.docx`);
        const lines = docxLines(Buffer.from(zip.file(entry)!.asUint8Array()));
        expect(lines).toEqual([`Dear ${name(i)}`, `City: ${cityOf(i)}`, `Code: [S-${i}]`]);
      }
    } finally {
      restore();
    }
  });

  it('waits for its reader: an unread Word ZIP stops after a few documents and resumes when read', async () => {
    const documents = server.runtime.documents;
    const original = documents.recordData.bind(documents);
    let ctx: Parameters<typeof original>[0] | undefined;
    let reads = 0;
    documents.recordData = async (c, object, id) => {
      ctx ??= c;
      reads += 1;
      return original(c, object, id);
    };
    try {
      // Documents of some size (incompressible text), so the ZIP's buffers fill up after a few of them.
      const noise = Array.from({ length: 8 }, () => randomBytes(600).toString('base64'));
      await putDocx('contact', 'padded_docx', docx(['Dear {name}', ...noise]));
      // A request's context, borrowed to call the runtime without a socket's buffers in between.
      await merge(tenant.api, 'contact', { wordTemplate: 'padded_docx', dryRun: true });
      reads = 0;
      const { stream } = await server.runtime.mailMerge.zip(ctx!, 'contact', { wordTemplate: 'padded_docx' });
      // Nobody reads: wait until the merge stops making documents (no timing is asserted).
      let last = -1;
      for (let quiet = 0; quiet < 10; ) {
        await new Promise((r) => setTimeout(r, 25));
        quiet = reads === last ? quiet + 1 : 0;
        last = reads;
      }
      // About 1 MB of ZIP buffers hold some 200 such documents: far from all of them.
      expect(reads).toBeGreaterThan(0);
      expect(reads).toBeLessThan(COUNT / 2);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      expect(reads).toBe(COUNT + 2);
      expect(Object.keys(new PizZip(Buffer.concat(chunks)).files)).toHaveLength(COUNT + 2);
    } finally {
      documents.recordData = original;
    }
  });

  it('fills only what the caller may read, with safe and distinct entry names', async () => {
    const { res, buf } = await merge(rep.api, 'contact', { wordTemplate: 'letter_docx', format: 'zip' });
    expect(res.status, buf.toString().slice(0, 300)).toBe(200);
    const zip = new PizZip(buf);
    const entries = Object.keys(zip.files).sort();
    // Only the rep's own two contacts; the label's slash and colon are dropped, never a folder.
    expect(entries).toEqual(['0001-Rep OneTwo.docx', '0002-Rep OneTwo.docx']);
    // The hidden field stays empty.
    for (const entry of entries)
      expect(docxLines(Buffer.from(zip.file(entry)!.asUint8Array()))).toEqual([
        'Dear Rep: One/Two',
        'City: Lyon',
        'Code: []',
      ]);
  });

  it('previews the first three documents as the text of the generated .docx', async () => {
    const { res, buf } = await merge(tenant.api, 'contact', {
      wordTemplate: 'letter_docx',
      sort: 'name',
      dryRun: true,
      email: { to: 'email', subject: 'Letter for {{name}}', attach: true },
    });
    expect(res.status, buf.toString()).toBe(200);
    const body = JSON.parse(buf.toString());
    expect(body.documents).toHaveLength(3);
    expect(body.documents[2]).toEqual({
      id: expect.any(String),
      label: name(3),
      text: `Dear ${name(3)}\nCity: 上海\nCode: [S-3]`,
      email: {
        to: 'c3@example.test',
        subject: `Letter for ${name(3)}`,
        body: `Dear ${name(3)}\nCity: 上海\nCode: [S-3]`,
        attachment: `${name(3)}.docx`,
      },
    });
    const count = await server.runtime.db.withSchema(`t_${tenant.id}`).from('_email_outbox').count({ n: '*' });
    expect(Number(count[0]?.n)).toBe(0);
  });
});

describe('merge e-mails with the document attached', { timeout: 300_000 }, () => {
  it('sends each contact its own .docx, kept among the record’s files', async () => {
    const { res, buf } = await merge(tenant.api, 'contact', {
      wordTemplate: 'letter_docx',
      filter: { name: { lte: name(12) } },
      email: {
        to: 'email',
        subject: 'Your letter, {{name}}',
        body: 'Hello {{name}},\nyour letter is attached.',
        attach: true,
      },
    });
    expect(res.status, buf.toString()).toBe(200);
    expect(JSON.parse(buf.toString())).toEqual({
      queued: 11,
      missing: [{ id: expect.any(String), label: name(10) }],
      missingCount: 1,
      failed: [],
      failedCount: 0,
    });
    const mails = await deliver();
    expect(mails).toHaveLength(11);
    for (const mail of mails) {
      const i = Number(/Contact (\d{4})/.exec(mail.subject ?? '')?.[1]);
      expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe(`c${i}@example.test`);
      expect(mail.text?.trim()).toBe(`Hello ${name(i)},\nyour letter is attached.`);
      expect(mail.attachments).toHaveLength(1);
      const [file] = mail.attachments;
      expect(file?.filename).toBe(`${name(i)}.docx`);
      expect(file?.contentType).toBe(DOCX);
      expect(docxLines(file!.content)).toEqual([`Dear ${name(i)}`, `City: ${cityOf(i)}`, `Code: [S-${i}]`]);
    }
    // The outbox row only points at the stored file.
    const row = await server.runtime.db
      .withSchema(`t_${tenant.id}`)
      .from('_email_outbox')
      .where('to_address', 'c7@example.test')
      .first('attachment_file', 'sent_at');
    expect(row.sent_at).not.toBeNull();
    const contact = await tenant.api.get('/api/records/contact', {
      query: { filter: JSON.stringify({ name: { eq: name(7) } }) },
    });
    const id = contact.body.items[0].id;
    const files = await tenant.api.get(`/api/records/contact/${id}/files`);
    expect(files.body.items).toEqual([
      expect.objectContaining({ id: row.attachment_file, name: `${name(7)}.docx`, contentType: DOCX }),
    ]);
  });

  it('attaches the PDF of an HTML template, without hidden fields, and reports a record that fails', async () => {
    const documents = server.runtime.documents;
    const original = documents.recordData.bind(documents);
    let calls = 0;
    documents.recordData = async (ctx, object, id) => {
      // The first record breaks: its document cannot be made, the other is still sent.
      calls += 1;
      if (calls === 1) throw new Error('render exploded');
      return original(ctx, object, id);
    };
    try {
      const { res, buf } = await merge(rep.api, 'contact', {
        template: 'letter',
        sort: 'name',
        email: { to: 'email', subject: 'Letter for {{name}}', attach: true },
      });
      expect(res.status, buf.toString()).toBe(200);
      const report = JSON.parse(buf.toString());
      expect(report).toMatchObject({ queued: 1, missingCount: 0, failedCount: 1 });
      expect(report.failed[0].error).toContain('render exploded');
    } finally {
      documents.recordData = original;
    }
    const mails = await deliver();
    expect(mails).toHaveLength(1);
    const [file] = mails[0]!.attachments;
    expect(file?.filename).toBe('Rep OneTwo.pdf');
    expect(file?.contentType).toBe('application/pdf');
    const { text } = await pdfText(file!.content);
    expect(text).toContain('Dear Rep: One/Two');
    expect(text).toContain('Code: []');
    // Without a body template the e-mail's text is the document's.
    expect(mails[0]?.text).toContain('Dear Rep: One/Two');
  });
});

describe('merge attachments in a files directory and within the size limit', () => {
  it('stores the attachment on disk, sends it from there, and reports a document over the limit', async () => {
    // The running server's file service switched to a directory, as FILES_DIR would set it.
    const files = server.runtime.files as unknown as { dir?: string; maxBytes: number };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forma-merge-files-'));
    const maxBytes = files.maxBytes;
    files.dir = dir;
    try {
      const email = { to: 'email', subject: 'Letter', attach: true };
      const one = await merge(tenant.api, 'contact', {
        wordTemplate: 'letter_docx',
        filter: { name: { eq: name(21) } },
        email,
      });
      expect(JSON.parse(one.buf.toString())).toMatchObject({ queued: 1, failedCount: 0 });
      const db = server.runtime.db.withSchema(`t_${tenant.id}`);
      const { attachment_file: fileId } = await db
        .clone()
        .from('_email_outbox')
        .where('to_address', 'c21@example.test')
        .first();
      const stored = await server.runtime.db.withSchema(`t_${tenant.id}`).from('_files').where('id', fileId).first();
      expect(stored.content).toHaveLength(0);
      expect(fs.existsSync(path.join(dir, tenant.id, fileId.slice(0, 2), fileId))).toBe(true);
      const mails = await deliver(dir);
      expect(mails).toHaveLength(1);
      expect(docxLines(mails[0]!.attachments[0]!.content)).toEqual([
        `Dear ${name(21)}`,
        `City: ${cityOf(21)}`,
        'Code: [S-21]',
      ]);

      files.maxBytes = 200;
      const big = await merge(tenant.api, 'contact', {
        wordTemplate: 'letter_docx',
        filter: { name: { in: [name(22), name(23)] } },
        email,
      });
      const report = JSON.parse(big.buf.toString());
      expect(report).toMatchObject({ queued: 0, failedCount: 2 });
      expect(report.failed[0].error).toContain('200-byte file limit');
    } finally {
      files.dir = undefined;
      files.maxBytes = maxBytes;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Word template fields', () => {
  it('refuses tags that name no field at upload, listing them', async () => {
    const res = await fetch(new URL('/api/print-templates/contact/typos/docx', tenant.api.baseUrl), {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.api.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(docx(['{nmae} {name.first}', '{#city}{name} {missing}{/city}', '{#email}{.}{/email}'])),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.details.unknown.sort()).toEqual(['missing', 'name.first', 'nmae']);
  });

  it('reports in the dry run the unknown tags of a template stored before the check', async () => {
    await server.runtime.db
      .withSchema(`t_${tenant.id}`)
      .into('_print_templates')
      .insert({ object: 'contact', name: 'old_docx', label: 'Old', kind: 'docx', docx: docx(['{name}: {nickname}']) });
    const { res, buf } = await merge(tenant.api, 'contact', { wordTemplate: 'old_docx', sort: 'name', dryRun: true });
    expect(res.status, buf.toString()).toBe(200);
    const body = JSON.parse(buf.toString());
    expect(body.unknown).toEqual(['nickname']);
    expect(body.documents[0].text).toBe(`${name(1)}:`);
  });
});

describe('Word mail merge bad input', () => {
  const cases: Array<[string, string, unknown, number]> = [
    ['both templates', 'contact', { template: 'letter', wordTemplate: 'letter_docx' }, 400],
    ['neither template', 'contact', { format: 'zip' }, 400],
    ['unknown Word template', 'contact', { wordTemplate: 'nope' }, 404],
    ['unknown object', 'no_object', { wordTemplate: 'letter_docx' }, 404],
    ['Word template of another object', 'contact', { wordTemplate: 'memo_docx' }, 400],
    ['HTML template given as Word', 'contact', { wordTemplate: 'letter' }, 400],
    ['Word template given as HTML', 'contact', { template: 'letter_docx' }, 400],
    ['Word merge as one PDF', 'contact', { wordTemplate: 'letter_docx', format: 'pdf' }, 400],
    [
      'injection in the filter',
      'contact',
      { wordTemplate: 'letter_docx', filter: { "name') or 1=1 --": { eq: 'x' } } },
      400,
    ],
    [
      'injection in a filter value is only a value',
      'contact',
      { wordTemplate: 'letter_docx', dryRun: true, filter: { name: { eq: "x' or '1'='1" } } },
      200,
    ],
    ['template name injection', 'contact', { wordTemplate: "letter_docx'; drop table contact; --" }, 400],
    [
      'wrong types',
      'contact',
      { wordTemplate: 'letter_docx', email: { to: 'email', subject: 'x', attach: 'yes' } },
      400,
    ],
    [
      'body with an unknown placeholder',
      'contact',
      { wordTemplate: 'letter_docx', email: { to: 'email', subject: 'x', body: '{{nope}}' } },
      400,
    ],
    ['malformed JSON', 'contact', '{"wordTemplate": ', 400],
  ];
  it.each(cases.map(([l, o, b, st]) => [l, st, o, b] as const))('%s → %i', async (_label, status, object, body) => {
    const { res, buf } = await merge(tenant.api, object, body);
    expect(res.status, buf.toString()).toBe(status);
    const json = JSON.parse(buf.toString());
    if (status === 200) expect(json.documents).toEqual([]);
    else expect(json.error.code).toBeTruthy();
  });
});
