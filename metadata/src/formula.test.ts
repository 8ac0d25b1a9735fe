import { describe, expect, it } from 'vitest';
import { parseFormula } from './formula';

describe('parseFormula', () => {
  it('finds the fields an expression reads', () => {
    const r = parseFormula("record.amount * (1 - (record.discount || 0) / 100) + record['fee']");
    expect(r).toMatchObject({ ok: true, reads: expect.arrayContaining(['amount', 'discount', 'fee']) });
  });

  it('ignores other objects and computed keys it cannot resolve', () => {
    const r = parseFormula('Math.round(other.amount) + record[key]');
    expect(r).toMatchObject({ ok: true, reads: [] });
  });

  it('says which fields can show through the value, old values included', () => {
    expect(parseFormula('record.amount - (old.amount || 0)')).toMatchObject({ reveals: ['amount'] });
    expect(parseFormula("record.a + old['b']")).toMatchObject({ reads: ['a'], reveals: ['a', 'b'] });
  });

  it.each([
    'record[key]',
    'JSON.stringify(record)',
    'Object.values(old).join()',
    'arguments[0].secret',
    '((r) => r.secret)(record)',
    '[record].map((x) => x.secret)',
  ])('%j can reach any field: it reveals them all', (expr) => {
    expect(parseFormula(expr)).toMatchObject({ ok: true, reveals: 'all' });
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
