import { describe, expect, it } from 'vitest';
import { resolveTokens } from './resolve-tokens';

describe('resolveTokens', () => {
  it('replaces $now and $today anywhere in a value, and nothing else', () => {
    const now = new Date('2026-03-02T09:30:00Z');
    expect(resolveTokens({ a: '$now', b: { lte: '$today' }, c: ['$today', 'x', 1, null], d: '$nowish' }, now)).toEqual({
      a: '2026-03-02T09:30:00.000Z',
      b: { lte: '2026-03-02' },
      c: ['2026-03-02', 'x', 1, null],
      d: '$nowish',
    });
  });
});
