import { describe, expect, it } from 'vitest';
import { autonumberScope, formatAutonumber, parseAutonumber } from './autonumber-format';

describe('autonumber patterns', () => {
  it('formats date parts and a zero-padded counter', () => {
    const p = parseAutonumber('Q-{YYYY}-{MM}-{0000}');
    if (!p.ok) throw new Error(p.error);
    const at = new Date('2026-03-05T12:00:00Z');
    expect(formatAutonumber(p.format, 7, at)).toBe('Q-2026-03-0007');
    expect(formatAutonumber(p.format, 123456, at)).toBe('Q-2026-03-123456');
    expect(autonumberScope(p.format, at)).toBe('2026-03');
  });

  it('never resets a pattern without date parts', () => {
    const p = parseAutonumber('INV{000000}');
    if (!p.ok) throw new Error(p.error);
    expect(autonumberScope(p.format, new Date())).toBe('');
  });

  it.each([
    ['no counter', 'Q-{YYYY}'],
    ['two counters', '{00}-{000}'],
    ['unknown token', 'Q-{HH}-{00}'],
    ['unbalanced', 'Q-{YYYY-{00}'],
  ])('refuses a pattern with %s', (_label, pattern) => {
    expect(parseAutonumber(pattern).ok).toBe(false);
  });
});
