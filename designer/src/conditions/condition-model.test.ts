import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import {
  type ConditionGroup,
  type ConditionLookups,
  fieldAtPath,
  fieldChoices,
  fromFilter,
  newRow,
  openLookup,
  pathLabel,
  toFilter,
  updateAt,
  withOperator,
} from './condition-model';

const deal: ObjectSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 200 },
    stage: { type: 'string', enum: ['new', 'won', 'lost'] },
    amount: { type: 'number' },
    vip: { type: 'boolean' },
  },
} as ObjectSchema;

describe('condition model', () => {
  it('writes AND/OR groups as the records filter language, typed per field', () => {
    const g: ConditionGroup = {
      kind: 'group',
      join: 'and',
      items: [
        { kind: 'row', field: 'stage', op: 'in', value: ['won', 'lost'] },
        {
          kind: 'group',
          join: 'or',
          items: [
            { kind: 'row', field: 'amount', op: 'gt', value: '1000' },
            { kind: 'row', field: 'name', op: 'contains', value: 'vip' },
            { kind: 'row', field: 'vip', op: 'isNull', value: 'true' },
          ],
        },
      ],
    };
    const { filter, problems } = toFilter(g, deal);
    expect(problems).toEqual([]);
    expect(filter).toEqual({
      and: [
        { stage: { in: ['won', 'lost'] } },
        { or: [{ amount: { gt: 1000 } }, { name: { contains: 'vip' } }, { vip: { isNull: true } }] },
      ],
    });
    expect(fromFilter(filter, deal)).toEqual(g);
  });

  it('reports rows it cannot send, by position', () => {
    const g: ConditionGroup = {
      kind: 'group',
      join: 'and',
      items: [
        { kind: 'row', field: 'amount', op: 'gt', value: 'lots' },
        { kind: 'row', field: 'stage', op: 'eq', value: '' },
        { kind: 'row', field: 'ghost', op: 'eq', value: 'x' },
        { kind: 'row', field: 'vip', op: 'gt', value: 'true' },
      ],
    };
    expect(toFilter(g, deal)).toEqual({
      filter: undefined,
      problems: [
        { at: [0], code: 'notANumber' },
        { at: [1], code: 'needsValue' },
        { at: [2], code: 'unknownField' },
        { at: [3], code: 'badOperator' },
      ],
    });
  });

  it('reads one condition, and gives up (advanced tab) on what it cannot show', () => {
    expect(fromFilter({ stage: { eq: 'won' } }, deal)).toEqual({
      kind: 'group',
      join: 'and',
      items: [{ kind: 'row', field: 'stage', op: 'eq', value: 'won' }],
    });
    expect(fromFilter({ 'account.name': { eq: 'x' } }, deal)).toBeNull();
    expect(fromFilter({ stage: 'won' }, deal)).toBeNull();
  });

  it('edits rows in nested groups and switches operators between single values and lists', () => {
    const g: ConditionGroup = {
      kind: 'group',
      join: 'and',
      items: [{ kind: 'group', join: 'or', items: [{ kind: 'row', field: 'stage', op: 'eq', value: 'won' }] }],
    };
    const row = withOperator({ kind: 'row', field: 'stage', op: 'eq', value: 'won' }, 'in');
    expect(row.value).toEqual(['won']);
    expect(updateAt(g, [0, 0], row).items[0]).toMatchObject({ items: [{ op: 'in', value: ['won'] }] });
    expect(updateAt(g, [0, 0], null).items[0]).toMatchObject({ items: [] });
  });

  describe('through lookups (reports)', () => {
    const objects: Record<string, ObjectSchema> = {
      line: {
        type: 'object',
        title: 'Order line',
        properties: {
          qty: { type: 'integer', title: 'Quantity' },
          product: { type: 'string', format: 'uuid', 'x-ref': 'product', title: 'Product' },
          order: { type: 'string', format: 'uuid', 'x-ref': 'order', title: 'Order' },
        },
      } as ObjectSchema,
      product: {
        type: 'object',
        title: 'Product',
        'x-label-field': 'title',
        properties: {
          category: {
            type: 'string',
            title: 'Category',
            enum: ['hw', 'sw'],
            'x-i18n': { 'zh-CN': { title: '类别', enum: { hw: '硬件', sw: '软件' } } },
          },
          title: { type: 'string', title: 'Title' },
          secret: { type: 'string', title: 'Secret', 'x-access': 'none' },
          maker: { type: 'string', format: 'uuid', 'x-ref': 'maker', title: 'Maker' },
        },
      } as ObjectSchema,
      order: {
        type: 'object',
        title: 'Order',
        properties: {
          placed_on: { type: 'string', format: 'date', title: 'Placed on' },
          owner_user: { type: 'string', format: 'uuid', 'x-ref': 'user', title: 'Sales rep' },
          account: { type: 'string', format: 'uuid', 'x-ref': 'account', title: 'Account' },
        },
      } as ObjectSchema,
      account: {
        type: 'object',
        title: 'Account',
        properties: {
          city: { type: 'string', title: 'City', 'x-i18n': { 'zh-CN': { title: '城市' } } },
          region: { type: 'string', format: 'uuid', 'x-ref': 'region', title: 'Region' },
        },
      } as ObjectSchema,
      region: { type: 'object', title: 'Region', properties: { name: { type: 'string', title: 'Name' } } },
      maker: { type: 'object', title: 'Maker', properties: { name: { type: 'string', title: 'Name' } } },
    };
    const line = objects.line as ObjectSchema;
    const lookups: ConditionLookups = { objects, hops: 3 };

    it('resolves a path to its target field, up to the hops, never to a hidden field', () => {
      expect(fieldAtPath(line, 'product.category', lookups)).toMatchObject({ enum: ['hw', 'sw'] });
      expect(fieldAtPath(line, 'order.owner_user.name', lookups)).toMatchObject({ type: 'string' });
      expect(fieldAtPath(line, 'order.account.region.name', lookups)).toMatchObject({ title: 'Name' });
      // Four lookups is one too many; no lookups at all without `lookups`.
      expect(fieldAtPath(line, 'order.account.region.name', { objects, hops: 2 })).toBeUndefined();
      expect(fieldAtPath(line, 'product.category')).toBeUndefined();
      expect(fieldAtPath(line, 'product.secret', lookups)).toBeUndefined();
      expect(fieldAtPath(line, 'qty.nope', lookups)).toBeUndefined();
      expect(fieldAtPath(line, 'product.ghost', lookups)).toBeUndefined();
    });

    it('labels paths as people read them, in their language', () => {
      expect(pathLabel(line, 'order.account.city', 'en', lookups)).toBe('Order › Account › City');
      expect(pathLabel(line, 'order.account.city', 'zh-CN', lookups)).toBe('Order › Account › 城市');
    });

    it('offers own fields, lookups to open and the fields of the lookups a path goes through', () => {
      const top = fieldChoices(line, 'qty', 'en', lookups);
      expect(top).toEqual([
        {
          label: '',
          choices: [
            { value: 'qty', label: 'Quantity' },
            { value: 'product', label: 'Product' },
            { value: 'order', label: 'Order' },
            { value: 'product', label: 'Product ›', expand: true },
            { value: 'order', label: 'Order ›', expand: true },
          ],
        },
      ]);
      const deep = fieldChoices(line, 'order.account.city', 'en', lookups);
      expect(deep.map((g) => g.label)).toEqual(['', 'Order', 'Order › Account']);
      expect(deep[1]?.choices).toEqual([
        { value: 'order.placed_on', label: 'Order › Placed on' },
        { value: 'order.owner_user', label: 'Order › Sales rep ›', expand: true },
        { value: 'order.account', label: 'Order › Account ›', expand: true },
      ]);
      // The third lookup is the last one: its target's lookups are not offered to open.
      const third = fieldChoices(line, 'order.account.region.name', 'en', lookups);
      expect(third[3]).toEqual({
        label: 'Order › Account › Region',
        choices: [{ value: 'order.account.region.name', label: 'Order › Account › Region › Name' }],
      });
      // Hidden fields are not offered through a lookup.
      const product = fieldChoices(line, 'product.title', 'en', lookups)[1]?.choices.map((c) => c.value);
      expect(product).not.toContain('product.secret');
      // Without lookups: the object's own fields only, as before.
      expect(fieldChoices(line, 'qty', 'en')).toEqual([
        {
          label: '',
          choices: [
            { value: 'qty', label: 'Quantity' },
            { value: 'product', label: 'Product' },
            { value: 'order', label: 'Order' },
          ],
        },
      ]);
    });

    it('opens a lookup on its naming field, with operators of the target field', () => {
      expect(openLookup(line, 'product', lookups)).toBe('product.title');
      expect(openLookup(line, 'order', lookups)).toBe('order.placed_on');
      expect(openLookup(line, 'order.owner_user', lookups)).toBe('order.owner_user.name');
      expect(newRow(line, 'product.category', lookups)).toEqual({
        kind: 'row',
        field: 'product.category',
        op: 'eq',
        value: '',
      });
    });

    it('writes and reads filters through lookups, typed by the target field', () => {
      const g: ConditionGroup = {
        kind: 'group',
        join: 'and',
        items: [
          { kind: 'row', field: 'product.category', op: 'in', value: ['hw'] },
          { kind: 'row', field: 'order.placed_on', op: 'gte', value: '2026-01-01' },
          { kind: 'row', field: 'order.account.region.name', op: 'eq', value: 'North' },
        ],
      };
      const { filter, problems } = toFilter(g, line, lookups);
      expect(problems).toEqual([]);
      expect(filter).toEqual({
        and: [
          { 'product.category': { in: ['hw'] } },
          { 'order.placed_on': { gte: '2026-01-01' } },
          { 'order.account.region.name': { eq: 'North' } },
        ],
      });
      expect(fromFilter(filter, line, lookups)).toEqual(g);
      // A path the builder cannot reach stays unread (kept as stored); without lookups too.
      expect(fromFilter({ 'product.secret': { eq: 'x' } }, line, lookups)).toBeNull();
      expect(fromFilter({ 'product.category': { eq: 'hw' } }, line)).toBeNull();
      // A number through a lookup must be a number.
      const bad = toFilter(
        { kind: 'group', join: 'and', items: [{ kind: 'row', field: 'qty', op: 'gt', value: 'many' }] },
        line,
        lookups,
      );
      expect(bad.problems).toEqual([{ at: [0], code: 'notANumber' }]);
      const unknown = toFilter(
        { kind: 'group', join: 'and', items: [{ kind: 'row', field: 'product.ghost', op: 'eq', value: 'x' }] },
        line,
        lookups,
      );
      expect(unknown.problems).toEqual([{ at: [0], code: 'unknownField' }]);
    });
  });
});
