import type { Duration } from 'date-fns';
// The function's own module: the package's index loads all of its ~300 modules (~9 MB of memory).
import { add } from 'date-fns/add';

const ISO_DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Parses an ISO-8601 duration of whole units (`P2D`, `PT48H`, `P1W`), or undefined when malformed. */
export function parseIsoDuration(text: string): Duration | undefined {
  const m = ISO_DURATION.exec(text);
  if (!m) return undefined;
  const [years, months, weeks, days, hours, minutes, seconds] = m.slice(1).map((v) => (v ? Number(v) : 0));
  return { years, months, weeks, days, hours, minutes, seconds };
}

/**
 * `at` plus the duration, in calendar terms (date-fns `add`: a month is a calendar month), so
 * deadlines are computed from the injected clock's instant and stored, never kept in memory.
 */
export function addIsoDuration(at: Date, text: string): Date {
  const d = parseIsoDuration(text);
  if (!d) throw new Error(`Invalid ISO-8601 duration: ${text}`);
  return add(at, d);
}
