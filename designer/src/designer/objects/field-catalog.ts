import type { FieldSchema } from '../../meta/meta-types';
import { type FieldKind, fieldKind, valueKind } from '../../records/field-kind';

/** The kinds an admin can add from the designer (line items come from templates). */
export const ADDABLE_KINDS = [
  'text',
  'textarea',
  'email',
  'url',
  'number',
  'currency',
  'percent',
  'integer',
  'boolean',
  'date',
  'datetime',
  'select',
  'multiselect',
  'lookup',
  'formula',
  'rollup',
  'autonumber',
] as const satisfies readonly FieldKind[];

export type AddableKind = (typeof ADDABLE_KINDS)[number];

/** A fresh field of a kind, shaped exactly as metadata/src/field-kinds.ts recognises it. */
export function newField(kind: AddableKind, label: string, lookupTarget = ''): FieldSchema {
  const base = { title: label };
  switch (kind) {
    case 'text':
      return { ...base, type: 'string', maxLength: 200 };
    case 'textarea':
      return { ...base, type: 'string', 'x-kind': 'textarea' };
    case 'email':
      return { ...base, type: 'string', format: 'email' };
    case 'url':
      return { ...base, type: 'string', format: 'uri' };
    case 'number':
      return { ...base, type: 'number' };
    case 'currency':
    case 'percent':
      return { ...base, type: 'number', 'x-kind': kind };
    case 'integer':
      return { ...base, type: 'integer' };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'date':
      return { ...base, type: 'string', format: 'date' };
    case 'datetime':
      return { ...base, type: 'string', format: 'date-time' };
    case 'select':
      return { ...base, type: 'string', enum: ['option_1'], 'x-enum-labels': { option_1: 'Option 1' } };
    case 'multiselect':
      return {
        ...base,
        type: 'array',
        items: { type: 'string', enum: ['option_1'] },
        'x-enum-labels': { option_1: 'Option 1' },
      };
    case 'lookup':
      return { ...base, type: 'string', format: 'uuid', 'x-ref': lookupTarget };
    case 'formula':
      return { ...base, type: 'number', 'x-formula': '' };
    case 'rollup':
      // Chosen in the roll-up editor: which related records, how they are counted.
      return { ...base, type: 'integer', 'x-rollup': { object: '', via: '', op: 'count' } };
    case 'autonumber':
      return { ...base, type: 'string', 'x-autonumber': 'N-{0000}' };
  }
}

/** Which property-panel settings a field offers; mirrors the keywords each kind accepts on the server. */
export interface KindSettings {
  maxLength: boolean;
  minLength: boolean;
  pattern: boolean;
  range: boolean;
  scale: boolean;
  unique: boolean;
  index: boolean;
  default: boolean;
  options: boolean;
  lookup: boolean;
  formula: boolean;
  rollup: boolean;
  autonumber: boolean;
  requirable: boolean;
}

const NUMERIC: ReadonlySet<FieldKind> = new Set(['number', 'currency', 'percent', 'integer']);

export function settingsFor(f: FieldSchema): KindSettings {
  const kind = fieldKind(f);
  const value = valueKind(f);
  const computed = kind === 'formula' || kind === 'autonumber' || kind === 'rollup';
  return {
    maxLength: ['text', 'textarea', 'email', 'url'].includes(kind) || (kind === 'formula' && value === 'text'),
    minLength: kind === 'text' || kind === 'textarea',
    pattern: kind === 'text',
    range: NUMERIC.has(kind),
    scale:
      (NUMERIC.has(kind) && kind !== 'integer') || (kind === 'formula' && NUMERIC.has(value) && value !== 'integer'),
    unique: ['text', 'email', 'date', 'datetime', 'number', 'currency', 'percent', 'integer'].includes(kind),
    index: kind !== 'textarea' && kind !== 'children',
    default: !computed && kind !== 'children',
    options: kind === 'select' || kind === 'multiselect',
    lookup: kind === 'lookup',
    formula: kind === 'formula',
    rollup: kind === 'rollup' && !(f['x-rollup'] as { children?: unknown } | undefined)?.children,
    autonumber: kind === 'autonumber',
    requirable: !computed && kind !== 'children',
  };
}

/** Result types a formula may declare (its column type). */
export const FORMULA_TYPES = ['number', 'currency', 'text', 'boolean', 'date'] as const;
export type FormulaType = (typeof FORMULA_TYPES)[number];

export function formulaTypeOf(f: FieldSchema): FormulaType {
  if (f.type === 'boolean') return 'boolean';
  if (f.type === 'number') return f['x-kind'] === 'currency' ? 'currency' : 'number';
  if (f.format === 'date') return 'date';
  return 'text';
}

/** Changes a formula's result type, dropping keywords the new type does not take. */
export function withFormulaType(f: FieldSchema, type: FormulaType): FieldSchema {
  const { type: _t, format: _f, 'x-kind': _k, 'x-scale': _s, maxLength: _m, ...rest } = f;
  switch (type) {
    case 'number':
      return { ...rest, type: 'number' };
    case 'currency':
      return { ...rest, type: 'number', 'x-kind': 'currency' };
    case 'boolean':
      return { ...rest, type: 'boolean' };
    case 'date':
      return { ...rest, type: 'string', format: 'date' };
    case 'text':
      return { ...rest, type: 'string' };
  }
}

/** The select options of a select or multiselect field (values, in order). */
export function optionsOf(f: FieldSchema): string[] {
  const values = valueKind(f) === 'multiselect' ? (f.items as FieldSchema | undefined)?.enum : f.enum;
  return Array.isArray(values) ? values.map(String) : [];
}

/** Replaces a choice field's options (value + English label), keeping labels, default and i18n in step. */
export function withOptions(f: FieldSchema, options: Array<{ value: string; label: string }>): FieldSchema {
  const values = options.map((o) => o.value);
  const labels: Record<string, string> = {};
  for (const o of options) if (o.label.trim()) labels[o.value] = o.label;
  const next: FieldSchema = { ...f };
  if (valueKind(f) === 'multiselect') next.items = { ...(f.items as object), type: 'string', enum: values };
  else next.enum = values;
  if (Object.keys(labels).length) next['x-enum-labels'] = labels;
  else delete next['x-enum-labels'];
  const d = f.default;
  if (typeof d === 'string' && !values.includes(d)) delete next.default;
  if (Array.isArray(d)) {
    const kept = d.filter((v) => values.includes(String(v)));
    if (kept.length) next.default = kept;
    else delete next.default;
  }
  return next;
}

/** Sets or clears one keyword: empty strings and undefined remove it, so no empty keywords reach the server. */
export function withKeyword<T extends Record<string, unknown>>(f: T, key: string, value: unknown): T {
  const next: Record<string, unknown> = { ...f };
  if (value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value))) delete next[key];
  else next[key] = value;
  return next as T;
}

/** The zh-CN (or any other language's) label of a node, or sets it (empty clears it). */
export function i18nTitle(node: { 'x-i18n'?: Record<string, Record<string, unknown>> }, lang: string): string {
  const v = node['x-i18n']?.[lang]?.title;
  return typeof v === 'string' ? v : '';
}

export function withI18nTitle<T extends { 'x-i18n'?: Record<string, Record<string, unknown>> }>(
  node: T,
  lang: string,
  title: string,
): T {
  const i18n = { ...(node['x-i18n'] ?? {}) };
  const entry = { ...(i18n[lang] ?? {}) };
  if (title.trim()) entry.title = title;
  else delete entry.title;
  if (Object.keys(entry).length) i18n[lang] = entry;
  else delete i18n[lang];
  const next = { ...node };
  if (Object.keys(i18n).length) next['x-i18n'] = i18n;
  else delete next['x-i18n'];
  return next;
}

/** A roll-up over related records (`x-rollup: {object, via, op, field?, filter?}`, docs/metadata.md). */
export interface RelatedRollup {
  object: string;
  via: string;
  op: 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max';
  field?: string;
  filter?: Record<string, unknown>;
}
export const ROLLUP_OPS: RelatedRollup['op'][] = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct'];

/**
 * The field with its roll-up set, and the type the server requires for it: counts are whole
 * numbers, averages and sums numbers, the minimum or maximum of a date that date (`childField`:
 * the aggregated field of the child object).
 */
export function withRollup(f: FieldSchema, r: RelatedRollup, childField: FieldSchema | undefined): FieldSchema {
  const { type: _t, format: _f, 'x-rollup': _r, 'x-scale': scale, ...rest } = f;
  const rollup: RelatedRollup = {
    object: r.object,
    via: r.via,
    op: r.op,
    ...(r.op !== 'count' && r.field ? { field: r.field } : {}),
    ...(r.filter && Object.keys(r.filter).length ? { filter: r.filter } : {}),
  };
  const childKind = childField ? valueKind(childField) : undefined;
  if (r.op === 'count' || r.op === 'count_distinct') return { ...rest, type: 'integer', 'x-rollup': rollup };
  if ((r.op === 'min' || r.op === 'max') && (childKind === 'date' || childKind === 'datetime'))
    return { ...rest, type: 'string', format: childKind === 'date' ? 'date' : 'date-time', 'x-rollup': rollup };
  return { ...rest, type: 'number', ...(scale !== undefined ? { 'x-scale': scale } : {}), 'x-rollup': rollup };
}

/** Objects with a lookup to `object`, and those lookups: the records a roll-up on it can read. */
export function childLookups(
  objects: Record<string, { properties?: Record<string, FieldSchema> } | null | undefined>,
  object: string,
): Array<{ object: string; via: string[] }> {
  return Object.entries(objects)
    .map(([name, schema]) => ({
      object: name,
      via: Object.entries(schema?.properties ?? {})
        .filter(([, f]) => f['x-ref'] === object)
        .map(([field]) => field),
    }))
    .filter((c) => c.via.length > 0)
    .sort((a, b) => a.object.localeCompare(b.object));
}
