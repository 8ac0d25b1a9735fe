import { describe, expect, it } from 'vitest';
import { PERSON_TOKEN, resolveTokens, timeTokenProblem } from './resolve-tokens';

describe('resolveTokens', () => {
  const now = new Date('2026-03-02T09:30:00Z');

  it('replaces $now and $today anywhere in a value, and nothing else', () => {
    expect(resolveTokens({ a: '$now', b: { lte: '$today' }, c: ['$today', 'x', 1, null], d: '$nowish' }, now)).toEqual({
      a: '2026-03-02T09:30:00.000Z',
      b: { lte: '2026-03-02' },
      c: ['2026-03-02', 'x', 1, null],
      d: '$nowish',
    });
  });

  it('shifts by ISO-8601 durations, in calendar terms', () => {
    expect(resolveTokens('$now-PT4H', now)).toBe('2026-03-02T05:30:00.000Z');
    expect(resolveTokens('$today+P3D', now)).toBe('2026-03-05');
    expect(resolveTokens('$today-P1M', now)).toBe('2026-02-02');
    expect(timeTokenProblem('$now-PT4H')).toBeUndefined();
    expect(timeTokenProblem('$now-4 hours')).toMatch(/ISO-8601/);
    expect(timeTokenProblem('$today+P')).toMatch(/ISO-8601/);
    expect(timeTokenProblem('plain text')).toBeUndefined();
  });

  it('knows the person tokens', () => {
    expect(PERSON_TOKEN.test('$owner')).toBe(true);
    expect(PERSON_TOKEN.test('$managerOf:escalated_to')).toBe(true);
    expect(PERSON_TOKEN.test('$managerOf:Bad Name')).toBe(false);
  });
});
