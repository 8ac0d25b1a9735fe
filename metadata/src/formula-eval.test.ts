import { describe, expect, it } from 'vitest';
import { DATE_FUNCTION_CASES, daysSince, today } from './formula-dates';
import { compileDeclarativeFormula } from './formula-eval';

const LINE_AMOUNT = '(record.quantity || 0) * (record.unit_price || 0) * (1 - (record.discount || 0) / 100)';

describe('compileDeclarativeFormula', () => {
  it("computes core-crm's line amount and quote total as JavaScript would", () => {
    const amount = compileDeclarativeFormula(LINE_AMOUNT)!;
    expect(amount({ quantity: 3, unit_price: 80, discount: 10 })).toBe(216);
    expect(amount({ quantity: 2 })).toBe(0);
    const total = compileDeclarativeFormula(
      '((record.subtotal || 0) * (1 - (record.discount || 0) / 100)) * (1 + (record.tax_rate || 0) / 100)',
    )!;
    expect(total({ subtotal: 100, discount: 10, tax_rate: 13 })).toBeCloseTo(101.7);
    const all = { a: 5, b: null, s: 'x' };
    // new Function gives the reference semantics the evaluator must match.
    for (const expr of [
      'record.a > 3 ? record.a % 3 : -record.a',
      'record.b ?? 7',
      'record.a && !record.b',
      "record.s + '-' + record.a",
      'Math.round(record.a * 1.25) + Math.max(1, 2)',
      "record['a'] === 5",
    ])
      expect(compileDeclarativeFormula(expr)!(all)).toEqual(new Function('record', `return (${expr})`)(all));
  });

  it('answers undefined for anything but the allow-list, so nothing runs in the browser', () => {
    for (const expr of [
      'fetch("/x")',
      'record.constructor.constructor("alert(1)")()',
      '(() => 1)()',
      'old.amount',
      'record.a = 1',
      'Math.random()',
      'record[k]',
      `\`${'record.a'}\``.replace("'record.a'", 'record.a'),
      'record.a; record.b',
      'this',
      'record?.a',
      '',
    ])
      expect(compileDeclarativeFormula(expr), expr).toBeUndefined();
  });

  it('reads only own fields of the record, never its prototype', () => {
    expect(compileDeclarativeFormula('record.toString')!({})).toBeUndefined();
  });

  it.each(DATE_FUNCTION_CASES)('date functions: %s on %j gives %j', (expression, record, expected) => {
    const fn = compileDeclarativeFormula(expression);
    expect(fn, expression).toBeDefined();
    expect(fn!(record)).toEqual(expected);
  });

  it('date functions take their own number of arguments, and are the only bare calls', () => {
    for (const e of ['today(1)', 'days_since()', 'days_between(record.a)', 'fetch(record.a)', 'Date.now()'])
      expect(compileDeclarativeFormula(e), e).toBeUndefined();
    const now = new Date('2026-12-07T23:59:00Z');
    expect(today(now)).toBe('2026-12-07');
    expect(daysSince('2026-11-30', now)).toBe(7);
  });
});
