import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resolver } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * Outbound webhooks through a real server: traffic goes only to the receiver this file starts on
 * the loopback address (allowed for this server alone); every other destination is resolved by the
 * injected resolver and refused before any connection.
 */

// Deliveries wait for the queue's polling and the retry backoff: a busy machine may take a while.
vi.setConfig({ testTimeout: 120_000 });

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: TestServer;
let tenant: TestTenant;
let receiver: http.Server;
let base: string;
const received: Received[] = [];
/** Status codes the receiver answers with, in order; then 200. */
const answers: number[] = [];

/** Names a test uses, resolved without DNS; `rebind.test` answers loopback once, then a private address. */
let rebindLookups = 0;
const resolver: Resolver = async (host) => {
  switch (host) {
    case 'receiver.test':
      return [{ address: '127.0.0.1', family: 4 }];
    case 'intranet.test':
      return [{ address: '10.20.30.40', family: 4 }];
    case 'metadata.test':
      return [{ address: '169.254.169.254', family: 4 }];
    case 'mapped.test':
      return [{ address: '::ffff:192.168.1.1', family: 6 }];
    case 'ula.test':
      return [{ address: 'fd00:ec2::254', family: 6 }];
    case 'mixed.test':
      return [
        { address: '127.0.0.1', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ];
    case 'rebind.test':
      rebindLookups += 1;
      return [{ address: rebindLookups === 1 ? '127.0.0.1' : '10.9.8.7', family: 4 }];
    default:
      throw new Error(`test resolver: unknown host ${host}`);
  }
};

const caseObject = {
  title: 'Case',
  type: 'object',
  'x-label-field': 'subject',
  properties: {
    subject: { type: 'string', maxLength: 200 },
    status: { type: 'string', enum: ['new', 'open', 'closed'], default: 'new' },
    note: { type: 'string', maxLength: 500 },
    reviewer: { type: 'string', format: 'uuid', 'x-ref': 'user' },
  },
  required: ['subject'],
};

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status >= 300 ? 'receiver says no' : 'ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  base = `http://receiver.test:${port}`;
  server = await startTestServer({
    runtimeConfig: {
      webhooks: {
        allowNetworks: ['127.0.0.1/32'],
        retryDelaySeconds: 1,
        pollingIntervalSeconds: 0.5,
        maxAttempts: 3,
        timeoutMs: 5000,
      },
    },
    webhookResolver: resolver,
  });
  tenant = await createTestTenant(server, { prefix: 'wh' });
  expect((await tenant.api.put('/api/meta/objects/case', caseObject)).status).toBe(200);
  await server.runtime.webhooks.start({ sweepIntervalMs: 1000 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

function verify(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const id = String(r.headers['webhook-id']);
  const ts = String(r.headers['webhook-timestamp']);
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${expected}`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 80_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function deliveries(webhook: string) {
  const r = await tenant.api.get(`/api/admin/webhooks/${webhook}/deliveries`);
  expect(r.status, r.text).toBe(200);
  return r.body.items as Array<Record<string, any>>;
}

const bodiesFor = (recordId: string) =>
  received.filter((r) => JSON.parse(r.body).data?.id === recordId).map((r) => ({ ...r, json: JSON.parse(r.body) }));

describe('webhook subscriptions', () => {
  it('delivers a signed created event the receiver can verify, and shows the secret only once', async () => {
    const created = await tenant.api.post('/api/admin/webhooks', {
      name: 'All cases',
      object: 'case',
      events: ['created', 'deleted'],
      url: `${base}/hook/a`,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await tenant.api.get('/api/admin/webhooks');
    expect(listed.body.items.find((w: any) => w.id === created.body.id)).not.toHaveProperty('secret');
    expect((await tenant.api.get(`/api/admin/webhooks/${created.body.id}`)).body).not.toHaveProperty('secret');

    const rec = await tenant.api.post('/api/records/case', { subject: 'Printer on fire' });
    expect(rec.status).toBe(201);
    const [got] = await until('the created delivery', async () => {
      const b = bodiesFor(rec.body.id);
      return b.length ? b : undefined;
    });
    expect(got!.json.type).toBe('record.created');
    expect(got!.json.data.record.subject).toBe('Printer on fire');
    expect(got!.headers['webhook-id']).toBeTruthy();
    expect(Math.abs(Number(got!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(600);
    expect(verify(created.body.secret, got!)).toBe(true);
    // A tampered body does not verify.
    expect(verify(created.body.secret, { ...got!, body: got!.body.replace('fire', 'ice') })).toBe(false);

    const log = await until('a succeeded log entry', async () => {
      const items = await deliveries(created.body.id);
      const d = items.find((i) => i.record_id === rec.body.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(log).toMatchObject({ event: 'created', attempts: 1, response_status: 200, response_body: 'ok' });
    expect(log.duration_ms).toBeGreaterThanOrEqual(0);
    expect(log.id).toBe(got!.headers['webhook-id']);

    // A rolled-back or refused save sends nothing: an invalid record never reaches the receiver.
    const before = received.length;
    expect((await tenant.api.post('/api/records/case', { subject: 'x', status: 'bogus' })).status).toBe(400);
    const del = await tenant.api.delete(`/api/records/case/${rec.body.id}`);
    expect(del.status).toBe(204);
    await until('the deleted delivery', async () =>
      bodiesFor(rec.body.id).some((b) => b.json.type === 'record.deleted') ? true : undefined,
    );
    expect(received.slice(before).every((r) => JSON.parse(r.body).data.id === rec.body.id)).toBe(true);
    await tenant.api.delete(`/api/admin/webhooks/${created.body.id}`);
  });

  it('fires on updates only when a listed field changed, and on approval decisions', async () => {
    const hook = await tenant.api.post('/api/admin/webhooks', {
      name: 'Status watch',
      object: 'case',
      events: ['updated', 'approval_decided'],
      fields: ['status'],
      url: `${base}/hook/b`,
    });
    expect(hook.status, hook.text).toBe(201);
    const rec = await tenant.api.post('/api/records/case', { subject: 'Fields', reviewer: tenant.admin.id });
    const noteOnly = await tenant.api.patch(`/api/records/case/${rec.body.id}`, { note: 'just a note', version: 1 });
    expect(noteOnly.status, noteOnly.text).toBe(200);
    const status = await tenant.api.patch(`/api/records/case/${rec.body.id}`, { status: 'open', version: 2 });
    expect(status.status, status.text).toBe(200);
    // Delivery rows are written in the save's transaction: the log is complete once the PATCH answered.
    const logged = (await deliveries(hook.body.id)).filter((d) => d.record_id === rec.body.id);
    expect(logged.map((d) => d.event)).toEqual(['updated']);
    const got = await until('the status update', async () =>
      bodiesFor(rec.body.id).find((x) => x.json.type === 'record.updated'),
    );
    expect(got.json.data.changes.status).toEqual(['new', 'open']);
    expect(got.json.data.changes).not.toHaveProperty('note');

    const workflow = {
      object: 'case',
      label: 'Review',
      trigger: { on: 'submit' },
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
        { id: 'rev', type: 'approval', position: { x: 0, y: 1 }, data: { approvers: [{ field: 'reviewer' }] } },
        { id: 'ok', type: 'end', position: { x: 0, y: 2 }, data: { outcome: 'approved' } },
        { id: 'ko', type: 'end', position: { x: 1, y: 2 }, data: { outcome: 'rejected' } },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'rev' },
        { id: 'b', source: 'rev', target: 'ok', data: { outcome: 'approved' } },
        { id: 'c', source: 'rev', target: 'ko', data: { outcome: 'rejected' } },
      ],
    };
    expect((await tenant.api.put('/api/meta/workflows/review', workflow)).status).toBe(200);
    const sub = await tenant.api.post(`/api/records/case/${rec.body.id}/submit`, {});
    expect(sub.status, sub.text).toBe(201);
    const inbox = await tenant.api.get('/api/approvals/inbox');
    const task = inbox.body.items.find((i: any) => i.record === rec.body.id);
    expect((await tenant.api.post(`/api/approvals/tasks/${task.task}/approve`, {})).status).toBe(200);
    const decided = await until('the approval decision', async () =>
      bodiesFor(rec.body.id).find((b) => b.json.type === 'record.approval_decided'),
    );
    expect(decided.json.data.outcome).toBe('approved');
    expect(verify(hook.body.secret, decided)).toBe(true);
    await tenant.api.delete(`/api/admin/webhooks/${hook.body.id}`);
  });

  it('retries after a 500 with backoff, logs each attempt, and redelivers on request', async () => {
    const hook = await tenant.api.post('/api/admin/webhooks', {
      name: 'Flaky receiver',
      object: 'case',
      events: ['created'],
      url: `${base}/hook/c`,
    });
    answers.push(500);
    const rec = await tenant.api.post('/api/records/case', { subject: 'Retry me' });
    const done = await until('a delivery after a retry', async () => {
      const d = (await deliveries(hook.body.id)).find((i) => i.record_id === rec.body.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(done).toMatchObject({ attempts: 2, response_status: 200, error: null });
    const tries = bodiesFor(rec.body.id);
    expect(tries).toHaveLength(2);
    // The same event keeps its webhook-id across tries (receivers deduplicate on it), each signed.
    expect(tries[0]!.headers['webhook-id']).toBe(tries[1]!.headers['webhook-id']);
    expect(tries.every((t) => verify(hook.body.secret, t))).toBe(true);

    // A receiver that keeps failing: bounded attempts, then failed with the answer logged.
    answers.push(503, 503, 503);
    const bad = await tenant.api.post('/api/records/case', { subject: 'Always failing' });
    const failed = await until('a failed delivery', async () => {
      const d = (await deliveries(hook.body.id)).find((i) => i.record_id === bad.body.id);
      return d?.status === 'failed' ? d : undefined;
    });
    expect(failed).toMatchObject({ attempts: 3, response_status: 503, response_body: 'receiver says no' });
    expect(failed.error).toContain('503');

    const again = await tenant.api.post(`/api/admin/webhook-deliveries/${failed.id}/redeliver`);
    expect(again.status, again.text).toBe(202);
    const redelivered = await until('the redelivery', async () => {
      const d = (await deliveries(hook.body.id)).find((i) => i.id === failed.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(redelivered.attempts).toBe(4);
    expect(bodiesFor(bad.body.id)).toHaveLength(4);
    expect(
      (await tenant.api.post('/api/admin/webhook-deliveries/00000000-0000-4000-8000-000000000000/redeliver')).status,
    ).toBe(404);
    expect((await tenant.api.post('/api/admin/webhook-deliveries/nope/redeliver')).status).toBe(404);
    await tenant.api.delete(`/api/admin/webhooks/${hook.body.id}`);
  });
});

describe('the "call webhook" automation action', () => {
  it('sends the record signed to the named subscription, and refuses bad rules', async () => {
    const hook = await tenant.api.post('/api/admin/webhooks', {
      name: 'Escalation desk',
      object: 'case',
      // Subscribed to deletes only: the rule's call is what sends created cases here.
      events: ['deleted'],
      url: `${base}/hook/rule`,
    });
    expect(hook.status, hook.text).toBe(201);
    const rule = {
      label: 'Tell the escalation desk',
      object: 'case',
      trigger: { on: 'create' },
      condition: "record.subject.startsWith('URGENT')",
      actions: [{ type: 'webhook', webhook: 'Escalation desk' }],
    };
    const put = await tenant.api.put('/api/meta/automations/escalate', rule);
    expect(put.status, put.text).toBe(200);
    for (const action of [{ type: 'webhook' }, { type: 'webhook', webhook: 'x', url: 'http://10.0.0.1/' }]) {
      const bad = await tenant.api.put('/api/meta/automations/bad_hook', { ...rule, actions: [action] });
      expect(bad.status, JSON.stringify(action)).toBe(400);
    }

    const rec = await tenant.api.post('/api/records/case', { subject: 'URGENT: flood' });
    const quiet = await tenant.api.post('/api/records/case', { subject: 'calm' });
    const got = await until('the rule delivery', async () =>
      bodiesFor(rec.body.id).find((b) => b.json.type === 'automation.webhook'),
    );
    expect(got.json.data).toMatchObject({ object: 'case', rule: 'escalate', record: { subject: 'URGENT: flood' } });
    expect(verify(hook.body.secret, got)).toBe(true);
    const log = await deliveries(hook.body.id);
    expect(log.filter((d) => d.record_id === rec.body.id).map((d) => d.event)).toEqual(['automation']);
    expect(log.some((d) => d.record_id === quiet.body.id)).toBe(false);
    await tenant.api.delete('/api/meta/automations/escalate');
    await tenant.api.delete(`/api/admin/webhooks/${hook.body.id}`);
  });
});

describe('SSRF: destinations are resolved and refused before any connection', () => {
  it.each([
    ['a private IPv4 literal', 'http://10.0.0.5/hook'],
    ['the loopback address outside the allowance', 'http://127.0.0.2:9/hook'],
    ['cloud metadata by address', 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', 'http://[::1]:9/hook'],
    ['an IPv4-mapped private address', 'http://[::ffff:10.0.0.1]/hook'],
    ['a name resolving to a private address', 'http://intranet.test/hook'],
    ['a name resolving to the metadata address', 'http://metadata.test/hook'],
    ['a name resolving to an IPv4-mapped private address', 'http://mapped.test/hook'],
    ['a name resolving to a unique-local IPv6 address', 'http://ula.test/hook'],
    ['a name with one private address among others', 'http://mixed.test/hook'],
  ])('refuses %s at subscription', async (_what, url) => {
    const r = await tenant.api.post('/api/admin/webhooks', { name: 'Bad', object: 'case', events: ['created'], url });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.fields.url).toMatch(/private|loopback|reserved/);
  });

  it('checks again at delivery: a name that now resolves to a private address is refused, not sent', async () => {
    rebindLookups = 0;
    const hook = await tenant.api.post('/api/admin/webhooks', {
      name: 'Rebinding',
      object: 'case',
      events: ['created'],
      url: 'http://rebind.test/hook',
    });
    expect(hook.status, hook.text).toBe(201);
    const before = received.length;
    const rec = await tenant.api.post('/api/records/case', { subject: 'Rebind' });
    const d = await until('the refused delivery', async () => {
      const x = (await deliveries(hook.body.id)).find((i) => i.record_id === rec.body.id);
      return x?.status === 'failed' ? x : undefined;
    });
    // Refused once, not retried: there is nothing a later try could do differently.
    expect(d).toMatchObject({ attempts: 1, response_status: null });
    expect(d.error).toContain('10.9.8.7');
    expect(received.length).toBe(before);
    await tenant.api.delete(`/api/admin/webhooks/${hook.body.id}`);
  });
});

describe('bad input and permission probes', () => {
  const valid = () => ({ name: 'Ok', object: 'case', events: ['created'], url: `${base}/x` });

  it.each([
    ['an unknown object', { object: 'nope' }, 'object'],
    ['an unknown event', { events: ['exploded'] }, 'events'],
    ['no events', { events: [] }, 'events'],
    ['an unknown field in the filter', { events: ['updated'], fields: ['nope'] }, 'fields'],
    ['a field filter without the updated event', { fields: ['status'] }, 'fields'],
    ['a URL that is not one', { url: 'not a url' }, 'url'],
    ['a file URL', { url: 'file:///etc/passwd' }, 'url'],
    ['a URL with credentials', { url: 'http://u:p@receiver.test/' }, 'url'],
    ['an empty name', { name: ' ' }, 'name'],
  ])('refuses %s (400 naming the field)', async (_what, change, field) => {
    const r = await tenant.api.post('/api/admin/webhooks', { ...valid(), ...change });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.fields).toHaveProperty(field as string);
  });

  it('refuses unknown properties, wrong types and malformed JSON', async () => {
    expect((await tenant.api.post('/api/admin/webhooks', { ...valid(), secret: 'mine' })).status).toBe(400);
    expect((await tenant.api.post('/api/admin/webhooks', { ...valid(), events: 'created' })).status).toBe(400);
    const raw = await tenant.api.request('POST', '/api/admin/webhooks', { raw: '{"name":' });
    expect(raw.status).toBe(400);
    expect((await tenant.api.get('/api/admin/webhooks/not-a-uuid')).status).toBe(404);
    expect(
      (await tenant.api.patch('/api/admin/webhooks/00000000-0000-4000-8000-000000000000', { name: 'x' })).status,
    ).toBe(404);
  });

  it('answers 403 to non-admins and 401 without a session on every webhook route', async () => {
    const hook = await tenant.api.post('/api/admin/webhooks', valid());
    const user = await tenant.addUser({ roles: [] });
    const id = hook.body.id;
    const probes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/webhooks'],
      ['POST', '/api/admin/webhooks', valid()],
      ['GET', `/api/admin/webhooks/${id}`],
      ['PATCH', `/api/admin/webhooks/${id}`, { name: 'mine now' }],
      ['DELETE', `/api/admin/webhooks/${id}`],
      ['GET', `/api/admin/webhooks/${id}/deliveries`],
      ['POST', `/api/admin/webhook-deliveries/${id}/redeliver`],
    ];
    for (const [method, path, body] of probes) {
      const r = await user.api.request(method, path, body === undefined ? {} : { body });
      expect(r.status, `${method} ${path}`).toBe(403);
      const anon = await server.anon.request(method, path, body === undefined ? {} : { body });
      expect(anon.status, `${method} ${path}`).toBe(401);
    }
    expect((await tenant.api.get(`/api/admin/webhooks/${id}`)).body.name).toBe('Ok');
    await tenant.api.delete(`/api/admin/webhooks/${id}`);
  });

  it('a webhook of one tenant is invisible to another tenant', async () => {
    const hook = await tenant.api.post('/api/admin/webhooks', valid());
    const other = await createTestTenant(server, { prefix: 'wh2' });
    expect((await other.api.get(`/api/admin/webhooks/${hook.body.id}`)).status).toBe(404);
    expect((await other.api.get(`/api/admin/webhooks/${hook.body.id}/deliveries`)).status).toBe(404);
    expect((await other.api.get('/api/admin/webhooks')).body.items).toEqual([]);
    await tenant.api.delete(`/api/admin/webhooks/${hook.body.id}`);
  });
});
