import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/** A rule's notification text names the records its lookups point at, never their ids (issue 21). */
let server: TestServer;
let tenant: TestTenant;

async function put(path: string, body: unknown) {
  const r = await tenant.api.put(path, body);
  expect(r.status, r.text).toBe(200);
}

/** Handles after-commit events until this tenant has none left. */
async function settle(): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const handled = await server.runtime.outbox.drain();
    const [{ n }] = await server.runtime.db
      .withSchema('platform')
      .from('outbox')
      .where({ tenant: tenant.id })
      .whereNull('done_at')
      .whereNull('dead_at')
      .count({ n: '*' });
    if (!handled && !Number(n)) return;
  }
  throw new Error('after-commit events did not settle');
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'noticenames' });
  await put('/api/meta/objects/account', {
    title: 'Account',
    type: 'object',
    'x-label-field': 'name',
    properties: { name: { type: 'string', maxLength: 200 } },
    required: ['name'],
  });
  await put('/api/meta/objects/deal', {
    title: 'Deal',
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 200 },
      stage: { type: 'string', enum: ['new', 'won'], default: 'new' },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
      partner: { type: 'string', format: 'uuid', 'x-ref': 'account' },
      rep: { type: 'string', format: 'uuid', 'x-ref': 'user' },
    },
    required: ['name'],
  });
  await put('/api/meta/automations/deal_won', {
    label: 'Deal won',
    object: 'deal',
    trigger: { on: 'update', fields: ['stage'] },
    condition: "record.stage === 'won'",
    actions: [
      {
        type: 'notify',
        to: ['owner'],
        title: 'Deal {{record.account}} won',
        message: 'Rep: {{record.rep}}. Partner: {{record.partner}}. Was: {{old.stage}}.',
        email: false,
      },
    ],
  });
}, 300_000);
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('automation notification texts', () => {
  it("show a lookup's record label and a user's name instead of their ids; an empty lookup stays empty", async () => {
    const rep = await tenant.addUser({ roles: [], name: 'Rita Rep' });
    const acme = await tenant.api.post('/api/records/account', { name: 'Acme Trading' });
    expect(acme.status, acme.text).toBe(201);
    const deal = await tenant.api.post('/api/records/deal', { name: 'Big one', account: acme.body.id, rep: rep.id });
    expect(deal.status, deal.text).toBe(201);
    const won = await tenant.api.patch(`/api/records/deal/${deal.body.id}`, {
      stage: 'won',
      version: deal.body.version,
    });
    expect(won.status, won.text).toBe(200);
    await settle();
    const mine = await tenant.api.get('/api/notifications');
    expect(mine.status, mine.text).toBe(200);
    const notice = (mine.body.items as Array<{ title: string; body: string; data: { record: string } }>).find(
      (n) => n.data.record === deal.body.id,
    );
    expect(notice?.title).toBe('Deal Acme Trading won');
    expect(notice?.body).toBe('Rep: Rita Rep. Partner: . Was: new.');
    expect(JSON.stringify(notice)).not.toContain(acme.body.id);
    expect(JSON.stringify(notice)).not.toContain(rep.id);
  });
});
