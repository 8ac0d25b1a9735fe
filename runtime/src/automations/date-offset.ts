import type { ObjectModel } from '../model/load-model';

const DATE_KINDS = new Set(['date', 'datetime']);

function shift(days: number): string {
  if (days === 0) return '$today';
  return `$today${days < 0 ? '-' : '+'}P${Math.abs(days)}D`;
}

/**
 * A schedule trigger's `date` as a records filter over time tokens (resolved at each sweep): the
 * records whose date field falls `days` days after the sweep's date. "3 days before due_date" is
 * `{field: "due_date", days: 3}`: today is 3 days before the due date. A date-time field matches the
 * whole UTC day.
 */
export function dateOffsetFilter(object: ObjectModel, date: { field: string; days: number }): Record<string, unknown> {
  // resultKind: a date roll-up (last purchase, last activity) or date formula is a date too.
  const kind = object.fields.get(date.field)?.resultKind;
  if (kind === 'datetime')
    return { and: [{ [date.field]: { gte: shift(date.days) } }, { [date.field]: { lt: shift(date.days + 1) } }] };
  return { [date.field]: { eq: shift(date.days) } };
}

/** Why `field` cannot carry a date offset, or undefined. */
export function dateOffsetProblem(object: ObjectModel, field: string): string | undefined {
  const f = object.fields.get(field);
  if (!f) return `unknown field "${field}" of ${object.name}`;
  if (!DATE_KINDS.has(f.resultKind)) return `field "${field}" is not a date`;
  return undefined;
}
