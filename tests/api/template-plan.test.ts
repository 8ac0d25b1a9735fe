/**
 * `POST /api/templates/:name/plan`: what applying a template would change, shown before it is
 * applied (the designer's templates gallery). Nothing changes until apply.
 */
import type { TemplateDefinition } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../support/catalog';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
const cleanup: Array<() => void> = [];

const template = {
  name: 'plan_probe',
  label: 'Plan probe',
  version: '1.0.0',
  document: {
    objects: {
      ticket: {
        type: 'object',
        title: 'Ticket',
        properties: { subject: { type: 'string', title: 'Subject' }, priority: { type: 'integer' } },
      },
    },
    roles: { agent: { label: 'Agent', objects: { ticket: { create: true, read: 'own' } } } },
  },
  sampleData: {
    users: [
      {
        _key: 'lead',
        email: 'lead.agent@plan-probe.test',
        name: 'Lena Lead',
        password: 'Sample-Pass-1',
        roles: ['agent'],
      },
      {
        _key: 'agent',
        email: 'ann.agent@plan-probe.test',
        name: 'Ann Agent',
        password: 'Sample-Pass-2',
        roles: ['agent'],
        manager: '@lead',
      },
    ],
    ticket: [
      { _owner: '@agent', subject: 'Printer jams' },
      { _owner: '@agent', subject: 'VPN drops' },
    ],
  },
};

beforeAll(async () => {
  server = await startTestServer();
  cleanup.push(server.runtime.templates.register(template as unknown as TemplateDefinition));
  tenant = await createTestTenant(server, { prefix: 'tplplan' });
});
afterAll(async () => {
  for (const undo of cleanup) undo();
  if (tenant) await server?.platform.delete(`/api/tenants/${tenant.id}`, { query: { confirm: tenant.id } });
  await server?.close();
});

describe('template plan', () => {
  it('lists the steps applying would run, and changes nothing', async () => {
    const before = (await tenant.api.get('/api/meta')).body.version;
    const r = await tenant.api.post('/api/templates/plan_probe/plan', {});
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      changed: true,
      destructive: false,
      conflicts: [],
      version: before,
      template: { name: 'plan_probe', version: '1.0.0' },
    });
    expect(r.body.steps.some((s: { object?: string }) => s.object === 'ticket')).toBe(true);
    expect(r.body.summary.objects.added).toEqual(['ticket']);
    expect(r.body.summary.roles.added).toEqual(['agent']);
    expect((await tenant.api.get('/api/meta')).body.version).toBe(before);
    expect(await catalog(server, tenant.id).tableExists('ticket')).toBe(false);
  });

  it('lists the templates with their sample data, and marks the applied one with its version', async () => {
    const listed = (await tenant.api.get('/api/templates')).body.items.find((t: any) => t.name === 'plan_probe');
    expect(listed).toMatchObject({ hasSampleData: true, sampleCounts: { users: 2, records: 2 } });
    expect(listed).not.toHaveProperty('applied');
  });

  it('is a no-op plan once the template is applied, and names the sample users it created', async () => {
    const applied = await tenant.api.post('/api/templates/plan_probe/apply', { sampleData: true });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body).toMatchObject({ sampleData: 'inserted', sampleRecords: 2 });
    expect(applied.body.sampleUsers).toEqual([
      { name: 'Lena Lead', email: 'lead.agent@plan-probe.test', password: 'Sample-Pass-1', roles: ['agent'] },
      { name: 'Ann Agent', email: 'ann.agent@plan-probe.test', password: 'Sample-Pass-2', roles: ['agent'] },
    ]);
    const listed = (await tenant.api.get('/api/templates')).body.items.find((t: any) => t.name === 'plan_probe');
    expect(listed.applied).toMatchObject({ version: '1.0.0' });
    expect(Number.isNaN(Date.parse(listed.applied.at))).toBe(false);
    // Applied again: the users exist already, so none is named as created (their passwords may have changed).
    const again = await tenant.api.post('/api/templates/plan_probe/apply', { sampleData: true });
    expect(again.status, again.text).toBe(200);
    expect(again.body.sampleUsers).toEqual([]);
    const r = await tenant.api.post('/api/templates/plan_probe/plan', {});
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ changed: false, steps: [], version: applied.body.version });
  });

  it('refuses unknown templates, non-admins and anonymous callers', async () => {
    expect((await tenant.api.post('/api/templates/nope/plan', {})).status).toBe(404);
    expect((await tenant.api.post(`/api/templates/${'x'.repeat(101)}/plan`, {})).status).toBe(400);
    expect((await tenant.api.post("/api/templates/x'%3B%20drop%20table/plan", {})).status).toBe(404);
    const user = await tenant.addUser({});
    expect((await user.api.post('/api/templates/plan_probe/plan', {})).status).toBe(403);
    expect((await server.anon.post('/api/templates/plan_probe/plan', {})).status).toBe(401);
  });
});
