/**
 * Column type changes: which are safe widenings, which narrow or change the type (destructive), which
 * PostgreSQL does without rewriting the table, how values convert, and which rows would not fit.
 */
import { type ColumnType, NUMERIC_PRECISION } from '@forma/metadata';
import { stringLiteral, typeSql } from './sql-text';

export type ConversionClass = 'widen' | 'narrow' | 'change';

export interface Conversion {
  class: ConversionClass;
  /** The table is rewritten (long exclusive lock on big tables). */
  rewrite: boolean;
  /** `USING` expression over the quoted column, when a plain cast is not enough. */
  using?: (col: string) => string;
  /** Rows for which this predicate holds would not fit the new type. */
  loss?: (col: string) => string;
}

export function sameColumnType(a: ColumnType, b: ColumnType): boolean {
  return typeSql(a) === typeSql(b);
}

const maxAbs = (scale: number) => `1${'0'.repeat(NUMERIC_PRECISION - scale)}`;

/** Text cleaned for a cast: trimmed, empty strings become null. */
const cleaned = (col: string) => `nullif(btrim(${col}), '')`;

function textPattern(to: ColumnType): { pattern: string; ci?: boolean } | undefined {
  switch (to.base) {
    case 'bigint':
      return { pattern: '^[-+]{0,1}[0-9]{1,18}$' };
    case 'numeric': {
      const whole = NUMERIC_PRECISION - to.scale;
      const frac = to.scale > 0 ? `([.][0-9]{0,${to.scale}}){0,1}` : '';
      return { pattern: `^[-+]{0,1}[0-9]{1,${whole}}${frac}$` };
    }
    case 'boolean':
      return { pattern: '^(true|false|t|f|yes|no|y|n|on|off|1|0)$', ci: true };
    case 'date':
      return { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' };
    case 'timestamptz':
      return {
        pattern:
          '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+){0,1}){0,1}(Z|[-+][0-9]{2}(:{0,1}[0-9]{2}){0,1}){0,1}){0,1}$',
        ci: true,
      };
    case 'uuid':
      return { pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', ci: true };
    default:
      return undefined;
  }
}

const isText = (t: ColumnType) => t.base === 'text' || t.base === 'varchar';
const lengthOf = (t: ColumnType) => (t.base === 'varchar' ? t.length : Number.POSITIVE_INFINITY);

/** How to convert a column from one type to another, or undefined when it is not supported. */
export function convertColumn(from: ColumnType, to: ColumnType): Conversion | undefined {
  if (isText(from) && isText(to)) {
    if (lengthOf(to) >= lengthOf(from)) return { class: 'widen', rewrite: false };
    const max = lengthOf(to);
    return { class: 'narrow', rewrite: true, loss: (c) => `char_length(${c}) > ${max}` };
  }
  if (from.base === 'numeric' && to.base === 'numeric') {
    if (to.scale >= from.scale)
      return { class: 'widen', rewrite: true, loss: (c) => `abs(${c}) >= ${maxAbs(to.scale)}` };
    return { class: 'narrow', rewrite: true, loss: (c) => `${c} <> round(${c}, ${to.scale})` };
  }
  if (from.base === 'bigint' && to.base === 'numeric')
    return { class: 'widen', rewrite: true, loss: (c) => `abs(${c}) >= ${maxAbs(to.scale)}` };
  if (from.base === 'numeric' && to.base === 'bigint')
    return { class: 'narrow', rewrite: true, loss: (c) => `${c} <> trunc(${c})` };
  if (from.base === 'date' && to.base === 'timestamptz') return { class: 'widen', rewrite: true };
  if (from.base === 'timestamptz' && to.base === 'date')
    return { class: 'narrow', rewrite: true, loss: (c) => `${c}::date::timestamptz <> ${c}` };
  if (from.base === 'text[]' && isText(to)) {
    const max = lengthOf(to);
    return {
      class: 'narrow',
      rewrite: true,
      using: (c) => `${c}[1]`,
      loss: (c) =>
        Number.isFinite(max) ? `cardinality(${c}) > 1 OR char_length(${c}[1]) > ${max}` : `cardinality(${c}) > 1`,
    };
  }
  if (isText(from) && to.base === 'text[]')
    return {
      class: 'change',
      rewrite: true,
      using: (c) => `CASE WHEN ${c} IS NULL THEN NULL ELSE ARRAY[${c}::text] END`,
    };
  if (isText(to)) {
    // Anything scalar reads as text; only the length can be too short.
    const max = lengthOf(to);
    return {
      class: 'change',
      rewrite: true,
      using: (c) => `${c}::text`,
      ...(Number.isFinite(max) ? { loss: (c: string) => `char_length(${c}::text) > ${max}` } : {}),
    };
  }
  if (isText(from)) {
    const p = textPattern(to);
    if (!p) return undefined;
    const op = p.ci ? '!~*' : '!~';
    return {
      class: 'change',
      rewrite: true,
      using: (c) => `${cleaned(c)}::${typeSql(to)}`,
      loss: (c) => `${cleaned(c)} IS NOT NULL AND ${cleaned(c)} ${op} ${stringLiteral(p.pattern)}`,
    };
  }
  return undefined;
}
