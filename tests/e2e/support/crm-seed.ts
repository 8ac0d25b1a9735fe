import { expect } from 'vitest';
import { putMeta, type TestTenant } from '../../support/tenants';

export { putMeta };

/** A small sales model in shared/API.md's shape: accounts, deals (every widget kind), a rule, a view. */
export const ACCOUNT = {
  title: 'Account',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '客户' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '名称' } } },
    city: { type: 'string', title: 'City', maxLength: 100 },
  },
  required: ['name'],
};

export const DEAL = {
  title: 'Deal',
  type: 'object',
  'x-label-field': 'name',
  'x-i18n': { 'zh-CN': { title: '商机' } },
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200, 'x-i18n': { 'zh-CN': { title: '名称' } } },
    amount: {
      type: 'number',
      title: 'Amount',
      minimum: 0,
      'x-kind': 'currency',
      'x-i18n': { 'zh-CN': { title: '金额' } },
    },
    stage: {
      type: 'string',
      title: 'Stage',
      enum: ['new', 'negotiation', 'won', 'lost'],
      default: 'new',
      'x-i18n': {
        'zh-CN': { title: '阶段', enum: { new: '新建', negotiation: '谈判', won: '赢单', lost: '输单' } },
      },
    },
    close_on: { type: 'string', title: 'Close on', format: 'date' },
    account: { type: 'string', title: 'Account', format: 'uuid', 'x-ref': 'account' },
    discount: { type: 'number', title: 'Discount', minimum: 0, maximum: 100, 'x-kind': 'percent' },
    number: { type: 'string', title: 'Number', 'x-autonumber': 'D-{0000}' },
    notes: { type: 'string', title: 'Notes', 'x-kind': 'textarea', maxLength: 2000 },
  },
  required: ['name', 'amount'],
};

export const DISCOUNT_RULE = {
  object: 'deal',
  event: 'validate',
  code: "if (record.discount > 20) error('discount', 'Discounts above 20% need a sales manager');",
};

/** The default list view: five rows a page so "load more" shows with a handful of records. */
export const PIPELINE_VIEW = {
  object: 'deal',
  label: 'Pipeline',
  columns: ['name', 'amount', 'stage', 'close_on', 'account'],
  sort: ['-amount'],
  pageSize: 5,
  default: true,
};

export async function seedSalesModel(tenant: TestTenant): Promise<void> {
  await putMeta(tenant, '/api/meta/objects/account', ACCOUNT);
  await putMeta(tenant, '/api/meta/objects/deal', DEAL);
  await putMeta(tenant, '/api/meta/scripts/discount_rule', DISCOUNT_RULE);
  await putMeta(tenant, '/api/meta/views/deal_pipeline', PIPELINE_VIEW);
}

export async function createRecord(
  tenant: TestTenant,
  object: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown> & { id: string }> {
  const r = await tenant.api.post(`/api/records/${object}`, body);
  expect(r.status, r.text).toBe(201);
  return r.body;
}
