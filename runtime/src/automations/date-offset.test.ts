import { describe, expect, it } from 'vitest';
import type { ObjectModel } from '../model/load-model';
import { dateOffsetFilter, dateOffsetProblem } from './date-offset';

const object = (fields: Record<string, { kind: string; resultKind: string }>) =>
  ({ name: 'account', fields: new Map(Object.entries(fields)) }) as unknown as ObjectModel;

describe('schedule date offsets', () => {
  const account = object({
    due_on: { kind: 'date', resultKind: 'date' },
    last_activity_on: { kind: 'rollup', resultKind: 'date' },
    last_seen_at: { kind: 'rollup', resultKind: 'datetime' },
    visits: { kind: 'rollup', resultKind: 'integer' },
    name: { kind: 'text', resultKind: 'text' },
  });

  it('accepts date fields and roll-ups or formulas whose value is a date', () => {
    expect(dateOffsetProblem(account, 'due_on')).toBeUndefined();
    expect(dateOffsetProblem(account, 'last_activity_on')).toBeUndefined();
    expect(dateOffsetProblem(account, 'last_seen_at')).toBeUndefined();
    expect(dateOffsetFilter(account, { field: 'last_activity_on', days: -90 })).toEqual({
      last_activity_on: { eq: '$today-P90D' },
    });
    expect(dateOffsetFilter(account, { field: 'last_seen_at', days: 0 })).toEqual({
      and: [{ last_seen_at: { gte: '$today' } }, { last_seen_at: { lt: '$today+P1D' } }],
    });
  });

  it('refuses other fields, numeric roll-ups included', () => {
    expect(dateOffsetProblem(account, 'visits')).toBe('field "visits" is not a date');
    expect(dateOffsetProblem(account, 'name')).toBe('field "name" is not a date');
    expect(dateOffsetProblem(account, 'ghost')).toBe('unknown field "ghost" of account');
  });
});
