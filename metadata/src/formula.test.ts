import { describe, expect, it } from 'vitest';
import { parseFormula } from './formula';

describe('parseFormula', () => {
  it('finds the fields an expression reads', () => {
    const r = parseFormula("record.amount * (1 - (record.discount || 0) / 100) + record['fee']");
    expect(r).toEqual({ ok: true, reads: expect.arrayContaining(['amount', 'discount', 'fee']) });
  });

  it('ignores other objects and computed keys it cannot resolve', () => {
    const r = parseFormula('Math.round(other.amount) + record[key]');
    expect(r).toEqual({ ok: true, reads: [] });
  });

  it.each(['record.a +', 'record.a; record.b', '}', 'record.a )'])('refuses %j', (expr) => {
    const r = parseFormula(expr);
    expect(r.ok).toBe(false);
  });

  it('never evaluates the expression', () => {
    const before = (globalThis as { pwned?: boolean }).pwned;
    parseFormula('(globalThis.pwned = true)');
    expect((globalThis as { pwned?: boolean }).pwned).toBe(before);
  });
});
