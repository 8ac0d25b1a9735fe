import { describe, expect, it } from 'vitest';
import { formatValue } from './format-value';

describe('formatValue', () => {
  it('formats by field kind', () => {
    expect(formatValue({ type: 'number', 'x-kind': 'currency' }, 1234.5, 'en')).toBe('1,234.50');
    expect(formatValue({ type: 'number', 'x-kind': 'percent' }, 12.5, 'en')).toBe('12.5%');
    expect(formatValue({ type: 'string', format: 'date' }, '2026-03-01', 'en')).toBe('Mar 1, 2026');
    expect(formatValue({ type: 'boolean' }, true, 'en', { yes: 'Yes' })).toBe('Yes');
    expect(
      formatValue({ type: 'string', enum: ['won'], 'x-i18n': { 'zh-CN': { enum: { won: '赢单' } } } }, 'won', 'zh-CN'),
    ).toBe('赢单');
    expect(formatValue({ type: 'string', enum: ['won'], 'x-enum-labels': { won: 'Closed won' } }, 'won', 'en')).toBe(
      'Closed won',
    );
  });

  it('names expanded lookups by the target label field', () => {
    const f = { type: 'string', format: 'uuid', 'x-ref': 'account' };
    expect(formatValue(f, { id: 'a1', title: 'Acme' }, 'en', { labelField: 'title' })).toBe('Acme');
    expect(formatValue(f, 'a1', 'en')).toBe('a1');
  });

  it('shows empty for missing values and survives garbage', () => {
    expect(formatValue({ type: 'number' }, null, 'en')).toBe('');
    expect(formatValue({ type: 'number' }, 'abc', 'en')).toBe('abc');
    expect(formatValue({ type: 'string', format: 'date' }, 'not a date', 'en')).toBe('not a date');
    expect(formatValue(undefined, { a: 1 }, 'en')).toBe('{"a":1}');
  });
});
