/**
 * Mail merge e-mails: sending is a permission of its own (a role's `sendEmail`, admins always), and
 * a tenant's merge e-mails fit in an hourly budget shared by every request (429 with Retry-After).
 * The preview stays with readers.
 */
import { ManualClock } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

const PER_HOUR = 6;
const clock = new ManualClock('2026-05-04T10:00:00Z');

let server: TestServer;
let tenant: TestTenant;
let other: TestTenant;
let reader: Awaited<ReturnType<TestTenant['addUser']>>;
let sender: Awaited<ReturnType<TestTenant['addUser']>>;

async function seed(t: TestTenant) {
  const r = await t.api.put('/api/meta/objects/contact', {
    title: 'Contact',
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 100 },
      email: { type: 'string', format: 'email', maxLength: 200 },
      batch: { type: 'string', maxLength: 20 },
    },
    required: ['name'],
  });
  expect(r.status, r.text).toBe(200);
  const tpl = await t.api.put('/api/print-templates/contact/letter', { html: '<p>Dear {{name}}</p>' });
  expect(tpl.status, tpl.text).toBe(200);
  const rows = [];
  // Batches a–h: two contacts each; batch `gap` has one without an address; batch `big` is larger than the budget.
  for (const b of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
    for (const n of [1, 2]) rows.push({ name: `${b}${n}`, email: `${b}${n}@example.test`, batch: b });
  rows.push({ name: 'gap1', email: 'gap1@example.test', batch: 'gap' }, { name: 'gap2', batch: 'gap' });
  for (let n = 0; n < PER_HOUR + 1; n++) rows.push({ name: `big${n}`, email: `big${n}@example.test`, batch: 'big' });
  const imported = await t.api.post('/api/records/contact/import', undefined, { raw: JSON.stringify(rows) });
  expect(imported.status, imported.text).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer({ clock, runtimeConfig: { mailMerge: { emailsPerHour: PER_HOUR } } });
  tenant = await createTestTenant(server, { prefix: 'secmail' });
  other = await createTestTenant(server, { prefix: 'secmail2' });
  for (const t of [tenant, other]) await seed(t);
  const roles = {
    reader: { objects: { contact: { read: 'all' } } },
    sender: { objects: { contact: { read: 'all' } }, sendEmail: true },
  };
  for (const [name, role] of Object.entries(roles)) {
    const r = await tenant.api.put(`/api/meta/roles/${name}`, role);
    expect(r.status, r.text).toBe(200);
  }
  reader = await tenant.addUser({ roles: ['reader'] });
  sender = await tenant.addUser({ roles: ['sender'] });
});
afterAll(async () => {
  for (const t of [tenant, other])
    await server?.platform.delete(`/api/tenants/${t?.id}`, { query: { confirm: t?.id } });
  await server?.close();
});

const mergeEmails = (api: TestTenant['api'], batch: string, extra: Record<string, unknown> = {}) =>
  api.post('/api/records/contact/merge', {
    template: 'letter',
    filter: { batch: { eq: batch } },
    email: { to: 'email', subject: 'Hello {{name}}', body: 'Caller-written text for {{name}}' },
    ...extra,
  });

async function outbox(t: TestTenant): Promise<number> {
  const [row] = await server.runtime.db.withSchema(`t_${t.id}`).from('_email_outbox').count({ n: '*' });
  return Number(row?.n);
}

describe('sending merge e-mails is its own permission', { timeout: 120_000 }, () => {
  it('a reader may preview the e-mails but not queue them (403, nothing queued)', async () => {
    const preview = await mergeEmails(reader.api, 'a', { dryRun: true, sort: 'name' });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.documents[0].email).toMatchObject({ to: 'a1@example.test', subject: 'Hello a1' });
    const sent = await mergeEmails(reader.api, 'a');
    expect(sent.status, sent.text).toBe(403);
    expect(sent.body.error.code).toBe('FORBIDDEN');
    expect(await outbox(tenant)).toBe(0);
  });

  it('a role with sendEmail may, and so may an admin', async () => {
    const r = await mergeEmails(sender.api, 'a');
    expect(r.status, r.text).toBe(200);
    expect(r.body.queued).toBe(2);
    const admin = await mergeEmails(tenant.api, 'b');
    expect(admin.status, admin.text).toBe(200);
    expect(await outbox(tenant)).toBe(4);
  });

  it('the role schema refuses a sendEmail that is not a boolean', async () => {
    const r = await tenant.api.put('/api/meta/roles/bad', { objects: {}, sendEmail: 'yes' });
    expect(r.status, r.text).toBe(400);
  });
});

describe('the per-tenant budget of merge e-mails', { timeout: 120_000 }, () => {
  it('refuses what does not fit this hour with 429 and Retry-After, queuing nothing', async () => {
    // 4 of 6 used above; a merge without an address gives its unused reservation back.
    const gap = await mergeEmails(sender.api, 'gap');
    expect(gap.status, gap.text).toBe(200);
    expect(gap.body).toMatchObject({ queued: 1, missingCount: 1 });
    const before = await outbox(tenant);
    const full = await mergeEmails(sender.api, 'c');
    expect(full.status, full.text).toBe(429);
    expect(full.body.error.code).toBe('RATE_LIMITED');
    const retry = Number(full.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(3600);
    expect(await outbox(tenant)).toBe(before);
    // The one left still fits; the preview is never counted.
    expect((await mergeEmails(sender.api, 'c', { dryRun: true })).status).toBe(200);
    const one = await mergeEmails(sender.api, 'c', { filter: { name: { eq: 'c1' } } });
    expect(one.status, one.text).toBe(200);
    expect((await mergeEmails(tenant.api, 'd')).status).toBe(429);
    // Another tenant has its own budget.
    expect((await mergeEmails(other.api, 'a')).status).toBe(200);
  });

  it('a merge matching more records than an hour allows is refused outright (400)', async () => {
    const r = await mergeEmails(tenant.api, 'big');
    expect(r.status, r.text).toBe(400);
  });

  it('parallel merges never overdraw the budget', async () => {
    clock.advance(3600_000);
    const answers = await Promise.all(['d', 'e', 'f', 'g', 'h'].map((b) => mergeEmails(sender.api, b)));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBe(PER_HOUR / 2);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(5 - PER_HOUR / 2);
    expect(ok.reduce((n, a) => n + a.body.queued, 0)).toBe(PER_HOUR);
  });
});
