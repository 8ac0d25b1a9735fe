import { describe, expect, it } from 'vitest';
import { periodOf, scheduleProblem } from './schedule-period';

describe('schedule periods', () => {
  it('accepts cron and fixed durations, refuses the rest with a reason', () => {
    expect(scheduleProblem('0 8 * * *')).toBeUndefined();
    expect(scheduleProblem('*/5 * * * *')).toBeUndefined();
    expect(scheduleProblem('P1D')).toBeUndefined();
    expect(scheduleProblem('PT15M')).toBeUndefined();
    expect(scheduleProblem('P1M')).toMatch(/months or years/);
    expect(scheduleProblem('PT30S')).toMatch(/once a minute/);
    expect(scheduleProblem('P')).toMatch(/not an ISO-8601 duration/);
    expect(scheduleProblem('61 * * * *')).toMatch(/not a valid cron/);
    expect(scheduleProblem('daily')).toMatch(/neither/);
    expect(scheduleProblem("'; drop table x; --")).toMatch(/not a valid cron/);
  });

  it('a duration slices time into a fixed grid: the same key within a slot, the next one after', () => {
    const a = periodOf('P1D', new Date('2026-03-02T00:00:00Z'));
    const b = periodOf('P1D', new Date('2026-03-02T23:59:59Z'));
    const c = periodOf('P1D', new Date('2026-03-03T00:00:00Z'));
    expect(a).toEqual(b);
    expect(a.start.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(c.key).not.toBe(a.key);
  });

  it('cron: the period is the last firing at or before now', () => {
    expect(periodOf('0 8 * * *', new Date('2026-03-02T09:00:00Z')).key).toBe('2026-03-02T08:00:00.000Z');
    expect(periodOf('0 8 * * *', new Date('2026-03-02T08:00:00Z')).key).toBe('2026-03-02T08:00:00.000Z');
    expect(periodOf('0 8 * * *', new Date('2026-03-02T07:59:00Z')).key).toBe('2026-03-01T08:00:00.000Z');
  });
});
