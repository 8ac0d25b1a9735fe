/**
 * Retired picklist options (issue 22): kept on old records, refused as a new choice with a clear
 * error, published through the ordinary plan → apply path; bad metadata refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

const ticket = (retired?: string[]) => ({
  type: 'object',
  title: 'Ticket',
  properties: {
    subject: { type: 'string', title: 'Subject' },
    channel: {
      type: 'string',
      title: 'Channel',
      enum: ['phone', 'fax', 'web'],
      'x-enum-labels': { phone: 'Phone', fax: 'Fax', web: 'Web' },
      ...(retired ? { 'x-enum-retired': retired } : {}),
    },
    tags: {
      type: 'array',
      title: 'Tags',
      items: { type: 'string', enum: ['vip', 'legacy', 'new'] },
      ...(retired ? { 'x-enum-retired': ['legacy'] } : {}),
    },
  },
});

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'picklist' });
  expect((await tenant.api.put('/api/meta/objects/ticket', ticket())).status).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('retired options', () => {
  it('keeps old values, refuses choosing them anew, and accepts other changes', async () => {
    const old = await tenant.api.post('/api/records/ticket', { subject: 'Old', channel: 'fax', tags: ['legacy'] });
    expect(old.status, old.text).toBe(201);
    // Published through plan → apply like any designer change; no table change is needed.
    const plan = await tenant.api.post('/api/meta/plan', { objects: { ticket: ticket(['fax']) } });
    expect(plan.status, plan.text).toBe(200);
    const applied = await tenant.api.post('/api/meta/apply', { objects: { ticket: ticket(['fax']) } });
    expect(applied.status, applied.text).toBe(200);

    const kept = await tenant.api.get(`/api/records/ticket/${old.body.id}`);
    expect(kept.body).toMatchObject({ channel: 'fax', tags: ['legacy'] });
    // Other fields change; sending the same retired value back is fine too.
    const edit = await tenant.api.patch(`/api/records/ticket/${old.body.id}`, {
      subject: 'Old, edited',
      channel: 'fax',
      tags: ['legacy', 'vip'],
      version: kept.body.version,
    });
    expect(edit.status, edit.text).toBe(200);

    const fresh = await tenant.api.post('/api/records/ticket', { subject: 'New', channel: 'fax' });
    expect(fresh.status).toBe(400);
    expect(fresh.body.error.fields.channel).toBe('"Fax" is a retired option: choose another');
    const tags = await tenant.api.post('/api/records/ticket', { subject: 'New', tags: ['new', 'legacy'] });
    expect(tags.status).toBe(400);
    expect(tags.body.error.fields.tags).toMatch(/"legacy" is a retired option/);

    const web = await tenant.api.post('/api/records/ticket', { subject: 'Web', channel: 'web' });
    expect(web.status).toBe(201);
    const back = await tenant.api.patch(`/api/records/ticket/${web.body.id}`, {
      channel: 'fax',
      version: web.body.version,
    });
    expect(back.status).toBe(400);
    expect(back.body.error.fields.channel).toMatch(/retired option/);
  });

  it('refuses retiring an unknown value, every value, or the default', async () => {
    const base = ticket();
    const put = (channel: Record<string, unknown>) =>
      tenant.api.put('/api/meta/objects/ticket', {
        ...base,
        properties: { ...base.properties, channel: { ...base.properties.channel, ...channel } },
      });
    const unknown = await put({ 'x-enum-retired': ['mail'] });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('\\"mail\\" is not one of the values');
    const all = await put({ 'x-enum-retired': ['phone', 'fax', 'web'] });
    expect(all.status).toBe(400);
    expect(all.text).toContain('At least one option must stay offered');
    const def = await put({ 'x-enum-retired': ['fax'], default: 'fax' });
    expect(def.status).toBe(400);
    expect(def.text).toContain('a default must be an offered option');
  });
});
