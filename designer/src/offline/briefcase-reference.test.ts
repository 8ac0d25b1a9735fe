import { describe, expect, it } from 'vitest';
import type { AppMeta } from '../meta/meta-types';
import { lineDefaults } from '../records/line-defaults';
import type { BriefcaseRecord } from './briefcase-db';
import { briefcaseLookupApi, lineSpecs, referenceObjects } from './briefcase-reference';

const ref = (object: string) => ({ type: 'string', format: 'uuid', 'x-ref': object });
const PRICE = {
  type: 'number',
  'x-default-from': [
    {
      object: 'price_list_entry',
      match: { price_list: '$record.order.price_list', product: '$record.product' },
      field: 'price',
    },
    { object: 'product', match: { id: '$record.product' }, field: 'list_price' },
  ],
};
const meta = {
  objects: {
    account: { properties: { name: { type: 'string' } } },
    product: { properties: { name: { type: 'string' }, list_price: { type: 'number' } } },
    price_list: { properties: { name: { type: 'string' } } },
    price_list_entry: {
      properties: { price_list: ref('price_list'), product: ref('product'), price: { type: 'number' } },
    },
    order: {
      properties: {
        account: ref('account'),
        price_list: ref('price_list'),
        // `field` omitted: the child's one lookup to the parent is the link.
        lines: { type: 'array', 'x-children': { object: 'order_line' } },
      },
    },
    order_line: { properties: { order: ref('order'), product: ref('product'), unit_price: PRICE } },
    // Not readable by this user: absent from the app metadata, so never fetched.
    invoice: undefined,
  },
} as unknown as AppMeta;
delete (meta.objects as Record<string, unknown>).invoice;

const rec = (object: string, id: string, local: Record<string, unknown>): BriefcaseRecord => ({
  key: `${object}/${id}`,
  object,
  id,
  server: local,
  local: { id, ...local },
  reference: true,
});

describe('briefcase reference data', () => {
  it('finds the line items of an object and their link back', () => {
    expect(lineSpecs(meta, 'order')).toEqual([{ field: 'lines', child: 'order_line', link: 'order' }]);
    expect(lineSpecs(meta, 'product')).toEqual([]);
  });

  it('carries the lookups of the forms, their lines and the records defaults come from', () => {
    expect(referenceObjects(meta, ['account', 'order'])).toEqual([
      'account',
      'price_list',
      'price_list_entry',
      'product',
    ]);
    // The line's link back to its parent is not reference data.
    expect(referenceObjects(meta, ['account'])).toEqual([]);
  });

  it("prices a line from the briefcase as the server would: the price list's entry, else the list price", async () => {
    const records = [
      rec('product', 'p1', { name: 'Espresso', list_price: 1000, created_at: '2026-01-01' }),
      rec('product', 'p2', { name: 'Frother', list_price: 120, created_at: '2026-01-02' }),
      rec('price_list_entry', 'e2', { price_list: 'pl', product: 'p1', price: 900, created_at: '2026-01-05' }),
      rec('price_list_entry', 'e1', { price_list: 'pl', product: 'p1', price: 800, created_at: '2026-01-03' }),
    ];
    const api = briefcaseLookupApi(records);
    const child = meta.objects.order_line!;
    const price = (product: string, parent: Record<string, unknown>) =>
      lineDefaults(api, child, 'order', ['unit_price'], { product }, parent);
    // The first entry in creation order wins, as on the server.
    expect(await price('p1', { price_list: 'pl' })).toEqual({ unit_price: 800 });
    expect(await price('p2', { price_list: 'pl' })).toEqual({ unit_price: 120 });
    expect(await price('p1', {})).toEqual({ unit_price: 1000 });
    // A product that is not in the briefcase: nothing filled, the server decides at sync.
    expect(await price('p9', { price_list: 'pl' })).toEqual({});
  });
});

describe('a refused create with lines', () => {
  it("names the line and the line's field, never the path", async () => {
    const { refusalLines } = await import('./briefcase-labels');
    const t = ((key: string, o: Record<string, unknown>) => `${key} ${JSON.stringify(o)}`) as never;
    const withTitles = {
      objects: {
        ...meta.objects,
        order_line: {
          properties: { ...meta.objects.order_line!.properties, quantity: { type: 'number', title: 'Quantity' } },
        },
      },
    } as unknown as AppMeta;
    const item = {
      kind: 'create' as const,
      object: 'order',
      id: 'local-1',
      fields: {},
      base: {},
      baseVersion: null,
      key: 'k',
      status: 'refused' as const,
      createdAt: '',
      error: { code: 'VALIDATION_FAILED', message: 'Invalid', fields: { 'lines.1.quantity': 'Must be at least 0' } },
    };
    expect(refusalLines(withTitles, item, 'en', t)).toEqual([
      'webApp.linesError {"n":2,"field":"Quantity","message":"Must be at least 0"}',
    ]);
  });
});
