import { describe, expect, it } from 'vitest';
import { addMonths, calendarRange, localDayOf, movedValue } from './calendar-range';

describe('calendar ranges', () => {
  it('covers whole weeks around a month, from Monday or Sunday', () => {
    const mon = calendarRange('month', '2026-02-14', 1);
    expect(mon.start).toBe('2026-01-26');
    expect(mon.end).toBe('2026-03-02');
    expect(mon.days).toHaveLength(35);
    const sun = calendarRange('month', '2026-02-14', 0);
    expect(sun.start).toBe('2026-02-01');
    expect(sun.days).toHaveLength(28);
  });

  it('gives a week and a day', () => {
    expect(calendarRange('week', '2026-12-07', 1)).toMatchObject({ start: '2026-12-07', end: '2026-12-14' });
    expect(calendarRange('day', '2026-12-31', 1)).toMatchObject({ start: '2026-12-31', end: '2027-01-01' });
  });

  it('moves months without overflowing short ones', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-03-15', -3)).toBe('2025-12-15');
  });

  it('moves a date-time to another day keeping its local time', () => {
    const old = new Date(2026, 1, 3, 14, 30).toISOString();
    const moved = movedValue(old, '2026-02-10', true);
    expect(localDayOf(moved, true)).toBe('2026-02-10');
    expect(new Date(moved).getHours()).toBe(14);
    expect(movedValue('2026-02-03', '2026-02-10', false)).toBe('2026-02-10');
  });
});
