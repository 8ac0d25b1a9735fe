/**
 * A tenant's webhook subscriptions are cached per server process (runtime/src/webhooks/
 * subscription-cache.ts), so a save does not read them. These probes run two server processes over
 * one database, warm both caches, change subscriptions through the first one and save through both
 * at once: a new, changed, disabled or removed subscription must take effect on the very next save
 * in either process, and a change that bypasses the API (the trigger notices it too) soon after.
 * The deliveries are rows written in the save's transaction; no queue runs, nothing is sent.
 */
import type { Resolver } from '@forma/runtime';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantSchema } from '../../runtime/src/model/naming';
import { type ApiClient, createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

const resolver: Resolver = async (host) => {
  if (host === 'receiver.test') return [{ address: '127.0.0.1', family: 4 }];
  throw new Error(`test resolver: unknown host ${host}`);
};
const options = { runtimeConfig: { webhooks: { allowNetworks: ['127.0.0.1/32'] } }, webhookResolver: resolver };

let first: TestServer;
let second: TestServer;
let tenant: TestTenant;
/** The tenant's admin, through the second process. */
let onSecond: ApiClient;
let schema: string;

beforeAll(async () => {
  first = await startTestServer(options);
  second = await startTestServer(options);
  tenant = await createTestTenant(first, { prefix: 'whcache' });
  schema = tenantSchema(tenant.id);
  onSecond = second.anon.withToken(tenant.api.token as string);
  const ticket = {
    title: 'Ticket',
    type: 'object',
    properties: { subject: { type: 'string' } },
    required: ['subject'],
  };
  expect((await tenant.api.put('/api/meta/objects/ticket', ticket)).status).toBe(200);
  expect((await tenant.api.put('/api/meta/objects/note', ticket)).status).toBe(200);
  for (const s of [first, second]) expect(await s.runtime.sessionCache.ready()).toBe(true);
});

afterAll(async () => {
  await first?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await second?.close();
  await first?.close();
});

/** Creates a ticket through `api` and answers the events of the deliveries its save wrote. */
async function deliveredOn(api: ApiClient, object = 'ticket'): Promise<string[]> {
  const r = await api.post(`/api/records/${object}`, { subject: 'Printer on fire' });
  expect(r.status, r.text).toBe(201);
  const rows: Array<{ event: string }> = await first.runtime.db
    .withSchema(schema)
    .from('_webhook_deliveries')
    .where({ record_id: r.body.id })
    .select('event');
  return rows.map((d) => d.event);
}

/** Saves through both processes until neither reads the subscriptions any more (both caches warm). */
async function warmBoth(): Promise<void> {
  for (const s of [first, second]) {
    const api = s === first ? tenant.api : onSecond;
    await deliveredOn(api);
    const reads = s.runtime.webhooks.subscriptions.stats().reads;
    await deliveredOn(api);
    expect(s.runtime.webhooks.subscriptions.stats().reads, 'a warm save reads no subscription').toBe(reads);
  }
}

describe('webhook subscriptions cached per process', () => {
  it('a new subscription takes effect at once in both processes', async () => {
    await warmBoth();
    expect(await deliveredOn(onSecond)).toEqual([]);
    const hook = await tenant.api.post('/api/admin/webhooks', {
      name: 'Tickets',
      object: 'ticket',
      events: ['created'],
      url: 'http://receiver.test:9/hook',
    });
    expect(hook.status, hook.text).toBe(201);
    expect(await deliveredOn(onSecond)).toEqual(['created']);
    expect(await deliveredOn(tenant.api)).toEqual(['created']);
    // Another object of the tenant is not subscribed.
    expect(await deliveredOn(onSecond, 'note')).toEqual([]);
    expect((await tenant.api.delete(`/api/admin/webhooks/${hook.body.id}`)).status).toBe(204);
  });

  it('a changed, disabled, re-enabled or removed subscription takes effect at once in both processes', async () => {
    const hook = await tenant.api.post('/api/admin/webhooks', {
      name: 'Changing',
      object: 'ticket',
      events: ['created'],
      url: 'http://receiver.test:9/hook',
    });
    expect(hook.status, hook.text).toBe(201);
    await warmBoth();
    const patch = async (body: Record<string, unknown>) =>
      expect((await tenant.api.patch(`/api/admin/webhooks/${hook.body.id}`, body)).status).toBe(200);

    await patch({ events: ['updated'] });
    expect(await deliveredOn(onSecond)).toEqual([]);
    expect(await deliveredOn(tenant.api)).toEqual([]);
    await patch({ events: ['created', 'updated'] });
    expect(await deliveredOn(onSecond)).toEqual(['created']);
    await patch({ active: false });
    expect(await deliveredOn(onSecond)).toEqual([]);
    expect(await deliveredOn(tenant.api)).toEqual([]);
    await patch({ active: true });
    expect(await deliveredOn(onSecond)).toEqual(['created']);
    await patch({ object: 'note' });
    expect(await deliveredOn(onSecond)).toEqual([]);
    expect(await deliveredOn(onSecond, 'note')).toEqual(['created']);

    // Removed through the second process: the first hears of it as well.
    await deliveredOn(tenant.api, 'note');
    expect((await onSecond.delete(`/api/admin/webhooks/${hook.body.id}`)).status).toBe(204);
    expect(await deliveredOn(tenant.api, 'note')).toEqual([]);
    expect(await deliveredOn(onSecond, 'note')).toEqual([]);
  });

  it('a subscription written around the API reaches a warm process (the trigger sends the notice)', async () => {
    await warmBoth();
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      await client.query(
        `insert into ${pg.escapeIdentifier(schema)}._webhooks (name, object, events, url, secret)
         values ('By hand', 'ticket', '{created}', 'http://receiver.test:9/hook', 'whsec_x')`,
      );
      // No request of ours waited for the notice here: wait for the condition, bounded.
      const deadline = Date.now() + 10_000;
      let events: string[] = [];
      while (Date.now() < deadline && !events.length) {
        events = await deliveredOn(onSecond);
        if (!events.length) await new Promise((r) => setTimeout(r, 20));
      }
      expect(events).toEqual(['created']);
      await client.query(`delete from ${pg.escapeIdentifier(schema)}._webhooks where name = 'By hand'`);
    } finally {
      await client.end();
    }
  });

  it('a save in another tenant never sees this tenant’s subscriptions', async () => {
    const other = await createTestTenant(first, { prefix: 'whcacheb' });
    try {
      const ticket = { title: 'Ticket', type: 'object', properties: { subject: { type: 'string' } } };
      expect((await other.api.put('/api/meta/objects/ticket', ticket)).status).toBe(200);
      const hook = await tenant.api.post('/api/admin/webhooks', {
        name: 'Mine only',
        object: 'ticket',
        events: ['created'],
        url: 'http://receiver.test:9/hook',
      });
      expect(hook.status, hook.text).toBe(201);
      const r = await second.anon.withToken(other.api.token as string).post('/api/records/ticket', { subject: 'x' });
      expect(r.status, r.text).toBe(201);
      const rows = await first.runtime.db.withSchema(tenantSchema(other.id)).from('_webhook_deliveries').select('id');
      expect(rows).toEqual([]);
      expect(await deliveredOn(onSecond)).toEqual(['created']);
      expect((await tenant.api.delete(`/api/admin/webhooks/${hook.body.id}`)).status).toBe(204);
    } finally {
      await first.platform.delete(`/api/tenants/${other.id}`, { query: { confirm: other.id } });
    }
  });
});
