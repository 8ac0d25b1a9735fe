import { describe, expect, it } from 'vitest';
import { nameFromLabel, nameProblem } from './identifier';

describe('identifiers', () => {
  it('checks names as the server does', () => {
    expect(nameProblem('deal', 'object', [])).toBeNull();
    expect(nameProblem('', 'object', [])).toBe('empty');
    expect(nameProblem('Deal', 'object', [])).toBe('pattern');
    expect(nameProblem('1deal', 'object', [])).toBe('pattern');
    expect(nameProblem('deal; drop table x', 'object', [])).toBe('pattern');
    expect(nameProblem(`a${'b'.repeat(63)}`, 'field', [])).toBe('pattern');
    expect(nameProblem('users', 'object', [])).toBe('reserved');
    expect(nameProblem('owner', 'field', [])).toBe('reserved');
    expect(nameProblem('owner', 'object', [])).toBeNull();
    expect(nameProblem('deal', 'object', ['account', 'deal'])).toBe('taken');
  });

  it('suggests names from labels', () => {
    expect(nameFromLabel('Close date', 'f')).toBe('close_date');
    expect(nameFromLabel('  Café № 1 ', 'f')).toBe('cafe_no_1');
    expect(nameFromLabel('2nd phone', 'f')).toBe('nd_phone');
    expect(nameFromLabel('金额', 'field_3')).toBe('field_3');
  });
});
