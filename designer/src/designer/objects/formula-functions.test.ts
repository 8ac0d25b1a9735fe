import { describe, expect, it } from 'vitest';
import { FORMULA_FUNCTIONS, insertFunction } from './formula-functions';

const fn = (id: string) => {
  const f = FORMULA_FUNCTIONS.find((x) => x.id === id);
  if (!f) throw new Error(id);
  return f;
};

describe('formula function list', () => {
  it('inserts at the cursor with the cursor inside the parentheses', () => {
    expect(insertFunction('record.a * ', 11, 11, fn('round'))).toEqual({ text: 'record.a * Math.round()', caret: 22 });
    expect(insertFunction('', 0, 0, fn('days_since'))).toEqual({ text: 'days_since()', caret: 11 });
    expect(insertFunction('', 0, 0, fn('today'))).toEqual({ text: 'today()', caret: 7 });
  });

  it('wraps a selection in a call, replaces it with an operator', () => {
    expect(insertFunction('record.amount * 2', 0, 13, fn('abs'))).toEqual({
      text: 'Math.abs(record.amount) * 2',
      caret: 23,
    });
    expect(insertFunction('record.a record.b', 8, 9, fn('add'))).toEqual({ text: 'record.a + record.b', caret: 11 });
  });

  it('lists only what the declarative formulas accept', () => {
    const shown = FORMULA_FUNCTIONS.map((f) => f.shown);
    expect(shown).toEqual(expect.arrayContaining(['Math.round(x)', 'today()', 'days_between(a, b)', '+', 'a ? b : c']));
    expect(new Set(FORMULA_FUNCTIONS.map((f) => f.id)).size).toBe(FORMULA_FUNCTIONS.length);
  });
});
