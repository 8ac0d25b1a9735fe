import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [{ kind: 'module', specifier: '@forma/plugin-core-crm', origin: 'workspace' }],
  });
  tenant = await createTestTenant(server, { prefix: 'crm', template: 'core-crm' });
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('core-crm template', () => {
  it('is loaded and offered as a template', async () => {
    const plugins = await tenant.api.get('/api/plugins');
    expect(plugins.body.items).toEqual([expect.objectContaining({ name: 'core-crm', status: 'loaded' })]);
    const templates = await tenant.api.get('/api/templates');
    const crm = templates.body.items.find((t: any) => t.name === 'core-crm');
    expect(crm).toMatchObject({ label: 'Core CRM', version: '0.1.0' });
    expect(crm.objects).toEqual(expect.arrayContaining(['account', 'deal', 'quote', 'service_case']));
  });

  it('gives a new tenant the whole CRM', async () => {
    const meta = await tenant.api.get('/api/meta');
    expect(meta.status, meta.text).toBe(200);
    expect(Object.keys(meta.body.objects)).toEqual(
      expect.arrayContaining([
        'account',
        'contact',
        'lead',
        'deal',
        'product',
        'price_list',
        'quote',
        'quote_line',
        'contract',
        'order',
        'receivable',
        'payment',
        'activity',
        'campaign',
        'service_case',
        'survey',
      ]),
    );
    expect(Object.keys(meta.body.roles)).toEqual(
      expect.arrayContaining(['sales_manager', 'sales_rep', 'service_agent', 'finance']),
    );
    expect(Object.keys(meta.body.workflows)).toEqual(
      expect.arrayContaining(['quote_discount_approval', 'contract_approval']),
    );
    expect(meta.body.objects.deal['x-i18n']['zh-CN'].title).toBe('商机');
  });
});
