/** Pure date rules of the CRM's scheduled jobs (dates are `YYYY-MM-DD`, compared in UTC). */

export const DAY_MS = 86_400_000;

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Receivable aging bucket: paid, not yet due, or 1–30 / 31–60 / 61–90 / 91–180 / over 180 days late. */
export function agingOf(dueOn: string, today: string, balance: number): { aging: string; daysOverdue: number } {
  if (balance <= 0) return { aging: 'paid', daysOverdue: 0 };
  const late = daysBetween(dueOn, today);
  if (late <= 0) return { aging: 'not_due', daysOverdue: 0 };
  const aging =
    late <= 30 ? 'd1_30' : late <= 60 ? 'd31_60' : late <= 90 ? 'd61_90' : late <= 180 ? 'd91_180' : 'd180_plus';
  return { aging, daysOverdue: late };
}
