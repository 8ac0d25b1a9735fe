import { describe, expect, it } from 'vitest';
import type { AppMeta } from '../meta/meta-types';
import { insertAt, pickerGroups } from './placeholders';

const meta: AppMeta = {
  version: 1,
  objects: {
    product: { title: 'Product', properties: { name: { type: 'string', title: 'Name' } } },
    account: {
      title: 'Account',
      'x-i18n': { 'zh-CN': { title: '客户' } },
      properties: { name: { type: 'string', title: 'Name' }, city: { type: 'string', title: 'City' } },
    },
    quote: {
      title: 'Quote',
      properties: {
        id: { type: 'string', format: 'uuid' },
        number: { type: 'string', 'x-autonumber': 'Q-{0000}', title: 'Number' },
        account: { type: 'string', format: 'uuid', 'x-ref': 'account', title: 'Account' },
        due_on: { type: 'string', format: 'date', title: 'Due' },
        total: { type: 'number', 'x-kind': 'currency', title: 'Total' },
        lines: { type: 'array', 'x-children': { object: 'quote_line', field: 'quote' }, title: 'Lines' },
      },
    },
    quote_line: {
      title: 'Quote line',
      properties: {
        quote: { type: 'string', format: 'uuid', 'x-ref': 'quote' },
        product: { type: 'string', format: 'uuid', 'x-ref': 'product', title: 'Product' },
        qty: { type: 'integer', title: 'Qty' },
      },
    },
  },
};

describe('the field picker', () => {
  it('offers fields, lookups with their fields and line items with theirs, in the template syntax', () => {
    const groups = pickerGroups(meta, 'quote', 'en');
    expect(groups.map((g) => [g.kind, g.title])).toEqual([
      ['fields', 'Quote'],
      ['lookup', 'Account'],
      ['lines', 'Lines'],
    ]);
    expect(groups[0]?.items.map((i) => i.insert)).toEqual([
      '{{number}}',
      '{{account}}',
      '{{date due_on}}',
      '{{number total 2}}',
    ]);
    expect(groups[1]?.items.map((i) => i.insert)).toEqual(['{{account.name}}', '{{account.city}}']);
    expect(groups[2]?.items).toEqual([
      { label: 'Lines', insert: '{{#each lines}}\n\n{{/each}}' },
      { label: 'Product', insert: '{{product}}' },
      { label: 'Product · Name', insert: '{{product.name}}' },
      { label: 'Qty', insert: '{{qty}}' },
    ]);
    expect(pickerGroups(meta, 'quote', 'zh-CN')[1]?.title).toBe('Account (客户)');
  });

  it('inserts at the caret, replacing the selection', () => {
    expect(insertAt('<p></p>', 3, 3, '{{name}}')).toEqual({ value: '<p>{{name}}</p>', caret: 11 });
    expect(insertAt('<p>x</p>', 3, 4, '{{a}}')).toEqual({ value: '<p>{{a}}</p>', caret: 8 });
    expect(insertAt('', 0, 0, '{{#each lines}}\n\n{{/each}}').caret).toBe(16);
  });
});
