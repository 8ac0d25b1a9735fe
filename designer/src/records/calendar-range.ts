/**
 * Calendar arithmetic on `YYYY-MM-DD` day strings (UTC, so daylight-saving changes never shift a
 * day), and the query range of a calendar view.
 */
import type { CalendarMode } from './list-view';

export const pad = (n: number) => String(n).padStart(2, '0');

export function toDay(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function parse(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

export function addDays(day: string, n: number): string {
  const d = parse(day);
  d.setUTCDate(d.getUTCDate() + n);
  return toDay(d);
}

export function addMonths(day: string, n: number): string {
  const d = parse(day);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return toDay(target);
}

/** 0 = Sunday. */
export function weekday(day: string): number {
  return parse(day).getUTCDay();
}

/** The first day of weeks in a language: Sunday in English, Monday elsewhere (China, most of Europe). */
export function weekStartOf(lang: string): 0 | 1 {
  return lang === 'en' || lang.startsWith('en-US') ? 0 : 1;
}

export function startOfWeek(day: string, weekStart: 0 | 1): string {
  return addDays(day, -((weekday(day) - weekStart + 7) % 7));
}

/** The days a calendar shows: whole weeks around the month, one week, or one day. `end` is exclusive. */
export function calendarRange(
  mode: CalendarMode,
  at: string,
  weekStart: 0 | 1,
): { start: string; end: string; days: string[] } {
  let start: string;
  let end: string;
  if (mode === 'day') {
    start = at;
    end = addDays(at, 1);
  } else if (mode === 'week') {
    start = startOfWeek(at, weekStart);
    end = addDays(start, 7);
  } else {
    const first = `${at.slice(0, 7)}-01`;
    start = startOfWeek(first, weekStart);
    const next = addMonths(first, 1);
    end = addDays(startOfWeek(addDays(next, -1), weekStart), 7);
  }
  const days: string[] = [];
  for (let d = start; d < end; d = addDays(d, 1)) days.push(d);
  return { start, end, days };
}

/** The local day of a date-time value (what the user's calendar shows), or the date itself. */
export function localDayOf(value: unknown, dateTime: boolean): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  if (!dateTime) return /^\d{4}-\d{2}-\d{2}/.exec(value)?.[0];
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return undefined;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The value of a record moved to `day`: a date is the day; a date-time keeps its local time of day. */
export function movedValue(value: unknown, day: string, dateTime: boolean): string {
  if (!dateTime) return day;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const old = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  const moved = Number.isNaN(old.getTime())
    ? new Date(y, m - 1, d, 9, 0, 0)
    : new Date(y, m - 1, d, old.getHours(), old.getMinutes(), old.getSeconds());
  return moved.toISOString();
}

/** The filter bounds of a range: days for a date field, the local midnights as instants for a date-time. */
export function rangeBounds(start: string, end: string, dateTime: boolean): { gte: string; lt: string } {
  if (!dateTime) return { gte: start, lt: end };
  const local = (day: string) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    return new Date(y, m - 1, d).toISOString();
  };
  return { gte: local(start), lt: local(end) };
}

/** Today in the user's time zone. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
