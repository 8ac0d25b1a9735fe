import type { FieldDefinition, WebFormDefinition } from '@forma/metadata';
import type { FieldModel, ObjectModel } from '../model/load-model';

/** The field humans never see nor fill (hidden by the page); a bot that fills every input names itself. */
export const HONEYPOT_FIELD = 'website_url';
/** The ALTCHA widget's hidden input. */
export const POW_FIELD = 'altcha';

/**
 * Why a field may not be on a public form, or undefined when it may. Visitors are nobody: they may
 * only type values. Computed and system fields are the server's, and a lookup would let a stranger
 * name (and so probe) records of another object.
 */
export function ineligibleReason(field: FieldModel): string | undefined {
  if (field.name === HONEYPOT_FIELD || field.name === POW_FIELD) return "named like the form's own robot checks";
  if (field.system) return 'a system field';
  if (field.formula || field.autonumber || field.rollup) return 'computed';
  if (field.children) return 'line items';
  if (field.ref) return 'a lookup';
  if (field.readOnly || !field.column) return 'read-only';
  return undefined;
}

/** Field definition keywords the public page may see: the value's shape and its labels, nothing else. */
const PUBLIC_KEYWORDS = [
  'type',
  'format',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'title',
  'description',
  'x-kind',
  'x-enum-labels',
  'x-enum-retired',
] as const;

type Json = Record<string, unknown>;

function publicItems(items: unknown): Json | undefined {
  if (!items || typeof items !== 'object') return undefined;
  const out: Json = {};
  for (const k of ['type', 'enum', 'maxLength'] as const) {
    const v = (items as Json)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Only the translated labels of a field (title, description, option labels). */
function publicI18n(...sources: Array<unknown>): Json | undefined {
  const out: Record<string, Json> = {};
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    for (const [locale, entry] of Object.entries(source as Record<string, Json>)) {
      if (!entry || typeof entry !== 'object') continue;
      const picked: Json = { ...(out[locale] ?? {}) };
      for (const k of ['title', 'description', 'enum'] as const) if (entry[k] !== undefined) picked[k] = entry[k];
      // A form field's "label" is its title on this form.
      if (typeof entry.label === 'string') picked.title = entry.label;
      out[locale] = picked;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The exposed fields as an object schema in the metadata language (what the web app's form
 * generator reads), labels as the form says: nothing about other fields, lookups, owners or scripts.
 */
export function publicObjectSchema(object: ObjectModel, form: WebFormDefinition): Json {
  const properties: Json = {};
  const required = new Set<string>();
  for (const f of form.fields) {
    const field = object.fields.get(f.field);
    if (!field) continue;
    const def = field.definition as FieldDefinition & Json;
    const prop: Json = {};
    for (const k of PUBLIC_KEYWORDS) if (def[k] !== undefined) prop[k] = def[k];
    const items = publicItems(def.items);
    if (items) prop.items = items;
    if (f.label) prop.title = f.label;
    if (f.help) prop.description = f.help;
    const i18n = publicI18n(def['x-i18n'], f['x-i18n']);
    if (i18n) prop['x-i18n'] = i18n;
    properties[f.field] = prop;
    if (f.required || field.required) required.add(f.field);
  }
  return { type: 'object', title: object.label, properties, required: [...required] };
}

/** The form's text in `locale` (x-i18n, then the base language), else its own. */
export function formText(
  form: WebFormDefinition,
  key: 'label' | 'description' | 'thankYou' | 'submitLabel',
  locale: string,
): string | undefined {
  const i18n = form['x-i18n'] ?? {};
  const base = locale.split('-')[0] ?? locale;
  for (const k of [locale, locale.toLowerCase(), base]) {
    const v = i18n[k]?.[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return form[key];
}
