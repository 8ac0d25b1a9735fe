/**
 * Period comparison of a report (`compare`): the calendar period holding the run's day, the one
 * before it and the same one a year earlier, as half-open day ranges `[from, to)`. Pure date
 * arithmetic on `YYYY-MM-DD` strings in UTC, so a run answers the same on every app node.
 */
export type ComparePeriod = 'month' | 'quarter' | 'year';
export type CompareWith = 'previous' | 'last_year';

export interface PeriodRange {
  /** First day, inclusive. */
  from: string;
  /** Day after the last, exclusive. */
  to: string;
  /** The period as the aggregate engine's date buckets spell it: `2026-12`, `2026-Q4`, `2026`. */
  label: string;
}

const MONTHS: Record<ComparePeriod, number> = { month: 1, quarter: 3, year: 12 };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const day = (y: number, m0: number, d = 1) => {
  const t = new Date(Date.UTC(y, m0, d));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
};
const DAY_MS = 86_400_000;
const addDays = (d: string, n: number) => new Date(Date.parse(d) + n * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY_MS);

function labelOf(period: ComparePeriod, y: number, m0: number): string {
  if (period === 'year') return pad(y, 4);
  if (period === 'quarter') return `${pad(y, 4)}-Q${Math.floor(m0 / 3) + 1}`;
  return `${pad(y, 4)}-${pad(m0 + 1)}`;
}

/** The period `shift` periods before the one holding `asOf` (0: that one). */
function periodAt(asOf: string, period: ComparePeriod, monthsBack: number): PeriodRange {
  const [y = 0, m = 1] = asOf.split('-').map(Number);
  const size = MONTHS[period];
  const startM0 = Math.floor((m - 1) / size) * size - monthsBack;
  const start = new Date(Date.UTC(y, startM0, 1));
  const sy = start.getUTCFullYear();
  const sm0 = start.getUTCMonth();
  return { from: day(sy, sm0), to: day(sy, sm0 + size), label: labelOf(period, sy, sm0) };
}

/**
 * The current period and the ones it is compared with. `toDate` cuts every period at the same
 * number of days from its start as `asOf` is from the current one's (month to date against the
 * previous month's same days), so a period in progress is not compared with a whole one.
 */
export function comparePeriods(
  asOf: string,
  period: ComparePeriod,
  withs: readonly CompareWith[],
  toDate = false,
): { current: PeriodRange } & Partial<Record<CompareWith, PeriodRange>> {
  const current = periodAt(asOf, period, 0);
  const elapsed = daysBetween(current.from, asOf) + 1;
  const cut = (p: PeriodRange): PeriodRange => {
    if (!toDate) return p;
    const end = addDays(p.from, elapsed);
    // ISO days compare as text; a shorter period keeps its own end.
    return end < p.to ? { ...p, to: end } : p;
  };
  const out: { current: PeriodRange } & Partial<Record<CompareWith, PeriodRange>> = { current: cut(current) };
  for (const w of withs) out[w] = cut(periodAt(asOf, period, w === 'previous' ? MONTHS[period] : 12));
  return out;
}

/** Change from `before` to `now` in percent, one decimal; null when there is nothing to compare with. */
export function changePercent(now: unknown, before: unknown): number | null {
  if (typeof now !== 'number' || typeof before !== 'number' || before === 0) return null;
  return Math.round(((now - before) / Math.abs(before)) * 1000) / 10;
}
