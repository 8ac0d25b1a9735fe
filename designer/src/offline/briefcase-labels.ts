import type { TFunction } from 'i18next';
import { ApiError, type ApiErrorCode } from '../api/api-error';
import { apiErrorText, translatedFieldErrors } from '../i18n/error-text';
import { enumLabel, fieldLabel } from '../i18n/pick-label';
import type { AppMeta } from '../meta/meta-types';
import type { BriefcaseRecord, Fields, OutboxItem } from './briefcase-db';

/** A record's name: its label field, else its first text value; never its id. */
export function recordName(meta: AppMeta, object: string, fields: Fields, fallback: string): string {
  const schema = meta.objects[object];
  const labelField = schema?.['x-label-field'];
  const v = labelField ? fields[labelField] : undefined;
  if (typeof v === 'string' && v.trim()) return v;
  for (const [name, f] of Object.entries(schema?.properties ?? {}))
    if (f.type === 'string' && !f.format && !f.enum && typeof fields[name] === 'string' && fields[name])
      return String(fields[name]);
  return fallback;
}

/** A value as people read it: picklist labels, lookups by name (from the briefcase), yes/no. */
export function displayValue(
  meta: AppMeta,
  object: string,
  field: string,
  value: unknown,
  records: BriefcaseRecord[],
  lang: string,
  t: TFunction,
): string {
  if (value === null || value === undefined || value === '') return t('briefcase.none');
  const f = meta.objects[object]?.properties?.[field];
  if (f?.['x-ref']) {
    const target = records.find((r) => r.object === f['x-ref'] && r.id === value);
    return target
      ? recordName(meta, target.object, target.local, t('briefcase.notInBriefcase'))
      : t('briefcase.notInBriefcase');
  }
  if (typeof value === 'boolean') return value ? t('timeline.yes') : t('timeline.no');
  if (Array.isArray(value)) return value.map((v) => enumLabel(f?.items as never, String(v), lang)).join(', ');
  if (Array.isArray(f?.enum)) return enumLabel(f, String(value), lang);
  return String(value);
}

export { fieldLabel };

/**
 * Why the server refused a queued change, in the reader's language where the server sent codes:
 * one line per field ("Amount: Must be at least 0"), else the server's message.
 */
export function refusalLines(meta: AppMeta, item: OutboxItem, lang: string, t: TFunction): string[] {
  const e = item.error;
  if (!e) return [];
  const err = new ApiError(e.code as ApiErrorCode, e.message, {
    ...(e.fields ? { fields: e.fields } : {}),
    ...(e.details ? { details: e.details } : {}),
  });
  const schema = meta.objects[item.object];
  const fields = translatedFieldErrors(t, err, {
    locale: lang,
    enumLabel: (f, v) => enumLabel(schema?.properties?.[f], v, lang),
  });
  const lines = Object.entries(fields ?? {}).map(([f, m]) => {
    // A line's error (`lines.1.quantity`) reads as the online grid says it: "Line 2, Quantity: …".
    const [, parent, index, sub] = /^([a-z][a-z0-9_]*)\.(\d+)\.([a-z][a-z0-9_]*)$/.exec(f) ?? [];
    const children = parent ? schema?.properties?.[parent]?.['x-children'] : undefined;
    const child = typeof children === 'string' ? children : (children as { object?: string } | undefined)?.object;
    if (child && sub)
      return t('webApp.linesError', {
        n: Number(index) + 1,
        field: fieldLabel(meta.objects[child], sub, lang),
        message: m,
      });
    return t('briefcase.fieldError', { field: fieldLabel(schema, f, lang), message: m });
  });
  return lines.length ? lines : [apiErrorText(t, err)];
}
