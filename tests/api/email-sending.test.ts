import { sendOutbox, smtpTransport } from '@forma/runtime';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let server: TestServer;
let tenant: TestTenant;
let smtp: SMTPServer;
let smtpUrl: string;
let refuse = false;
const received: Received[] = [];
let rep: { id: string; api: ApiClient };
let boss: { id: string; api: ApiClient };

const approval = {
  object: 'deal',
  label: 'Deal approval',
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    {
      id: 'mgr',
      type: 'approval',
      position: { x: 0, y: 100 },
      data: { label: 'Manager', approvers: [{ managerOf: 'submitter' }], mode: 'any' },
    },
    { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
    { id: 'ko', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'mgr' },
    { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
    { id: 'e3', source: 'mgr', target: 'ko', data: { outcome: 'rejected' } },
  ],
};

const schema = () => `t_${tenant.id}`;
const outbox = () => server.runtime.db.withSchema(schema()).from('_email_outbox');
const send = (now = server.runtime.clock.now(), opts = {}) =>
  sendOutbox(
    server.runtime.db,
    smtpTransport(smtpUrl),
    { from: 'forma@example.test', ...opts },
    now,
    server.runtime.logger,
    [tenant.id],
  );

async function submitDeal(name: string): Promise<string> {
  const created = await rep.api.post('/api/records/deal', { name });
  expect(created.status, created.text).toBe(201);
  const r = await rep.api.post(`/api/records/deal/${created.body.id}/submit`);
  expect(r.status, r.text).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Test users live at `<tenant id>.test`, and tenant ids hold an underscore, which strict parsing refuses.
    lenientAddressParsing: true,
    onRcptTo(_address, _session, cb) {
      // A mailbox that refuses: what a down or misconfigured relay looks like to the sender.
      if (refuse) return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'mail' });
  const put = async (path: string, body: unknown) => {
    const r = await tenant.api.put(path, body);
    expect(r.status, r.text).toBe(200);
  };
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 200 } },
    required: ['name'],
  });
  await put('/api/meta/roles/sales_rep', {
    label: 'Rep',
    objects: { deal: { create: true, read: 'own', update: 'own' } },
  });
  boss = await tenant.addUser({ roles: [], name: 'Bea Boss' });
  rep = await tenant.addUser({ roles: ['sales_rep'], name: 'Ray Rep', manager: boss.id });
  await put('/api/meta/workflows/deal_approval', approval);
});

afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('e-mail outbox over SMTP', () => {
  it("sends the approver's e-mail with a signed link that decides the task", async () => {
    const id = await submitDeal('Mailed deal');
    const before = received.length;
    expect(await send()).toEqual({ sent: 1, failed: 0 });
    const mail = received.slice(before);
    expect(mail).toHaveLength(1);
    const row = await outbox().where('body', 'like', '%Mailed deal%').first();
    expect(mail[0]?.to).toEqual([row.to_address]);
    expect(mail[0]?.from).toBe('forma@example.test');
    expect(row).toMatchObject({ attempts: 1, last_error: null });
    expect(row.sent_at).not.toBeNull();
    const parsed = await simpleParser(mail[0]?.raw ?? '');
    expect(parsed.subject).toBe(row.subject);
    const token = /Approve: \S*\/api\/approvals\/links\/(\S+)/.exec(parsed.text ?? '')?.[1] as string;
    expect(token).toBeTruthy();
    const used = await server.anon.post(`/api/approvals/links/${token}`, {});
    expect(used.status, used.text).toBe(200);
    expect(used.body.instance.status).toBe('approved');
    const deal = await rep.api.get(`/api/records/deal/${id}`);
    expect(deal.body.approval_status).toBe('approved');
    // Sent rows are never sent again.
    expect(await send()).toEqual({ sent: 0, failed: 0 });
  });

  it('leaves a refused e-mail for a later retry, with its error and backoff', async () => {
    refuse = true;
    await submitDeal('Refused deal');
    const now = server.runtime.clock.now();
    expect(await send(now)).toEqual({ sent: 0, failed: 1 });
    const row = await outbox().where('body', 'like', '%Refused deal%').first();
    expect(row).toMatchObject({ sent_at: null, attempts: 1 });
    expect(row.last_error).toContain('Mailbox unavailable');
    expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(now.getTime());
    refuse = false;
    // Not due yet: the backoff holds it back even though the server is fine again.
    expect(await send(now)).toEqual({ sent: 0, failed: 0 });
    const later = new Date(new Date(row.next_attempt_at).getTime() + 1);
    expect(await send(later)).toEqual({ sent: 1, failed: 0 });
    expect(await outbox().where({ id: row.id }).first()).toMatchObject({ attempts: 2, last_error: null });
  });

  it('gives a row up after the maximum attempts', async () => {
    refuse = true;
    await submitDeal('Hopeless deal');
    let at = server.runtime.clock.now();
    for (let i = 0; i < 3; i++) {
      expect(await send(at, { maxAttempts: 2, backoffMs: () => 1000 })).toMatchObject({ failed: i < 2 ? 1 : 0 });
      at = new Date(at.getTime() + 2000);
    }
    refuse = false;
    expect(await send(at, { maxAttempts: 2 })).toEqual({ sent: 0, failed: 0 });
    const row = await outbox().where('body', 'like', '%Hopeless deal%').first();
    expect(row).toMatchObject({ sent_at: null, attempts: 2 });
  });

  it('sends each e-mail once when several senders run at the same time', async () => {
    // Rows left by the tests above (the given-up one has attempts left under the default limit and
    // becomes due as the clock moves on) are not part of this race.
    await outbox().whereNull('sent_at').delete();
    for (let i = 0; i < 6; i++) await submitDeal(`Race deal ${i}`);
    const before = received.length;
    const reports = await Promise.all([send(), send(), send()]);
    expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(6);
    const raced = received.slice(before);
    expect(raced).toHaveLength(6);
    const subjects = await Promise.all(raced.map(async (m) => (await simpleParser(m.raw)).text));
    expect(new Set(subjects).size).toBe(6);
  });
});
