import type { FieldSchema, I18nLabels, ObjectSchema } from '../meta/meta-types';

interface Labelled {
  title?: string;
  'x-i18n'?: I18nLabels;
  [key: string]: unknown;
}

/** Candidate keys of x-i18n for a language, most specific first: zh-CN, zh-cn, zh. */
function languageKeys(lang: string): string[] {
  const base = lang.split('-')[0] ?? lang;
  return [...new Set([lang, lang.toLowerCase(), base])];
}

function translations(node: Labelled | undefined, lang: string): Array<Record<string, unknown>> {
  const i18n = node?.['x-i18n'];
  if (!i18n || typeof i18n !== 'object') return [];
  const lowered = new Map(Object.entries(i18n).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Array<Record<string, unknown>> = [];
  for (const k of languageKeys(lang)) {
    const t = i18n[k] ?? lowered.get(k.toLowerCase());
    if (t && typeof t === 'object' && !out.includes(t)) out.push(t);
  }
  return out;
}

/** `close_on` → `Close on`: the last resort when metadata has no title at all. */
export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

/**
 * A metadata node's label in `lang`: its `x-i18n[lang][key]` (then the base language, `zh` for
 * `zh-CN`), else its own `key` (the schema's default-language text), else `fallback`.
 */
export function pickLabel(node: Labelled | undefined, lang: string, key = 'title', fallback = ''): string {
  for (const t of translations(node, lang)) {
    const v = t[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  const own = node?.[key];
  return typeof own === 'string' && own.trim() ? own : fallback;
}

export function objectLabel(name: string, schema: ObjectSchema | undefined, lang: string): string {
  return pickLabel(schema, lang, 'title', humanize(name));
}

export function fieldLabel(object: ObjectSchema | undefined, field: string, lang: string): string {
  return pickLabel(object?.properties?.[field], lang, 'title', humanize(field));
}

/** An enum value's label: `x-i18n[lang].enum[value]`, else `x-enum-labels[value]`, else the value humanized. */
export function enumLabel(field: FieldSchema | undefined, value: string, lang: string): string {
  for (const t of translations(field, lang)) {
    const labels = t.enum;
    if (labels && typeof labels === 'object') {
      const v = (labels as Record<string, unknown>)[value];
      if (typeof v === 'string' && v.trim()) return v;
    }
  }
  const own = field?.['x-enum-labels'];
  if (own && typeof own === 'object') {
    const v = (own as Record<string, unknown>)[value];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return humanize(value);
}

/**
 * The label of a named metadata item (view, dashboard, report, widget, workflow step): its
 * `x-i18n[lang].label` or `.title` (both spellings are in use), else its own `label`, else `fallback`.
 */
export function itemLabel(item: object | undefined, lang: string, fallback = ''): string {
  const node = item as Labelled | undefined;
  for (const t of translations(node, lang)) {
    for (const key of ['label', 'title']) {
      const v = t[key];
      if (typeof v === 'string' && v.trim()) return v;
    }
  }
  const own = node?.label;
  return typeof own === 'string' && own.trim() ? own : fallback;
}
