import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { type ConditionGroup, fromFilter, toFilter, updateAt, withOperator } from './condition-model';

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
});
