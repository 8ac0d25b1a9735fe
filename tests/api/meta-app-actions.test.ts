import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * `GET /api/meta/app` lists the record-page buttons: active action scripts and the plugin endpoints
 * a form declares, only for objects the user may read, with malformed declarations left out.
 */
let server: TestServer;
let tenant: TestTenant;
let rep: Awaited<ReturnType<TestTenant['addUser']>>;

const object = (label: string) => ({
  title: label,
  type: 'object',
  'x-label-field': 'name',
  properties: { name: { type: 'string', maxLength: 100 }, stage: { type: 'string', maxLength: 20 } },
});

const action = (object: string, extra: Record<string, unknown> = {}) => ({
  object,
  event: 'action',
  code: "set('stage', 'won');",
  ...extra,
});

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'metaact' });
  const r = await tenant.api.post('/api/meta/apply', {
    objects: { deal: object('Deal'), secret: object('Secret') },
    scripts: {
      win: action('deal', { label: 'Mark won', order: 5 }),
      archive: action('deal', { label: 'Archive', order: -1, description: 'Move it away' }),
      dormant: action('deal', { label: 'Dormant', active: false }),
      rule: { object: 'deal', event: 'validate', code: "if (!record.name) error('name', 'Name it');" },
      hidden_win: action('secret', { label: 'Secret action' }),
    },
    forms: {
      deal: {
        object: 'deal',
        uiSchema: {
          'ui:actions': [
            {
              name: 'convert',
              label: 'Convert',
              path: '/api/plugins/core-crm/deals/{id}/convert',
              open: 'deal',
              confirm: true,
            },
            { name: 'offsite', label: 'Evil', path: 'https://evil.test/{id}' },
            { name: 'other_api', label: 'Tenants', path: '/api/tenants/{id}' },
            { name: 'no_id', label: 'No id', path: '/api/plugins/core-crm/deals' },
            { name: 'climb', label: 'Climb', path: '/api/plugins/core-crm/../tenants/{id}' },
            { name: 'double', label: 'Double', path: '/api/plugins/core-crm//x/{id}' },
            { name: 'Bad Name', label: 'Bad', path: '/api/plugins/core-crm/x/{id}' },
            { name: 'bad_open', label: 'Bad open', path: '/api/plugins/core-crm/x/{id}', open: 'deal; drop' },
            'not an object',
          ],
        },
      },
      secret: {
        object: 'secret',
        uiSchema: { 'ui:actions': [{ name: 'leak', label: 'Leak', path: '/api/plugins/x/leak/{id}' }] },
      },
    },
    roles: {
      rep: { label: 'Rep', objects: { deal: { create: true, read: 'own', update: 'own', delete: false } } },
    },
  });
  expect(r.status, r.text).toBe(200);
  rep = await tenant.addUser({ roles: ['rep'] });
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('GET /api/meta/app actions', () => {
  it('lists active action scripts by order, then the form’s valid plugin endpoints', async () => {
    const r = await rep.api.get('/api/meta/app');
    expect(r.status, r.text).toBe(200);
    expect(r.body.actions.deal).toEqual([
      { name: 'archive', label: 'Archive', description: 'Move it away', kind: 'script' },
      { name: 'win', label: 'Mark won', kind: 'script' },
      {
        name: 'convert',
        label: 'Convert',
        kind: 'endpoint',
        path: '/api/plugins/core-crm/deals/{id}/convert',
        open: 'deal',
        confirm: true,
      },
      { name: 'bad_open', label: 'Bad open', kind: 'endpoint', path: '/api/plugins/core-crm/x/{id}' },
    ]);
    // Existing fields are unchanged.
    expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['version', 'objects', 'forms', 'views', 'actions']));
  });

  it('leaves out the actions of objects the user may not read', async () => {
    const r = await rep.api.get('/api/meta/app');
    expect(r.body.objects.secret).toBeUndefined();
    expect(r.body.actions.secret).toBeUndefined();
    const admin = await tenant.api.get('/api/meta/app');
    expect(admin.body.actions.secret.map((a: { name: string }) => a.name)).toEqual(['hidden_win', 'leak']);
  });

  it('answers 401 without a session', async () => {
    expect((await server.anon.get('/api/meta/app')).status).toBe(401);
  });

  it('the listed script runs through the action endpoint; an inactive one answers 404', async () => {
    const d = await rep.api.post('/api/records/deal', { name: 'Acme' });
    expect(d.status, d.text).toBe(201);
    const run = await rep.api.post(`/api/records/deal/${d.body.id}/actions/win`);
    expect(run.status, run.text).toBe(200);
    expect(run.body.record.stage).toBe('won');
    expect((await rep.api.post(`/api/records/deal/${d.body.id}/actions/dormant`)).status).toBe(404);
  });
});
