import { describe, expect, it } from 'vitest';
import { agingOf } from './classify';

describe('agingOf', () => {
  const today = '2026-06-30';
  it.each([
    ['2026-07-01', 100, 'not_due', 0],
    ['2026-06-30', 100, 'not_due', 0],
    ['2026-06-29', 100, 'd1_30', 1],
    ['2026-05-31', 100, 'd1_30', 30],
    ['2026-05-30', 100, 'd31_60', 31],
    ['2026-05-01', 100, 'd31_60', 60],
    ['2026-04-01', 100, 'd61_90', 90],
    ['2026-03-31', 100, 'd91_180', 91],
    ['2026-01-01', 100, 'd91_180', 180],
    ['2025-12-31', 100, 'd180_plus', 181],
    ['2020-01-01', 0, 'paid', 0],
    ['2020-01-01', -5, 'paid', 0],
  ])('due %s, balance %d → %s', (due, balance, aging, days) => {
    expect(agingOf(due, today, balance)).toEqual({ aging, daysOverdue: days });
  });
});
