import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../../meta/meta-types';
import {
  type SegmentDefinition,
  definitionOf,
  draftOf,
  filterOf,
  localProblems,
  lookupsOf,
  newDraft,
} from './segment-model';

const region = {
  type: 'object',
  properties: { name: { type: 'string', title: 'Name' } },
} as ObjectSchema;
const account = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name' },
    city: { type: 'string', title: 'City' },
    sale_total: { type: 'number', title: 'Sales' },
    last_sale_on: { type: 'string', format: 'date', title: 'Last sale' },
    region: { type: 'string', format: 'uuid', 'x-ref': 'region', title: 'Region' },
  },
} as ObjectSchema;
const lookups = lookupsOf({ account, region });

describe('segment model', () => {
  it('reads a stored segment into the builder, lookup paths included, and writes it back unchanged', () => {
    const stored: SegmentDefinition = {
      label: 'Big in the North',
      object: 'account',
      filter: { and: [{ sale_total: { gte: 150 } }, { 'region.name': { eq: 'North' } }] },
      refresh: { mode: 'schedule', every: 'P1D' },
      roles: ['sales_manager'],
      'x-i18n': { 'zh-CN': { label: '北区大客户', description: '说明' } },
    };
    const draft = draftOf(stored, account, lookups);
    expect(draft).toMatchObject({ raw: null, labelZh: '北区大客户', mode: 'schedule', every: 'P1D' });
    const built = filterOf(draft, account, lookups);
    expect(built.problems).toEqual([]);
    expect(definitionOf(draft, stored, built.filter ?? {})).toEqual(stored);
  });

  it('keeps date tokens the builder cannot show as JSON, and says when that JSON does not parse', () => {
    const stored: SegmentDefinition = {
      label: 'Lapsed',
      object: 'account',
      filter: { last_sale_on: { lt: '$today-P90D' } },
    };
    const draft = draftOf(stored, account, lookups);
    expect(draft.raw).toContain('$today-P90D');
    expect(definitionOf(draft, stored, filterOf(draft, account, lookups).filter ?? {})).toEqual(stored);
    const broken = { ...draft, raw: '{"last_sale_on": ' };
    expect(filterOf(broken, account, lookups)).toMatchObject({ filter: undefined, rawInvalid: true });
    expect(localProblems(broken, true)).toEqual({ '/filter': 'json' });
  });

  it('starts a new segment with every record, and asks for what is missing', () => {
    const draft = newDraft('account', '');
    expect(filterOf(draft, account, lookups).filter).toEqual({});
    expect(localProblems({ ...draft, mode: 'schedule', every: ' ' }, false)).toEqual({
      '/label': 'required',
      '/refresh/every': 'required',
    });
    // Manual and absent are the same: a new manual segment stores no refresh, a Chinese label only when given.
    expect(definitionOf({ ...draft, label: 'All' }, undefined, {})).toEqual({
      label: 'All',
      object: 'account',
      filter: {},
    });
  });
});
