import { describe, expect, it } from 'vitest';
import { changePercent, comparePeriods } from './report-periods';

describe('comparePeriods', () => {
  it('month: previous crosses a year, last year is the same month', () => {
    expect(comparePeriods('2026-01-15', 'month', ['previous', 'last_year'])).toEqual({
      current: { from: '2026-01-01', to: '2026-02-01', label: '2026-01' },
      previous: { from: '2025-12-01', to: '2026-01-01', label: '2025-12' },
      last_year: { from: '2025-01-01', to: '2025-02-01', label: '2025-01' },
    });
  });
  it('quarter and year', () => {
    expect(comparePeriods('2026-05-31', 'quarter', ['previous', 'last_year'])).toEqual({
      current: { from: '2026-04-01', to: '2026-07-01', label: '2026-Q2' },
      previous: { from: '2026-01-01', to: '2026-04-01', label: '2026-Q1' },
      last_year: { from: '2025-04-01', to: '2025-07-01', label: '2025-Q2' },
    });
    expect(comparePeriods('2026-12-31', 'year', ['previous'])).toEqual({
      current: { from: '2026-01-01', to: '2027-01-01', label: '2026' },
      previous: { from: '2025-01-01', to: '2026-01-01', label: '2025' },
    });
  });
  it('to date: the same number of days, never past the end of a shorter period', () => {
    expect(comparePeriods('2026-03-31', 'month', ['previous', 'last_year'], true)).toEqual({
      current: { from: '2026-03-01', to: '2026-04-01', label: '2026-03' },
      previous: { from: '2026-02-01', to: '2026-03-01', label: '2026-02' },
      last_year: { from: '2025-03-01', to: '2025-04-01', label: '2025-03' },
    });
    expect(comparePeriods('2026-12-07', 'month', ['previous'], true).previous).toEqual({
      from: '2026-11-01',
      to: '2026-11-08',
      label: '2026-11',
    });
  });
});

describe('changePercent', () => {
  it('is relative to the earlier value, null without one', () => {
    expect(changePercent(150, 100)).toBe(50);
    expect(changePercent(50, -100)).toBe(150);
    expect(changePercent(1, 3)).toBe(-66.7);
    expect(changePercent(5, 0)).toBeNull();
    expect(changePercent(5, null)).toBeNull();
    expect(changePercent(null, 5)).toBeNull();
  });
});
