import { describe, expect, it } from 'vitest';
import { DeriveError, applyDerived, compileDerived, compileReportDerived } from './report-derive';

const cols = new Set(['deals', 'revenue', 'cost']);

describe('derived report columns', () => {
  it('computes arithmetic, neighbours and totals per row', () => {
    const rows = [
      { deals: 10, revenue: 300, cost: 100 },
      { deals: 5, revenue: 0, cost: 0 },
      { deals: 2, revenue: '50', cost: null },
    ];
    applyDerived(rows, [
      { as: 'reached', fn: compileDerived('remaining(deals)', cols) },
      {
        as: 'conversion',
        fn: compileDerived('round(reached / prev(reached) * 100, 1)', new Set([...cols, 'reached'])),
      },
      { as: 'roi', fn: compileDerived('(revenue - cost) / cost * 100', cols) },
      { as: 'share', fn: compileDerived('deals / total(deals)', cols) },
      { as: 'neg', fn: compileDerived('-abs(first(deals)) + 1', cols) },
    ]);
    expect(rows.map((r) => (r as Record<string, unknown>).reached)).toEqual([17, 7, 2]);
    expect(rows.map((r) => (r as Record<string, unknown>).conversion)).toEqual([null, 41.2, 28.6]);
    // Division by zero and missing values give null, never Infinity or NaN.
    expect(rows.map((r) => (r as Record<string, unknown>).roi)).toEqual([200, null, null]);
    expect((rows[0] as Record<string, unknown>).share).toBe(0.588235);
    expect((rows[2] as Record<string, unknown>).neg).toBe(-9);
  });

  it('marks the columns that depend on the order of the rows, directly or through another', () => {
    const d = compileReportDerived(
      [
        { as: 'share', expr: 'deals / total(deals)' },
        { as: 'run', expr: 'running(deals)' },
        { as: 'cum', expr: 'run / total(deals)' },
        { as: 'half', expr: 'share / 2' },
      ],
      cols,
    );
    expect(d.map((x) => [x.as, x.fn.ordered])).toEqual([
      ['share', false],
      ['run', true],
      ['cum', true],
      ['half', false],
    ]);
    const rows = [{ deals: 6 }, { deals: 3 }, { deals: 1 }];
    applyDerived(rows, d);
    expect(rows.map((r) => (r as Record<string, unknown>).cum)).toEqual([0.6, 0.9, 1]);
  });

  it.each([
    ['process.exit(1)', /Unknown function|not allowed/],
    ["constructor['constructor']('return 1')()", /Unknown function|not allowed/],
    ['this', /not allowed/],
    ['deals.toString()', /Unknown function|not allowed/],
    ['"text"', /Only numbers/],
    ['deals ** 2', /Operator \*\* is not allowed/],
    ['deals = 1', /not allowed/],
    ['unknown * 2', /Functions take a column|unknown/i],
    ['total(1)', /Functions take a column/],
    ['round(deals)', /takes 2 argument/],
    ['deals +', /Syntax error/],
    ['deals; 1', /Unexpected text/],
    ['(() => 1)()', /Unknown function|not allowed/],
  ])('refuses %s', (expr, message) => {
    expect(() => compileDerived(expr, cols)).toThrow(message);
  });
});

describe('derived expression refusals', () => {
  it.each([
    ['deals +', 'derive_syntax', { position: 8 }],
    ['deals; 1', 'derive_trailing', { position: 6 }],
    ['ghost * 2', 'derive_unknown_column', { column: 'ghost', columns: 'deals, revenue, cost' }],
    ['"text"', 'derive_numbers_only', {}],
    ['deals ** 2', 'derive_operator', { op: '**' }],
    ['sqrt(deals)', 'derive_unknown_function', { fn: 'sqrt' }],
    ['round(deals)', 'derive_arguments', { fn: 'round', count: 2 }],
    ['total(1)', 'derive_function_column', {}],
    ['round(deals, cost)', 'derive_round_digits', {}],
    ['this', 'derive_not_allowed', {}],
  ])('codes %s as %s with its facts', (expr, code, params) => {
    let error: unknown;
    try {
      compileDerived(expr, cols);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeriveError);
    expect(error).toMatchObject({ code, params });
  });
});
