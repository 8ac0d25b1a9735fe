import { describe, expect, it } from 'vitest';
import { formatLockedNumber } from './number-widgets';

describe('formatLockedNumber', () => {
  it('groups digits, shows cents for money, keeps empty values empty', () => {
    expect(formatLockedNumber(174800, 'en', true)).toBe('174,800.00');
    expect(formatLockedNumber(12.5, 'en', false)).toBe('12.5');
    expect(formatLockedNumber(undefined, 'en', true)).toBe('');
    expect(formatLockedNumber(null, 'en', true)).toBe('');
    expect(formatLockedNumber('abc', 'en', true)).toBe('abc');
  });
});
