import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../../meta/meta-types';
import { lookupFilterOf, rulesWithoutField, withLookupFilter, withRules } from './form-logic-model';

const contact: ObjectSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, account: { type: 'string', format: 'uuid', 'x-ref': 'account' } },
};
const deal: ObjectSchema = {
  type: 'object',
  properties: {
    stage: { type: 'string', enum: ['new', 'lost'] },
    lost_reason: { type: 'string' },
    note: { type: 'string' },
    account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
    contact: { type: 'string', format: 'uuid', 'x-ref': 'contact' },
  },
};

describe('form logic draft operations', () => {
  it('adds and removes the rules keyword', () => {
    const rule = { fields: ['lost_reason'], effect: 'show' as const, when: { stage: { eq: 'lost' } } };
    expect(withRules(deal, [rule])['x-form-rules']).toEqual([rule]);
    expect('x-form-rules' in withRules(withRules(deal, [rule]), [])).toBe(false);
  });

  it('drops a removed field from rules, and rules left without a field', () => {
    const o = withRules(deal, [
      { fields: ['lost_reason', 'note'], effect: 'hide', when: { stage: { eq: 'new' } } },
      { fields: ['lost_reason'], effect: 'require', when: { stage: { eq: 'lost' } } },
    ]);
    expect(rulesWithoutField(o, 'lost_reason')['x-form-rules']).toEqual([
      { fields: ['note'], effect: 'hide', when: { stage: { eq: 'new' } } },
    ]);
  });

  it("sets a lookup filter, picking this record's only matching lookup, and clears it", () => {
    const o = withLookupFilter(deal, 'contact', 'account', undefined, contact);
    expect(o.properties?.contact?.['x-lookup-filter']).toEqual({ account: '$record.account' });
    expect(lookupFilterOf(o.properties?.contact ?? {})).toEqual({ target: 'account', source: 'account' });
    expect(
      withLookupFilter(o, 'contact', undefined, undefined).properties?.contact?.['x-lookup-filter'],
    ).toBeUndefined();
  });
});
