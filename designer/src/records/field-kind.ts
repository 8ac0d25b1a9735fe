import { describeField, type FieldDescription, type FilterOperator } from '@forma/metadata/field-kinds';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';

type FieldDefinition = Parameters<typeof describeField>[0];

/**
 * How the app treats a field: the server's field-kind catalogue (`@forma/metadata/field-kinds`, free
 * of dependencies so the browser bundles it), read with the app's fallbacks: a kind the browser does
 * not know (a plugin's) is treated by its JSON type, and autonumbers hold text.
 */
export type FieldKind =
  | 'text'
  | 'textarea'
  | 'email'
  | 'url'
  | 'date'
  | 'datetime'
  | 'select'
  | 'multiselect'
  | 'number'
  | 'currency'
  | 'percent'
  | 'integer'
  | 'boolean'
  | 'lookup'
  | 'formula'
  | 'computed'
  | 'autonumber'
  | 'rollup'
  | 'children';

export type FilterOp = FilterOperator;

function typeOf(f: FieldSchema): string | undefined {
  return Array.isArray(f.type) ? f.type.find((t) => t !== 'null') : f.type;
}

function describe(f: FieldSchema): FieldDescription | undefined {
  // Nullable spellings (`["string", "null"]`) mean the same kind as the plain type.
  const plain = Array.isArray(f.type) ? { ...f, type: typeOf(f) } : f;
  return describeField(plain as unknown as FieldDefinition);
}

/** The kind of a field whose kind the browser does not know, by its JSON type. */
function byType(f: FieldSchema): FieldKind {
  switch (typeOf(f)) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return f['x-children'] ? 'children' : 'multiselect';
    default:
      return 'text';
  }
}

/** The kind of the value a field holds (formulas and roll-ups: the kind of what they compute). */
export function valueKind(f: FieldSchema): FieldKind {
  const d = describe(f);
  if (!d) return byType(f);
  // Autonumbers are computed text with no kind of their own to compute.
  if (d.resultKind === d.kind && d.readOnly) return 'text';
  return d.resultKind.name as FieldKind;
}

export function fieldKind(f: FieldSchema): FieldKind {
  return (describe(f)?.kind.name as FieldKind | undefined) ?? byType(f);
}

/** Computed by the platform: shown, never written. */
export function isComputed(f: FieldSchema): boolean {
  return describe(f)?.readOnly ?? false;
}

/** Text fields offer "contains" first: what people mean when they type into a filter. */
const TEXT_ORDER: FilterOp[] = ['contains', 'eq', 'ne', 'startsWith', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'isNull'];
const BY_TYPE_OPS: Record<string, FilterOp[]> = {
  integer: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
  boolean: ['eq', 'ne', 'isNull'],
  multiselect: ['contains', 'in', 'isNull'],
  children: [],
  text: TEXT_ORDER,
};

/** The filter operators the API accepts for a field (the catalogue's, in the app's order). */
export function operatorsFor(f: FieldSchema): FilterOp[] {
  const d = describe(f);
  if (!d) return BY_TYPE_OPS[byType(f)] ?? TEXT_ORDER;
  const ops = [...d.operators];
  return ops.includes('contains') && ops.includes('eq') ? TEXT_ORDER.filter((o) => ops.includes(o)) : ops;
}

/** Fields a list can show and sort by: everything but line items. */
export function listableFields(schema: ObjectSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, f]) => valueKind(f) !== 'children' && f['x-access'] !== 'none')
    .map(([name]) => name);
}

/** The field naming a record: `x-label-field`, else `name`/`title`, else the first text field. */
export function labelFieldOf(schema: ObjectSchema | undefined): string | undefined {
  const props = schema?.properties ?? {};
  const declared = schema?.['x-label-field'];
  if (typeof declared === 'string' && props[declared]) return declared;
  for (const n of ['name', 'title', 'subject']) if (props[n]) return n;
  return Object.entries(props).find(([, f]) => valueKind(f) === 'text')?.[0];
}
