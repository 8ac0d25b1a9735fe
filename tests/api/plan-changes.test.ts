/**
 * The metadata plan says its changes as business changes (issue 22): per role, which operations on
 * which objects are granted or revoked and which fields hidden; fields added with their kind; by
 * names and labels, with the metadata's Chinese labels. Nothing changes until applied; only admins plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestServer, type TestServer, type TestTenant } from '../support';

let server: TestServer;
let tenant: TestTenant;

const deal = {
  type: 'object',
  title: 'Deal',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200 },
    amount: { type: 'number', title: 'Amount', minimum: 0, 'x-i18n': { 'zh-CN': { title: '金额' } } },
  },
};
const salesRep = {
  label: 'Sales rep',
  'x-i18n': { 'zh-CN': { label: '销售代表' } },
  objects: { deal: { create: true, read: 'own', update: 'own' } },
};

beforeAll(async () => {
  server = await startTestServer();
  tenant = await createTestTenant(server, { prefix: 'planwords' });
  const r = await tenant.api.post('/api/meta/apply', { objects: { deal }, roles: { sales_rep: salesRep } });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await server?.platform.delete(`/api/tenants/${tenant?.id}`, { query: { confirm: tenant?.id } });
  await server?.close();
});

describe('plan changes', () => {
  it('says a role change as grants and hidden fields, by labels, and changes nothing', async () => {
    const next = {
      ...salesRep,
      objects: { deal: { ...salesRep.objects.deal, delete: 'own', fields: { amount: 'none' } } },
    };
    const plan = await tenant.api.post('/api/meta/plan', { roles: { sales_rep: next } });
    expect(plan.status, plan.text).toBe(200);
    // The existing answer is kept as it was (the contract is extended, not changed).
    expect(plan.body.summary.roles.changed).toEqual(['sales_rep']);
    expect(plan.body.changes).toEqual([
      {
        section: 'roles',
        name: 'sales_rep',
        label: 'Sales rep',
        code: 'granted',
        params: {
          role: 'sales_rep',
          roleLabel: 'Sales rep',
          object: 'deal',
          objectLabel: 'Deal',
          operation: 'delete',
          scope: 'own',
          from: 'none',
        },
        labels: { 'zh-CN': { label: '销售代表', objectLabel: '商机', roleLabel: '销售代表' } },
      },
      expect.objectContaining({
        code: 'fieldAccess',
        params: expect.objectContaining({ field: 'amount', fieldLabel: 'Amount', access: 'none', from: 'default' }),
        labels: { 'zh-CN': expect.objectContaining({ fieldLabel: '金额' }) },
      }),
    ]);
    const meta = await tenant.api.get('/api/meta');
    expect(meta.status, meta.text).toBe(200);
    expect(meta.body.roles.sales_rep.objects.deal.delete).toBeUndefined();
  });

  it('says a field added with its kind', async () => {
    const withDiscount = {
      ...deal,
      properties: { ...deal.properties, discount: { type: 'number', title: 'Discount', minimum: 0 } },
    };
    const plan = await tenant.api.post('/api/meta/plan', { objects: { deal: withDiscount } });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.changes).toEqual([
      expect.objectContaining({
        section: 'fields',
        name: 'deal.discount',
        label: 'Deal · Discount',
        code: 'added',
        params: { object: 'deal', objectLabel: 'Deal', field: 'discount', fieldLabel: 'Discount', kind: 'number' },
      }),
    ]);
  });

  it('answers no changes for an unchanged document and refuses non-admins', async () => {
    const same = await tenant.api.post('/api/meta/plan', { roles: { sales_rep: salesRep } });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toMatchObject({ changed: false, changes: [] });
    const rep = await tenant.addUser({ roles: ['sales_rep'] });
    const refused = await rep.api.post('/api/meta/plan', { roles: { sales_rep: { label: 'Boss' } } });
    expect(refused.status).toBe(403);
    expect(refused.body.changes).toBeUndefined();
  });
});
