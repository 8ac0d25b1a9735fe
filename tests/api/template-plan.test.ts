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

  it('is a no-op plan once the template is applied', async () => {
    const applied = await tenant.api.post('/api/templates/plan_probe/apply', {});
    expect(applied.status, applied.text).toBe(200);
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
