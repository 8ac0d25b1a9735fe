import type { FieldSchema, ObjectSchema } from '../meta/meta-types';

/**
 * How the app treats a field, recognised the way docs/metadata.md's catalogue does. The app keeps
 * its own small copy instead of importing @forma/metadata, which would pull ajv and acorn into
 * every user's bundle; unknown kinds degrade to plain text.
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
  | 'autonumber'
  | 'rollup'
  | 'children';

export type FilterOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'contains' | 'startsWith' | 'isNull';

function typeOf(f: FieldSchema): string | undefined {
  return Array.isArray(f.type) ? f.type.find((t) => t !== 'null') : f.type;
}

/** The kind of the value a field holds (formulas and roll-ups: the kind of what they compute). */
export function valueKind(f: FieldSchema): FieldKind {
  const type = typeOf(f);
  const xKind = f['x-kind'];
  if (type === 'array') {
    if (f['x-children']) return 'children';
    return 'multiselect';
  }
  if (type === 'boolean') return 'boolean';
  if (type === 'integer') return 'integer';
  if (type === 'number') return xKind === 'currency' || xKind === 'percent' ? xKind : 'number';
  if (f['x-ref'] && f.format === 'uuid') return 'lookup';
  if (Array.isArray(f.enum)) return 'select';
  if (f.format === 'date') return 'date';
  if (f.format === 'date-time') return 'datetime';
  if (f.format === 'email') return 'email';
  if (f.format === 'uri') return 'url';
  if (xKind === 'textarea') return 'textarea';
  return 'text';
}

export function fieldKind(f: FieldSchema): FieldKind {
  if (f['x-formula'] !== undefined) return 'formula';
  if (f['x-autonumber'] !== undefined) return 'autonumber';
  if (f['x-rollup'] !== undefined) return 'rollup';
  return valueKind(f);
}

/** Computed by the platform: shown, never written. */
export function isComputed(f: FieldSchema): boolean {
  const k = fieldKind(f);
  return k === 'formula' || k === 'autonumber' || k === 'rollup';
}

const TEXT_OPS: FilterOp[] = ['contains', 'eq', 'ne', 'startsWith', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'isNull'];
const ORDERED_OPS: FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'];

/** The filter operators the API accepts for a field (docs/metadata.md, field kinds). */
export function operatorsFor(f: FieldSchema): FilterOp[] {
  switch (valueKind(f)) {
    case 'textarea':
      return ['contains', 'startsWith', 'isNull'];
    case 'date':
    case 'datetime':
    case 'number':
    case 'currency':
    case 'percent':
    case 'integer':
      return ORDERED_OPS;
    case 'select':
    case 'lookup':
      return ['eq', 'ne', 'in', 'nin', 'isNull'];
    case 'multiselect':
      return ['contains', 'in', 'isNull'];
    case 'boolean':
      return ['eq', 'ne', 'isNull'];
    case 'children':
      return [];
    default:
      return TEXT_OPS;
  }
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
