import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

/**
 * A consultant's round trip: start from core-crm, configure it, export the tenant as a template,
 * start fresh tenants from the export (through the template registry and through a plain apply):
 * the metadata is identical and the configured flows work there too.
 */
let server: TestServer;
const tenants: TestTenant[] = [];
let source: TestTenant;
let exported: any;

const metaOf = async (t: TestTenant) => {
  const r = await t.api.get('/api/meta');
  expect(r.status, r.text).toBe(200);
  const { version: _v, ...rest } = r.body;
  return rest;
};

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  source = await createTestTenant(server, { prefix: 'rtsrc', template: 'core-crm' });
  tenants.push(source);
}, 300_000);
afterAll(async () => {
  for (const t of tenants) await server?.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
  await server?.close();
});

describe('configure → export → apply to a fresh tenant', () => {
  it('configures the source tenant', async () => {
    const meta = await source.api.get('/api/meta');
    const deal = structuredClone(meta.body.objects.deal);
    deal.properties.region = {
      type: 'string',
      title: 'Region',
      enum: ['north', 'south', 'east', 'west'],
      'x-i18n': { 'zh-CN': { title: '区域' } },
    };
    expect((await source.api.put('/api/meta/objects/deal', deal)).status).toBe(200);
    const script = {
      object: 'deal',
      event: 'validate',
      code: "if (record.amount > 1000000 && !record.region) error('region', 'Large deals need a region');",
    };
    expect((await source.api.put('/api/meta/scripts/deal_region', script)).status).toBe(200);
    const view = {
      object: 'deal',
      label: 'North',
      columns: ['name', 'amount', 'region'],
      filter: { region: { eq: 'north' } },
    };
    expect((await source.api.put('/api/meta/views/north_deals', view)).status).toBe(200);
    const role = {
      label: 'Regional lead',
      // Account read: a deal may only be linked to an account its writer may read.
      objects: { deal: { create: true, read: 'all', update: 'own', delete: false }, account: { read: 'all' } },
    };
    expect((await source.api.put('/api/meta/roles/regional_lead', role)).status).toBe(200);
  });

  it('exports the tenant as a template document', async () => {
    const r = await source.api.get('/api/meta/export');
    expect(r.status, r.text).toBe(200);
    exported = r.body;
    expect(exported.document.objects.deal.properties.region).toBeDefined();
    expect(exported.document.scripts.deal_region).toBeDefined();
  });

  it('a tenant created from the registered export has identical metadata and working flows', async () => {
    server.runtime.templates.register({ ...exported, name: 'acme-crm', label: 'Acme CRM', version: '1.0.0' });
    const copy = await createTestTenant(server, { prefix: 'rtcopy', template: 'acme-crm' });
    tenants.push(copy);
    expect(await metaOf(copy)).toEqual(await metaOf(source));

    // The configured rule, view and role work in the copy.
    const lead = await copy.addUser({ roles: ['regional_lead'] });
    const account = (await copy.api.post('/api/records/account', { name: 'Copy Co' })).body;
    const big = await lead.api.post('/api/records/deal', { name: 'Big', account: account.id, amount: 2000000 });
    expect(big.status).toBe(400);
    expect(big.body.error.fields.region).toMatch(/region/);
    const ok = await lead.api.post('/api/records/deal', {
      name: 'Big',
      account: account.id,
      amount: 2000000,
      region: 'north',
    });
    expect(ok.status, ok.text).toBe(201);
    expect(Number(ok.body.probability)).toBe(10);
    // The core flows came along: lead conversion.
    const l = (await copy.api.post('/api/records/lead', { company: 'Converted Co' })).body;
    expect((await copy.api.post(`/api/plugins/core-crm/leads/${l.id}/convert`, {})).status).toBe(201);
  });

  it('applying the exported document to an empty tenant gives the same metadata', async () => {
    const empty = await createTestTenant(server, { prefix: 'rtapply' });
    tenants.push(empty);
    const r = await empty.api.post('/api/meta/apply', exported.document);
    expect(r.status, r.text).toBe(200);
    expect(await metaOf(empty)).toEqual(await metaOf(source));
    // Applying it again changes nothing.
    const again = await empty.api.post('/api/meta/apply', exported.document);
    expect(again.body.changed).toBe(false);
  });
});
