/**
 * Templates as layers, through the HTTP API: applying one creates its tables, re-applying a newer
 * version keeps the tenant's own changes, and an export reproduces the metadata in another tenant.
 */
import type { TemplateDefinition } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../support/catalog';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;
const cleanup: Array<() => void> = [];
const tenants: string[] = [];

const v1 = {
  name: 'test_sales',
  label: 'Test sales',
  version: '1.0.0',
  description: 'Accounts and deals',
  document: {
    objects: {
      account: { type: 'object', title: 'Account', properties: { name: { type: 'string', title: 'Name' } } },
      deal: {
        type: 'object',
        title: 'Deal',
        properties: {
          name: { type: 'string', title: 'Name' },
          amount: { type: 'number', 'x-kind': 'currency', title: 'Amount' },
          account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
          legacy: { type: 'string', title: 'Legacy code' },
        },
      },
    },
    roles: { sales_rep: { label: 'Sales rep', objects: { deal: { create: true, read: 'own' } } } },
    views: { all_deals: { object: 'deal', label: 'All deals', columns: ['name', 'amount'] } },
  },
  sampleData: { account: [{ name: 'Sample Inc.' }] },
};

/** Version 2 adds a field and a view, and relabels amount. */
const v2 = structuredClone(v1);
v2.version = '2.0.0';
Object.assign(v2.document.objects.deal.properties, {
  stage: { type: 'string', enum: ['new', 'won'], title: 'Stage' },
});
v2.document.objects.deal.properties.amount.title = 'Deal value';
Object.assign(v2.document.views, { won_deals: { object: 'deal', label: 'Won deals', columns: ['name'] } });

beforeAll(async () => {
  server = await startTestServer();
  cleanup.push(server.runtime.templates.register(v1 as unknown as TemplateDefinition));
  tenant = await createTestTenant(server, { prefix: 'metatpl' });
  tenants.push(tenant.id);
});
afterAll(async () => {
  for (const undo of cleanup) undo();
  for (const id of tenants) await server?.platform.delete(`/api/tenants/${id}`, { query: { confirm: id } });
  await server?.close();
});

describe('templates', () => {
  it('lists the registered templates', async () => {
    const r = await tenant.api.get('/api/templates');
    expect(r.status, r.text).toBe(200);
    expect(r.body.items).toContainEqual({
      name: 'test_sales',
      label: 'Test sales',
      version: '1.0.0',
      description: 'Accounts and deals',
      objects: ['account', 'deal'],
      hasSampleData: true,
      sampleCounts: { users: 0, records: 1 },
    });
  });

  it('applies a template: its objects become tables, its source is in history', async () => {
    const r = await tenant.api.post('/api/templates/test_sales/apply', { sampleData: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ changed: true, template: { name: 'test_sales', version: '1.0.0' } });
    expect(['inserted', 'skipped']).toContain(r.body.sampleData);
    const db = catalog(server, tenant.id);
    expect(await db.tableExists('account')).toBe(true);
    expect(Object.keys(await db.columns('deal'))).toEqual(expect.arrayContaining(['name', 'amount', 'account']));
    const history = (await tenant.api.get('/api/meta/history', { query: { limit: 1 } })).body.items[0];
    expect(history.source).toBe('template:test_sales@1.0.0');
    // Applying the same version again changes nothing.
    const again = await tenant.api.post('/api/templates/test_sales/apply', {});
    expect(again.body).toMatchObject({ changed: false, version: r.body.version });
  });

  it("re-applies a newer version and keeps the tenant's own changes", async () => {
    const doc = (await tenant.api.get('/api/meta')).body;
    const deal = doc.objects.deal;
    const { legacy: _dropped, ...kept } = deal.properties;
    // The tenant adds a field, retitles one, removes one and adds a view of its own.
    const custom = await tenant.api.post(
      '/api/meta/apply',
      {
        objects: {
          deal: {
            ...deal,
            properties: {
              ...kept,
              name: { ...kept.name, title: 'Deal name' },
              region: { type: 'string', title: 'Region' },
            },
          },
        },
        views: { my_deals: { object: 'deal', label: 'Mine', columns: ['name', 'region'] } },
      },
      { query: { allowDestructive: true } },
    );
    expect(custom.status, custom.text).toBe(200);

    cleanup.push(server.runtime.templates.register(v2 as unknown as TemplateDefinition));
    const r = await tenant.api.post('/api/templates/test_sales/apply', {});
    expect(r.status, r.text).toBe(200);
    expect(r.body.template.version).toBe('2.0.0');
    const after = (await tenant.api.get('/api/meta')).body;
    const props = after.objects.deal.properties;
    expect(props.stage).toMatchObject({ enum: ['new', 'won'] }); // the template's addition
    expect(props.amount.title).toBe('Deal value'); // untouched by the tenant: follows the template
    expect(props.name.title).toBe('Deal name'); // the tenant's edit wins
    expect(props.region).toBeDefined(); // the tenant's addition is kept
    expect(props.legacy).toBeUndefined(); // deleted by the tenant: stays deleted
    expect(props.name['x-id']).toBe(deal.properties.name['x-id']); // ids survive the merge
    expect(Object.keys(after.views).sort()).toEqual(['all_deals', 'my_deals', 'won_deals']);
    expect(Object.keys(await catalog(server, tenant.id).columns('deal'))).toEqual(
      expect.arrayContaining(['stage', 'region']),
    );
  });

  it('refuses unknown templates and malformed requests', async () => {
    expect((await tenant.api.post('/api/templates/nope/apply', {})).status).toBe(404);
    expect((await tenant.api.post('/api/templates/test_sales/apply', { sampleData: 'yes' })).status).toBe(400);
    expect(
      (await tenant.api.request('POST', '/api/templates/test_sales/apply', { raw: '{"sampleData":' })).status,
    ).toBe(400);
    const user = await tenant.addUser({});
    expect((await user.api.get('/api/templates')).status).toBe(403);
    expect((await user.api.post('/api/templates/test_sales/apply', {})).status).toBe(403);
    expect((await server.anon.get('/api/templates')).status).toBe(401);
  });

  it('creates a tenant from a template', async () => {
    const other = await createTestTenant(server, { prefix: 'metatpl', template: 'test_sales' });
    tenants.push(other.id);
    const doc = (await other.api.get('/api/meta')).body;
    expect(Object.keys(doc.objects).sort()).toEqual(['account', 'deal']);
    expect(doc.objects.deal.properties.stage).toBeDefined(); // the latest registered version
  });
});

describe('export', () => {
  it("with layer=own contains only the tenant's own additions and changes", async () => {
    const r = await tenant.api.get('/api/meta/export', { query: { layer: 'own' } });
    expect(r.status, r.text).toBe(200);
    // deal was changed by the tenant; account and the template's role and views are the template's.
    expect(Object.keys(r.body.document.objects)).toEqual(['deal']);
    expect(r.body.document.roles).toEqual({});
    expect(Object.keys(r.body.document.views)).toEqual(['my_deals']);
    expect(r.body.description).toMatch(/on top of test_sales@2\.0\.0/);
    expect((await tenant.api.get('/api/meta/export', { query: { layer: 'mine' } })).status).toBe(400);
  });

  it('reproduces the same metadata in a fresh tenant', async () => {
    const exported = await tenant.api.get('/api/meta/export');
    expect(exported.status, exported.text).toBe(200);
    const name = `export_${tenant.id}`;
    cleanup.push(server.runtime.templates.register({ ...exported.body, name }));
    const fresh = await createTestTenant(server, { prefix: 'metatpl' });
    tenants.push(fresh.id);
    const r = await fresh.api.post(`/api/templates/${name}/apply`, {});
    expect(r.status, r.text).toBe(200);
    const mine = (await tenant.api.get('/api/meta')).body;
    const theirs = (await fresh.api.get('/api/meta')).body;
    for (const s of ['objects', 'roles', 'workflows', 'scripts', 'forms', 'views']) expect(theirs[s]).toEqual(mine[s]);
    const cols = await catalog(server, fresh.id).columns('deal');
    expect(cols).toEqual(await catalog(server, tenant.id).columns('deal'));
  });
});
