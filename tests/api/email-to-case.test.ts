/**
 * E-mail to case through a real server: the inbound SMTP listener on loopback receives what
 * nodemailer sends, cases and their timeline entries appear through the API, a user's reply leaves
 * through the outbox to a fake relay with threading headers, and the customer's answer to it comes
 * back to the same case. Unhappy paths: auto-replies, our own messages coming back, over-size and
 * malformed messages, unknown recipients, a guessed case number, a flooding sender, bad settings.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { sendOutbox, type SmtpListener, smtpTransport, startSmtpListener } from '@forma/runtime';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
let other: TestTenant;
let listener: SmtpListener;
let relay: SMTPServer;
let relayUrl: string;
const relayed: Array<{ to: string[]; raw: string }> = [];
let agent: { id: string; api: ApiClient };
let outsider: { id: string; api: ApiClient };
let contactId: string;
let accountId: string;

const PER_SENDER = 4;
const tag = randomBytes(3).toString('hex');
let helpAddress: string;
let ackAddress: string;
const ann = `ann.${tag}@customer.test`;

type Mail = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

/** Delivers to the listener; answers the SMTP refusal instead of throwing. */
async function deliver(
  mail: Mail,
): Promise<{ ok: true; messageId: string } | { ok: false; code: number; text: string }> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: listener.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const info = await transport.sendMail(mail);
    return { ok: true, messageId: info.messageId };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message: string };
    return { ok: false, code: e.responseCode ?? 0, text: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

/** Speaks SMTP line by line (no SIZE parameter, unlike nodemailer): the last reply to each command. */
async function rawSmtp(commands: string[]): Promise<string[]> {
  const socket = net.connect(listener.port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  let waiting: ((line: string) => void) | undefined;
  const pending: string[] = [];
  socket.on('data', (d) => {
    buffer += d.toString('utf8');
    let i = buffer.indexOf('\r\n');
    while (i >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      // A final reply line has a space after its code; `250-` lines continue.
      if (/^\d{3} /.test(line)) {
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(line);
        } else pending.push(line);
      }
      i = buffer.indexOf('\r\n');
    }
  });
  const next = () =>
    new Promise<string>((resolve) => {
      if (pending.length) resolve(pending.shift() as string);
      else waiting = resolve;
    });
  await next(); // greeting
  for (const c of commands) {
    socket.write(`${c}\r\n`);
    // After DATA's 354 the next "command" is the message itself, ending in its "." line.
    replies.push(await next());
  }
  socket.end();
  return replies;
}

const cases = async (filter: object) => {
  const r = await tenant.api.get('/api/records/service_case', {
    query: { filter: JSON.stringify(filter), sort: 'created_at', limit: 50 },
  });
  expect(r.status, r.text).toBe(200);
  return r.body.items as Array<Record<string, any>>;
};
const comments = async (caseId: string) => {
  const r = await tenant.api.get('/api/records/activity', {
    query: { filter: JSON.stringify({ service_case: { eq: caseId } }), sort: 'created_at' },
  });
  expect(r.status, r.text).toBe(200);
  return r.body.items as Array<Record<string, any>>;
};
const outbox = () => server.runtime.db.withSchema(`t_${tenant.id}`).from('_email_outbox');
const flushOutbox = () =>
  sendOutbox(
    server.runtime.db,
    smtpTransport(relayUrl),
    { from: 'forma@example.test' },
    server.runtime.clock.now(),
    server.runtime.logger,
    [tenant.id],
  );

beforeAll(async () => {
  // The fake relay the outbox sends to: what a customer's mailbox would receive.
  relay = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        relayed.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayUrl = `smtp://127.0.0.1:${(relay.server.address() as { port: number }).port}`;

  server = await startTestServer({
    runtimeConfig: { inboundMail: { maxBytes: 300_000, perSenderPerHour: PER_SENDER }, files: { maxBytes: 40_000 } },
  });
  tenant = await createTestTenant(server, { prefix: 'mcase' });
  other = await createTestTenant(server, { prefix: 'mcase' });
  helpAddress = `help.${tenant.id}@mail.test`;
  ackAddress = `ack.${tenant.id}@mail.test`;
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, r.text).toBe(200);
  };
  await put('/api/meta/objects/account', {
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 100 } },
    required: ['name'],
  });
  await put('/api/meta/objects/contact', {
    type: 'object',
    'x-label-field': 'last_name',
    properties: {
      last_name: { type: 'string', maxLength: 100 },
      email: { type: 'string', format: 'email' },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    },
  });
  await put('/api/meta/objects/service_case', {
    type: 'object',
    'x-label-field': 'number',
    properties: {
      number: { type: 'string', 'x-autonumber': 'CS-{YYYY}-{00000}' },
      subject: { type: 'string', maxLength: 200 },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
      contact: { type: 'string', format: 'uuid', 'x-ref': 'contact' },
      channel: { type: 'string', enum: ['phone', 'email', 'web'] },
      status: { type: 'string', enum: ['new', 'in_progress', 'waiting', 'resolved'], default: 'new' },
      description: { type: 'string', 'x-kind': 'textarea', maxLength: 4000 },
    },
    required: ['subject'],
  });
  await put('/api/meta/objects/activity', {
    type: 'object',
    'x-label-field': 'subject',
    'x-timeline': true,
    properties: {
      subject: { type: 'string', maxLength: 200 },
      type: { type: 'string', enum: ['call', 'email', 'task'] },
      status: { type: 'string', enum: ['open', 'done'] },
      notes: { type: 'string', 'x-kind': 'textarea', maxLength: 4000 },
      service_case: { type: 'string', format: 'uuid', 'x-ref': 'service_case' },
      contact: { type: 'string', format: 'uuid', 'x-ref': 'contact' },
    },
  });
  await put('/api/meta/roles/support', {
    objects: {
      service_case: { create: true, read: 'all', update: 'all' },
      activity: { create: true, read: 'all', update: 'own' },
      contact: { read: 'all' },
      account: { read: 'all' },
    },
  });
  agent = await tenant.addUser({ roles: ['support'], name: 'Sam Support' });
  outsider = await tenant.addUser({ roles: [], name: 'Olga Outside' });
  const acc = await tenant.api.post('/api/records/account', { name: 'Customer Ltd' });
  expect(acc.status, acc.text).toBe(201);
  accountId = acc.body.id;
  const c = await tenant.api.post('/api/records/contact', { last_name: 'Lee', email: ann, account: accountId });
  expect(c.status, c.text).toBe(201);
  contactId = c.body.id;

  const settings = await server.platform.put(`/api/tenants/${tenant.id}/inbound-email`, {
    addresses: [
      { address: helpAddress.toUpperCase(), object: 'service_case', owner: agent.id },
      { address: ackAddress, object: 'service_case', owner: agent.id, acknowledge: true },
    ],
  });
  expect(settings.status, settings.text).toBe(200);
  expect(settings.body.addresses[0].address).toBe(helpAddress);
  listener = await startSmtpListener(server.runtime.inboundMail, server.runtime.logger, { port: 0 });
});

afterAll(async () => {
  await listener?.close();
  for (const t of [tenant, other])
    await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
  await new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
});

describe('e-mail to case', () => {
  let caseId: string;
  let caseNumber: string;
  let firstMessageId: string;

  it('makes a case of a new message: contact and account matched, attachment stored, cause "email"', async () => {
    const sent = await deliver({
      from: `Ann Lee <${ann.replace('ann', 'Ann')}>`,
      to: helpAddress,
      subject: 'Printer on fire',
      text: 'Our printer is on fire.\nPlease help.',
      attachments: [{ filename: 'printer-log.txt', content: 'error 42: paper jam\n' }],
    });
    expect(sent.ok, JSON.stringify(sent)).toBe(true);
    firstMessageId = (sent as { messageId: string }).messageId;
    const found = await cases({ subject: { eq: 'Printer on fire' } });
    expect(found).toHaveLength(1);
    const c = found[0] as Record<string, any>;
    caseId = c.id;
    caseNumber = c.number;
    expect(caseNumber).toMatch(/^CS-\d{4}-\d{5}$/);
    expect(c).toMatchObject({ contact: contactId, account: accountId, channel: 'email', owner: agent.id });
    expect(c.description).toContain('Our printer is on fire.');
    expect(c.description).toContain(ann);
    const files = await agent.api.get(`/api/records/service_case/${caseId}/files`);
    expect(files.status, files.text).toBe(200);
    expect(files.body.items.map((f: { name: string }) => f.name)).toEqual(['printer-log.txt']);
    const body = await agent.api.get(`/api/records/service_case/${caseId}/files/${files.body.items[0].id}`);
    expect(body.text).toBe('error 42: paper jam\n');
    const history = await tenant.api.get(`/api/records/service_case/${caseId}/history`);
    expect(history.status, history.text).toBe(200);
    const created = history.body.items.find((e: { action: string }) => e.action === 'create');
    expect(created.cause).toMatchObject({ kind: 'email' });
    expect(created.cause.text).toContain(ann);
    // No acknowledgement from this address (its setting is off).
    expect(await outbox().where('to_address', ann)).toHaveLength(0);
  });

  it('adds a reply naming the case number in its subject as a comment on that case, not a new case', async () => {
    const sent = await deliver({
      from: ann,
      to: helpAddress,
      subject: `Re: Printer on fire [${caseNumber}]`,
      text: 'Still burning.',
    });
    expect(sent.ok, JSON.stringify(sent)).toBe(true);
    expect(await cases({ contact: { eq: contactId } })).toHaveLength(1);
    const list = await comments(caseId);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ type: 'email', status: 'done', contact: contactId, owner: agent.id });
    expect(list[0]?.notes).toContain('Still burning.');
    const history = await tenant.api.get(`/api/records/activity/${list[0]?.id}/history`);
    expect(history.body.items[0].cause).toMatchObject({ kind: 'email' });
    // The case's timeline shows it.
    const timeline = await agent.api.get(`/api/records/service_case/${caseId}/timeline`);
    expect(timeline.status, timeline.text).toBe(200);
    expect(timeline.body.items.some((e: { kind: string }) => e.kind === 'activity')).toBe(true);
  });

  it('does not let a stranger post into a case by guessing its number: that is a new case', async () => {
    const stranger = `mallory.${tag}@elsewhere.test`;
    const sent = await deliver({ from: stranger, to: helpAddress, subject: `[${caseNumber}] let me in`, text: 'hi' });
    expect(sent.ok, JSON.stringify(sent)).toBe(true);
    expect(await comments(caseId)).toHaveLength(1);
    const mine = await cases({ subject: { eq: `[${caseNumber}] let me in` } });
    expect(mine).toHaveLength(1);
    expect(mine[0]?.id).not.toBe(caseId);
    // Unknown sender: no contact (none is made up), the address kept in the description.
    expect(mine[0]?.contact ?? null).toBeNull();
    expect(mine[0]?.description).toContain(stranger);
  });

  it('tells a screen whether a reply would be accepted and to whom, before anything is typed', async () => {
    const target = await agent.api.get(`/api/records/service_case/${caseId}/reply`);
    expect(target.status, target.text).toBe(200);
    expect(target.body).toEqual({
      receives: true,
      allowed: true,
      to: ann,
      subject: `Re: Printer on fire [${caseNumber}]`,
    });
    // Outside the read scope: not found, as for the reply itself.
    const hidden = await outsider.api.get(`/api/records/service_case/${caseId}/reply`);
    expect(hidden.status, hidden.text).toBe(404);
    // A reader who may not change the case may not reply: the box is not offered.
    const role = await tenant.api.put('/api/meta/roles/case_reader', { objects: { service_case: { read: 'all' } } });
    expect(role.status, role.text).toBe(200);
    const reader = await tenant.addUser({ roles: ['case_reader'], name: 'Rita Reader' });
    const readOnly = await reader.api.get(`/api/records/service_case/${caseId}/reply`);
    expect(readOnly.status, readOnly.text).toBe(200);
    expect(readOnly.body).toMatchObject({ receives: true, allowed: false });
    // A case nobody wrote in about and without a contact has nobody to reply to.
    const bare = await agent.api.post('/api/records/service_case', { subject: 'Phoned in' });
    expect(bare.status, bare.text).toBe(201);
    const noAddress = await agent.api.get(`/api/records/service_case/${bare.body.id}/reply`);
    expect(noAddress.body).toMatchObject({ receives: true, allowed: true, to: null });
    // Objects no inbound address receives take no replies at all.
    const contact = await agent.api.get(`/api/records/contact/${contactId}/reply`);
    expect(contact.status, contact.text).toBe(200);
    expect(contact.body).toEqual({ receives: false, allowed: false, to: null, subject: null });
    const bad = await agent.api.get('/api/records/service_case/not-a-uuid/reply');
    expect(bad.status, bad.text).toBe(404);
  });

  it('sends a reply from the case through the outbox with threading headers; the answer threads back', async () => {
    const denied = await outsider.api.post(`/api/records/service_case/${caseId}/reply`, { body: 'x' });
    expect(denied.status, denied.text).toBe(404);
    const empty = await agent.api.post(`/api/records/service_case/${caseId}/reply`, { body: '  ' });
    expect(empty.status, empty.text).toBe(400);
    const r = await agent.api.post(`/api/records/service_case/${caseId}/reply`, {
      body: 'We are sending a technician.',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.to).toBe(ann);
    expect(r.body.subject).toBe(`Re: Printer on fire [${caseNumber}]`);
    const before = relayed.length;
    expect((await flushOutbox()).sent).toBeGreaterThanOrEqual(1);
    const out = relayed.slice(before).find((m) => m.to.includes(ann));
    expect(out).toBeDefined();
    const parsed = await simpleParser(out?.raw ?? '');
    expect(parsed.subject).toBe(`Re: Printer on fire [${caseNumber}]`);
    expect(parsed.messageId).toBe(r.body.messageId);
    expect(parsed.inReplyTo).toBeDefined();
    const refs = ([] as string[]).concat(parsed.references ?? []);
    expect(refs.map((x) => x.toLowerCase())).toContain(firstMessageId.toLowerCase());
    expect((parsed.replyTo?.value ?? []).map((a) => a.address)).toEqual([helpAddress]);
    expect(parsed.text).toContain('We are sending a technician.');
    // The timeline lists the e-mail.
    const timeline = await agent.api.get(`/api/records/service_case/${caseId}/timeline`);
    expect(
      timeline.body.items.some((e: { kind: string; email?: { sent: boolean } }) => e.kind === 'email' && e.email?.sent),
    ).toBe(true);

    // The agent now waits for the customer; her answer hands the case back.
    const current = await agent.api.get(`/api/records/service_case/${caseId}`);
    const waiting = await agent.api.patch(`/api/records/service_case/${caseId}`, {
      status: 'waiting',
      version: current.body.version,
    });
    expect(waiting.status, waiting.text).toBe(200);

    // The customer answers from her mail program: a new subject, only In-Reply-To/References.
    const answer = await deliver({
      from: ann,
      to: helpAddress,
      subject: 'Thanks!',
      text: 'The technician can come at 3.',
      inReplyTo: r.body.messageId,
      references: [firstMessageId, r.body.messageId],
    });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    const list = await comments(caseId);
    expect(list).toHaveLength(2);
    expect(list[1]?.notes).toContain('The technician can come at 3.');
    expect(await cases({ subject: { eq: 'Thanks!' } })).toHaveLength(0);
    const after = await agent.api.get(`/api/records/service_case/${caseId}`);
    expect(after.body.status).toBe('in_progress');
    const history = await tenant.api.get(`/api/records/service_case/${caseId}/history`);
    expect(history.body.items[0]).toMatchObject({
      changes: { status: ['waiting', 'in_progress'] },
      cause: { kind: 'email' },
    });
  });

  it('acknowledges a new case where configured, never an automatic message, and drops our own messages', async () => {
    const bob = `bob.${tag}@nowhere.test`;
    const sent = await deliver({ from: bob, to: ackAddress, subject: 'Need an invoice copy', text: 'Please.' });
    expect(sent.ok, JSON.stringify(sent)).toBe(true);
    const [bobCase] = await cases({ subject: { eq: 'Need an invoice copy' } });
    expect(bobCase).toBeDefined();
    const ack = await outbox().where('to_address', bob);
    expect(ack).toHaveLength(1);
    expect(ack[0].subject).toBe(`Re: Need an invoice copy [${bobCase?.number}]`);
    const before = relayed.length;
    await flushOutbox();
    const ackMail = await simpleParser(relayed.slice(before).find((m) => m.to.includes(bob))?.raw ?? '');
    expect(ackMail.headers.get('auto-submitted')).toBe('auto-replied');

    // Bob's out-of-office answers the acknowledgement: it joins the case, and nothing answers it.
    const ooo = await deliver({
      from: bob,
      to: ackAddress,
      subject: 'Out of office',
      text: 'I am away.',
      inReplyTo: ackMail.messageId as string,
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
    });
    expect(ooo.ok, JSON.stringify(ooo)).toBe(true);
    expect(await comments(bobCase?.id)).toHaveLength(1);
    expect(await outbox().where('to_address', bob)).toHaveLength(1);

    // A bulk message to the acknowledging address: a case, no acknowledgement.
    const news = `news.${tag}@lists.test`;
    const bulk = await deliver({
      from: news,
      to: ackAddress,
      subject: 'Newsletter',
      text: 'Buy now',
      headers: { Precedence: 'bulk' },
    });
    expect(bulk.ok, JSON.stringify(bulk)).toBe(true);
    expect(await cases({ subject: { eq: 'Newsletter' } })).toHaveLength(1);
    expect(await outbox().where('to_address', news)).toHaveLength(0);

    // Our own acknowledgement coming back (a forwarding loop): dropped, no case, no comment.
    const loop = await deliver({
      from: `relay.${tag}@loop.test`,
      to: ackAddress,
      subject: ackMail.subject as string,
      text: 'looped',
      messageId: ackMail.messageId as string,
    });
    expect(loop.ok, JSON.stringify(loop)).toBe(true);
    expect(await cases({ subject: { eq: ackMail.subject } })).toHaveLength(0);
    expect(await comments(bobCase?.id)).toHaveLength(1);

    // The same message delivered twice (a retry): one case.
    const twice = {
      from: `dup.${tag}@x.test`,
      to: helpAddress,
      subject: 'Once only',
      text: 'x',
      messageId: `<dup.${tag}@x.test>`,
    };
    expect((await deliver(twice)).ok).toBe(true);
    expect((await deliver(twice)).ok).toBe(true);
    expect(await cases({ subject: { eq: 'Once only' } })).toHaveLength(1);
  });

  it('refuses an over-size message with 552 and skips an attachment over the file limit', async () => {
    const big = await deliver({
      from: `big.${tag}@x.test`,
      to: helpAddress,
      subject: 'Huge',
      text: 'see attachment',
      attachments: [{ filename: 'huge.bin', content: Buffer.alloc(400_000, 7) }],
    });
    expect(big).toMatchObject({ ok: false, code: 552 });
    expect(await cases({ subject: { eq: 'Huge' } })).toHaveLength(0);
    // A client that does not declare the size: refused after the data, still 552, nothing kept.
    const replies = await rawSmtp([
      'EHLO probe.test',
      `MAIL FROM:<undeclared.${tag}@x.test>`,
      `RCPT TO:<${helpAddress}>`,
      'DATA',
      `From: undeclared.${tag}@x.test\r\nSubject: Undeclared\r\n\r\n${'y'.repeat(76)}\r\n`.repeat(4500) + '.',
      'QUIT',
    ]);
    expect(replies[4]).toMatch(/^552 /);
    expect(await cases({ subject: { eq: 'Undeclared' } })).toHaveLength(0);

    // Within the message limit but over the 40 kB file limit: the case is made, the file named, not kept.
    const mid = await deliver({
      from: `mid.${tag}@x.test`,
      to: helpAddress,
      subject: 'Medium',
      text: 'see attachment',
      attachments: [
        { filename: 'scan.bin', content: Buffer.alloc(60_000, 7) },
        { filename: 'note.txt', content: 'small' },
      ],
    });
    expect(mid.ok, JSON.stringify(mid)).toBe(true);
    const [c] = await cases({ subject: { eq: 'Medium' } });
    expect(c?.description).toContain('scan.bin');
    const files = await tenant.api.get(`/api/records/service_case/${c?.id}/files`);
    expect(files.body.items.map((f: { name: string }) => f.name)).toEqual(['note.txt']);
  });

  it('refuses unknown recipients with 550', async () => {
    const r = await deliver({ from: ann, to: `nobody.${tenant.id}@mail.test`, subject: 'x', text: 'x' });
    expect(r).toMatchObject({ ok: false, code: 550 });
  });

  it('handles malformed MIME without a server error', async () => {
    const from = `broken.${tag}@x.test`;
    const raw = [
      `From: ${from}`,
      `To: ${helpAddress}`,
      'Subject: =?utf-8?B?not-base64!!?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="never-closed"',
      '',
      '--never-closed',
      'Content-Type: text/plain; charset=no-such-charset',
      'Content-Transfer-Encoding: base64',
      '',
      '@@@ this is not base64 @@@',
      '--never-closed',
      'Content-Type: application/octet-stream; name=".."',
      'Content-Disposition: attachment; filename=".."',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '=ZZ=',
    ].join('\r\n');
    const r = await deliver({ envelope: { from, to: [helpAddress] }, raw });
    // The parser is lenient: what can be read becomes the case, nothing fails half-way.
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const found = await tenant.api.get('/api/records/service_case', {
      query: { filter: JSON.stringify({ description: { contains: from } }) },
    });
    expect(found.status, found.text).toBe(200);
    expect(found.body.items).toHaveLength(1);
    // An attachment named only "..": kept under a name of its own.
    const files = await tenant.api.get(`/api/records/service_case/${found.body.items[0].id}/files`);
    expect(files.body.items.map((f: { name: string }) => f.name)).toEqual(['attachment-1']);
    // Headers only, no body and no sender header: the envelope sender stands in.
    const bare = await deliver({ envelope: { from, to: [helpAddress] }, raw: 'Subject: bare\r\n\r\n' });
    expect(bare.ok, JSON.stringify(bare)).toBe(true);
    expect(await cases({ subject: { eq: 'bare' } })).toHaveLength(1);
  });

  it('holds a flooding sender to the hourly budget (450)', async () => {
    const flood = `flood.${tag}@x.test`;
    // Twice the budget and one more: even if an hour boundary falls in between, one window overflows.
    let refused: { code: number } | undefined;
    for (let i = 0; i < 2 * PER_SENDER + 1 && !refused; i++) {
      const r = await deliver({ from: flood, to: helpAddress, subject: `flood ${i}`, text: 'x' });
      if (!r.ok) refused = r;
    }
    expect(refused).toMatchObject({ code: 450 });
  });

  it('checks the address settings: bad entries and unknown objects (400), platform admins only', async () => {
    const bad = await server.platform.put(`/api/tenants/${other.id}/inbound-email`, {
      addresses: [
        { address: 'not an address', object: 'service_case', owner: other.admin.id },
        { address: `x.${other.id}@mail.test`, object: 'no_such_object', owner: other.admin.id },
        { address: `y.${other.id}@mail.test`, object: 'contact', owner: agent.id, extra: 1 },
      ],
    });
    expect(bad.status, bad.text).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(
      expect.arrayContaining(['addresses.0.address', 'addresses.2.extra']),
    );
    const unknownObject = await server.platform.put(`/api/tenants/${other.id}/inbound-email`, {
      addresses: [{ address: `x.${other.id}@mail.test`, object: 'no_such_object', owner: other.admin.id }],
    });
    expect(unknownObject.status, unknownObject.text).toBe(400);
    expect(unknownObject.body.error.fields).toHaveProperty(['addresses.0.object']);
    const tenantAdmin = await tenant.api.put(`/api/tenants/${tenant.id}/inbound-email`, { addresses: [] });
    expect(tenantAdmin.status).toBe(401);
    const get = await server.platform.get(`/api/tenants/${tenant.id}/inbound-email`);
    expect(get.body.addresses.map((a: { address: string }) => a.address)).toEqual([helpAddress, ackAddress]);
    const missing = await server.platform.get('/api/tenants/no_such_tenant/inbound-email');
    expect(missing.status).toBe(404);
    const putMissing = await server.platform.put('/api/tenants/no_such_tenant/inbound-email', {
      addresses: [{ address: 'x@mail.test', object: 'service_case', owner: agent.id }],
    });
    expect(putMissing.status, putMissing.text).toBe(404);
  });

  it("refuses another tenant's user as owner (400) and an address another tenant receives at (409); mail for a removed object waits (451)", async () => {
    const p = (path: string, body: unknown) => other.api.put(path, body);
    expect(
      (
        await p('/api/meta/objects/ticket', {
          type: 'object',
          'x-label-field': 'subject',
          properties: { subject: { type: 'string', maxLength: 200 } },
        })
      ).status,
    ).toBe(200);
    const foreignOwner = await server.platform.put(`/api/tenants/${other.id}/inbound-email`, {
      addresses: [{ address: `z.${other.id}@mail.test`, object: 'ticket', owner: agent.id }],
    });
    expect(foreignOwner.status, foreignOwner.text).toBe(400);
    expect(foreignOwner.body.error.fields).toHaveProperty(['addresses.0.owner']);
    const taken = await server.platform.put(`/api/tenants/${other.id}/inbound-email`, {
      addresses: [{ address: helpAddress, object: 'ticket', owner: other.admin.id }],
    });
    expect(taken.status, taken.text).toBe(409);
    expect(taken.body.error.fields).toHaveProperty(['addresses.0.address']);
    const own = `tickets.${other.id}@mail.test`;
    const ok = await server.platform.put(`/api/tenants/${other.id}/inbound-email`, {
      addresses: [{ address: own, object: 'ticket', owner: other.admin.id }],
    });
    expect(ok.status, ok.text).toBe(200);
    const first = await deliver({ from: `c.${tag}@x.test`, to: own, subject: 'A ticket', text: 'x' });
    expect(first.ok, JSON.stringify(first)).toBe(true);
    const tickets = await other.api.get('/api/records/ticket');
    expect(tickets.body.items.map((t: { subject: string }) => t.subject)).toEqual(['A ticket']);
    // The object goes away while the address still points at it: the sender's server keeps the mail.
    expect((await other.api.delete('/api/meta/objects/ticket', { query: { allowDestructive: true } })).status).toBe(
      200,
    );
    const later = await deliver({ from: `c.${tag}@x.test`, to: own, subject: 'Another', text: 'x' });
    expect(later).toMatchObject({ ok: false, code: 451 });
  });
});
