import { describe, expect, it } from 'vitest';
import { childLookups, newField, settingsFor, withRollup } from './field-catalog';

describe('roll-up fields in the designer', () => {
  it('start as a count and take the type the server requires for each aggregate', () => {
    const f = newField('rollup', 'Open pipeline');
    expect(settingsFor(f).rollup).toBe(true);
    expect(settingsFor(f).requirable).toBe(false);
    const base = { object: 'deal', via: 'account' };
    expect(withRollup(f, { ...base, op: 'count', field: 'amount' }, undefined)).toEqual({
      title: 'Open pipeline',
      type: 'integer',
      'x-rollup': { object: 'deal', via: 'account', op: 'count' },
    });
    const amount = { type: 'number', 'x-kind': 'currency' };
    expect(withRollup(f, { ...base, op: 'sum', field: 'amount', filter: { stage: { ne: 'lost' } } }, amount)).toEqual({
      title: 'Open pipeline',
      type: 'number',
      'x-rollup': { object: 'deal', via: 'account', op: 'sum', field: 'amount', filter: { stage: { ne: 'lost' } } },
    });
    const closeOn = { type: 'string', format: 'date' };
    expect(withRollup(f, { ...base, op: 'max', field: 'close_on' }, closeOn)).toMatchObject({
      type: 'string',
      format: 'date',
    });
    expect(withRollup(f, { ...base, op: 'count_distinct', field: 'stage' }, undefined).type).toBe('integer');
    // An empty filter is not stored.
    expect(withRollup(f, { ...base, op: 'count', filter: {} }, undefined)['x-rollup']).toEqual({
      object: 'deal',
      via: 'account',
      op: 'count',
    });
  });

  it('offer the objects that look up this one, through each such lookup', () => {
    const objects = {
      deal: { properties: { account: { 'x-ref': 'account' }, partner: { 'x-ref': 'account' }, name: {} } },
      contact: { properties: { account: { 'x-ref': 'account' } } },
      product: { properties: { name: {} } },
      gone: null,
    };
    expect(childLookups(objects, 'account')).toEqual([
      { object: 'contact', via: ['account'] },
      { object: 'deal', via: ['account', 'partner'] },
    ]);
  });
});
