import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { andFilters, toApiFilter } from './filter-model';

const deal: ObjectSchema = {
  properties: {
    name: { type: 'string' },
    amount: { type: 'number', 'x-kind': 'currency' },
    stage: { type: 'string', enum: ['new', 'won'] },
    active: { type: 'boolean' },
    notes: { type: 'string', 'x-kind': 'textarea' },
  },
};

describe('toApiFilter', () => {
  it('turns rows into the API language with typed values', () => {
    const { filter, problems } = toApiFilter(
      [
        { field: 'stage', op: 'eq', value: 'won' },
        { field: 'amount', op: 'gte', value: ' 1000.5 ' },
        { field: 'active', op: 'eq', value: 'yes' },
      ],
      deal,
    );
    expect(problems).toEqual([]);
    expect(filter).toEqual({ stage: { eq: 'won' }, amount: { gte: 1000.5 }, active: { eq: true } });
  });

  it('splits lists for in/nin and converts each item', () => {
    expect(toApiFilter([{ field: 'amount', op: 'in', value: '1, 2,,3' }], deal).filter).toEqual({
      amount: { in: [1, 2, 3] },
    });
  });

  it('matches picklist options by what the user sees: labels in any language or case map to values', () => {
    const account: ObjectSchema = {
      properties: {
        industry: {
          type: 'string',
          enum: ['retail', 'manufacturing'],
          'x-enum-labels': { retail: 'Retail', manufacturing: 'Manufacturing' },
          'x-i18n': { 'zh-CN': { enum: { retail: '零售', manufacturing: '制造' } } },
        },
      },
    };
    expect(toApiFilter([{ field: 'industry', op: 'in', value: 'Retail,制造' }], account).filter).toEqual({
      industry: { in: ['retail', 'manufacturing'] },
    });
    expect(toApiFilter([{ field: 'industry', op: 'eq', value: 'RETAIL' }], account).filter).toEqual({
      industry: { eq: 'retail' },
    });
  });

  it('keeps two conditions on one field apart with and', () => {
    const { filter } = toApiFilter(
      [
        { field: 'amount', op: 'gte', value: '10' },
        { field: 'amount', op: 'lt', value: '20' },
      ],
      deal,
    );
    expect(filter).toEqual({ and: [{ amount: { gte: 10 } }, { amount: { lt: 20 } }] });
  });

  it('reports problems per row instead of sending them', () => {
    const { filter, problems } = toApiFilter(
      [
        { field: 'name; drop table deal', op: 'eq', value: 'x' },
        { field: 'notes', op: 'eq', value: 'x' },
        { field: 'name', op: 'eq', value: '   ' },
        { field: 'amount', op: 'gt', value: 'lots' },
        { field: 'active', op: 'eq', value: 'maybe' },
        { field: 'name', op: 'contains', value: 'o\'brien" or 1=1' },
      ],
      deal,
    );
    expect(problems.map((p) => [p.index, p.message])).toEqual([
      [0, 'unknownField'],
      [1, 'badOperator'],
      [2, 'needsValue'],
      [3, 'notANumber'],
      [4, 'notABoolean'],
    ]);
    // Text is data, never syntax: it travels as a JSON string value.
    expect(filter).toEqual({ name: { contains: 'o\'brien" or 1=1' } });
  });

  it('isNull needs no value; nothing at all gives no filter', () => {
    expect(toApiFilter([{ field: 'name', op: 'isNull', value: '' }], deal).filter).toEqual({ name: { isNull: true } });
    expect(toApiFilter([], deal).filter).toBeUndefined();
  });
});

describe('andFilters', () => {
  it('combines only what is present', () => {
    expect(andFilters(undefined, {})).toBeUndefined();
    expect(andFilters({ a: { eq: 1 } }, undefined)).toEqual({ a: { eq: 1 } });
    expect(andFilters({ a: { eq: 1 } }, { b: { eq: 2 } })).toEqual({ and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] });
  });
});
