import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaTestTenant, type MetaTestTenant } from '../testing/meta-test-tenant';

let t: MetaTestTenant;
beforeAll(async () => {
  t = await metaTestTenant('msvc');
});
afterAll(async () => {
  await t?.close();
});

const deal = {
  type: 'object',
  title: 'Deal',
  'x-label-field': 'name',
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 200 },
    amount: { type: 'number', minimum: 0, 'x-kind': 'currency' },
    stage: { type: 'string', enum: ['new', 'negotiation', 'won', 'lost'], default: 'new' },
    close_on: { type: 'string', format: 'date' },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    discount: { type: 'number', minimum: 0, maximum: 100, 'x-kind': 'percent' },
    net: { type: 'number', 'x-formula': 'record.amount * (1 - (record.discount || 0) / 100)' },
    number: { type: 'string', 'x-autonumber': 'D-{YYYY}-{0000}' },
  },
  required: ['name', 'amount'],
};
const account = { type: 'object', title: 'Account', properties: { name: { type: 'string', maxLength: 100 } } };

describe('meta service', () => {
  it('creates tables from objects and answers the model', async () => {
    const r = await t.runtime.meta.apply(t.ctx, { objects: { account, deal } });
    expect(r.changed).toBe(true);
    expect(r.version).toBe(1);
    const model = await t.runtime.meta.model(t.ctx);
    expect(model.object('deal').field('amount').kind).toBe('currency');
    const again = await t.runtime.meta.apply(t.ctx, { objects: { account, deal } });
    expect(again.changed).toBe(false);
  });
});

describe('stored documents', () => {
  it('keep the field order they were written with (json, not jsonb)', async () => {
    const order = ['zeta', 'alpha', 'mid_length_name', 'b'];
    const properties = Object.fromEntries(order.map((f) => [f, { type: 'string' }]));
    await t.runtime.meta.apply(t.ctx, { objects: { ordered: { type: 'object', properties } } });
    const [row] = await t.rows<{ document: { objects: Record<string, { properties: object }> } }>(
      'select document from $schema._meta_versions order by version desc limit 1',
    );
    expect(Object.keys(row?.document.objects.ordered?.properties ?? {})).toEqual(order);
  });
});
