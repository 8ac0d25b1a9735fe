import type { FieldSchema } from '../meta/meta-types';
import { enumLabel } from '../i18n/pick-label';
import { valueKind } from './field-kind';

/** A record's value as text for lists and read-only places, in the user's language. */
export function formatValue(
  f: FieldSchema | undefined,
  value: unknown,
  lang: string,
  opts: { currency?: string; yes?: string; no?: string; labelField?: string | undefined } = {},
): string {
  if (value === null || value === undefined || value === '') return '';
  if (!f) return typeof value === 'object' ? JSON.stringify(value) : String(value);
  switch (valueKind(f)) {
    case 'currency': {
      const n = Number(value);
      if (!Number.isFinite(n)) return String(value);
      return new Intl.NumberFormat(lang, {
        style: opts.currency ? 'currency' : 'decimal',
        ...(opts.currency ? { currency: opts.currency } : {}),
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      }).format(n);
    }
    case 'percent': {
      const n = Number(value);
      return Number.isFinite(n)
        ? `${new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(n)}%`
        : String(value);
    }
    case 'number':
    case 'integer': {
      const n = Number(value);
      return Number.isFinite(n) ? new Intl.NumberFormat(lang, { maximumFractionDigits: 6 }).format(n) : String(value);
    }
    case 'boolean':
      return value === true ? (opts.yes ?? '✓') : value === false ? (opts.no ?? '—') : String(value);
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value));
      if (!m) return String(value);
      // A date has no time zone: format it at noon UTC so no offset moves it to another day.
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
      return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
    }
    case 'datetime': {
      const d = new Date(String(value));
      return Number.isNaN(d.getTime())
        ? String(value)
        : new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    }
    case 'select':
      return enumLabel(f, String(value), lang);
    case 'multiselect': {
      const items = Array.isArray(value) ? value : [value];
      const inner = (f.items ?? {}) as FieldSchema;
      return items
        .map((v) => enumLabel({ ...inner, 'x-i18n': f['x-i18n'] ?? inner['x-i18n'] }, String(v), lang))
        .join(', ');
    }
    case 'lookup':
      if (typeof value === 'object') {
        // An expanded lookup: the target record, named by its label field.
        const v = value as Record<string, unknown>;
        const named = opts.labelField ? v[opts.labelField] : (v.name ?? v.title ?? v.label);
        return String(named ?? v.id ?? '');
      }
      return String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** Numbers line up at the end of a column. */
export function isNumericField(f: FieldSchema | undefined): boolean {
  if (!f) return false;
  const k = valueKind(f);
  return k === 'number' || k === 'integer' || k === 'currency' || k === 'percent';
}
