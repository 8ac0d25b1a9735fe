/**
 * The date functions of `x-formula` expressions — `today()`, `days_since(d)`, `days_between(a, b)` —
 * as the browser's declarative evaluator runs them. The server's sandbox defines the same functions
 * in its prelude (runtime/src/scripts/sandbox-prelude.js); tests hold both to the same answers.
 *
 * Days are calendar days in UTC (the platform has no tenant time zone yet): a date-time counts by
 * its UTC date. A missing or unreadable value gives null, never NaN.
 */
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;

/** Days since 1970-01-01 of a date (`YYYY-MM-DD`), a date-time (ISO 8601) or a Date; null otherwise. */
export function dayNumber(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : Math.floor(value.getTime() / DAY_MS);
  if (typeof value !== 'string') return null;
  const m = DATE.exec(value);
  if (!m) return null;
  // A date-time with an offset may fall on another UTC day than the one it is written with.
  if (value.length > 10) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : Math.floor(t / DAY_MS);
  }
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) ? null : t / DAY_MS;
}

/** Today's date (UTC), `YYYY-MM-DD`. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: unknown, b: unknown): number | null {
  const x = dayNumber(a);
  const y = dayNumber(b);
  return x === null || y === null ? null : y - x;
}

/** Whole days from `d` to today (negative for a date in the future). */
export function daysSince(d: unknown, now: Date = new Date()): number | null {
  return daysBetween(d, today(now));
}

/** The functions by the name formulas call them, with their number of arguments. */
export const DATE_FUNCTIONS: Record<string, { arity: number; fn: (...args: unknown[]) => unknown }> = {
  today: { arity: 0, fn: () => today() },
  days_since: { arity: 1, fn: (d) => daysSince(d) },
  days_between: { arity: 2, fn: (a, b) => daysBetween(a, b) },
};

/**
 * Expressions over `record` with the value both evaluators must give (the browser's, the server's
 * sandbox): the tests of each run this same list, so they cannot drift apart.
 */
export const DATE_FUNCTION_CASES: ReadonlyArray<
  [expression: string, record: Record<string, unknown>, expected: unknown]
> = [
  ['days_between(record.a, record.b)', { a: '2025-12-31', b: '2026-03-05' }, 64],
  ['days_between(record.a, record.b)', { a: '2026-03-05', b: '2025-12-31' }, -64],
  ['days_between(record.a, record.b)', { a: '2024-02-28', b: '2024-03-01' }, 2],
  ['days_between(record.a, record.b)', { a: '2026-03-05T23:30:00.000Z', b: '2026-03-06' }, 1],
  ['days_between(record.a, record.b)', { a: '2026-03-06T01:00:00+02:00', b: '2026-03-06' }, 1],
  ['days_between(record.a, record.b)', { a: null, b: '2026-03-06' }, null],
  ['days_between(record.a, record.b)', { a: 'soon', b: '2026-03-06' }, null],
  ['days_between(record.a, record.b)', { a: 20260306, b: '2026-03-06' }, null],
  ['days_since(record.a)', { a: null }, null],
  ['days_since(record.a)', {}, null],
  ['days_since(today())', {}, 0],
  ['days_between(today(), record.a) === -days_since(record.a)', { a: '2020-01-01' }, true],
  ['(days_since(record.a) || 0) > 90 ? "lapsed" : "active"', { a: '2020-01-01' }, 'lapsed'],
];
