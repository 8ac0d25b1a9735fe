import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { type FilterOp, operatorsFor, valueKind } from '../records/field-kind';

/**
 * The condition builder's model: AND/OR groups of "field operator value" rows. It reads and writes
 * the records API's filter language (shared/API.md: `{field: {op: value}}`, `{and: […]}`,
 * `{or: […]}`) — what list views, sharing rules, reports and automation rules' `when` store — so one
 * builder serves all of them.
 */
export type Filter = { [key: string]: unknown };

export interface ConditionRow {
  kind: 'row';
  field: string;
  op: FilterOp;
  /** As typed; lists (is one of) as an array of stored values. */
  value: string | string[];
}

export interface ConditionGroup {
  kind: 'group';
  join: 'and' | 'or';
  items: Array<ConditionRow | ConditionGroup>;
}

export type ConditionProblemCode = 'unknownField' | 'badOperator' | 'needsValue' | 'notANumber' | 'notABoolean';

export interface ConditionProblem {
  /** Index path of the row inside the groups, e.g. `[1, 0]`. */
  at: number[];
  code: ConditionProblemCode;
}

export const emptyGroup = (join: 'and' | 'or' = 'and'): ConditionGroup => ({ kind: 'group', join, items: [] });

/** Operators that take no value. */
export const NO_VALUE_OPS: ReadonlySet<FilterOp> = new Set<FilterOp>(['isNull']);
/** Operators that take a list of values. */
export const LIST_OPS: ReadonlySet<FilterOp> = new Set<FilterOp>(['in', 'nin']);

/** Fields a condition can test: stored values people see (not line items, not hidden ones). */
export function conditionFields(schema: ObjectSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, f]) => valueKind(f) !== 'children' && f['x-access'] !== 'none' && operatorsFor(f).length > 0)
    .map(([name]) => name);
}

export function isPicklist(f: FieldSchema | undefined): boolean {
  return Array.isArray(f?.enum) && (f?.enum ?? []).every((v) => typeof v === 'string');
}

function convert(f: FieldSchema, raw: string): unknown {
  const kind = valueKind(f);
  const text = raw.trim();
  if (kind === 'number' || kind === 'currency' || kind === 'percent' || kind === 'integer') {
    const n = Number(text);
    return text === '' || !Number.isFinite(n) ? Number.NaN : n;
  }
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  return text;
}

/** A new row on `field` with its first operator. */
export function newRow(schema: ObjectSchema, field: string): ConditionRow {
  const f = schema.properties?.[field];
  const ops = f ? operatorsFor(f) : [];
  const op = (ops.includes('eq') ? 'eq' : ops[0]) ?? 'eq';
  return { kind: 'row', field, op, value: '' };
}

/** The row after choosing another operator: list operators keep picks as a list, others as text. */
export function withOperator(row: ConditionRow, op: FilterOp): ConditionRow {
  if (LIST_OPS.has(op)) {
    const value = Array.isArray(row.value) ? row.value : row.value ? [row.value] : [];
    return { ...row, op, value };
  }
  if (op === 'isNull') return { ...row, op, value: 'true' };
  return {
    ...row,
    op,
    value: Array.isArray(row.value)
      ? (row.value[0] ?? '')
      : row.value === 'true' && row.op === 'isNull'
        ? ''
        : row.value,
  };
}

/** The group as a filter, or the problems that keep it from being one (nothing is sent then). */
export function toFilter(
  group: ConditionGroup,
  schema: ObjectSchema,
): { filter: Filter | undefined; problems: ConditionProblem[] } {
  const problems: ConditionProblem[] = [];
  const walk = (g: ConditionGroup, at: number[]): Filter | undefined => {
    const parts: Filter[] = [];
    for (const [i, item] of g.items.entries()) {
      const here = [...at, i];
      if (item.kind === 'group') {
        const inner = walk(item, here);
        if (inner) parts.push(inner);
        continue;
      }
      const f = schema.properties?.[item.field];
      if (!f) {
        problems.push({ at: here, code: 'unknownField' });
        continue;
      }
      if (!operatorsFor(f).includes(item.op)) {
        problems.push({ at: here, code: 'badOperator' });
        continue;
      }
      if (item.op === 'isNull') {
        parts.push({ [item.field]: { isNull: item.value !== 'false' } });
        continue;
      }
      const raws = Array.isArray(item.value) ? item.value.filter((r) => r.trim()) : [item.value];
      if (!raws.length || raws.some((r) => !r.trim())) {
        problems.push({ at: here, code: 'needsValue' });
        continue;
      }
      const values = raws.map((r) => convert(f, r));
      if (values.some((v) => typeof v === 'number' && Number.isNaN(v))) {
        problems.push({ at: here, code: 'notANumber' });
        continue;
      }
      if (values.some((v) => v === undefined)) {
        problems.push({ at: here, code: 'notABoolean' });
        continue;
      }
      parts.push({ [item.field]: { [item.op]: LIST_OPS.has(item.op) ? values : values[0] } });
    }
    if (!parts.length) return undefined;
    return parts.length === 1 && g.join === 'and' ? parts[0] : { [g.join]: parts };
  };
  const filter = walk(group, []);
  return { filter: problems.length ? undefined : filter, problems };
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function rowValue(op: FilterOp, v: unknown): string | string[] | undefined {
  if (LIST_OPS.has(op)) return Array.isArray(v) ? v.map(String) : undefined;
  if (op === 'isNull') return v === false ? 'false' : 'true';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * A stored filter back as groups, or null when it uses what the builder cannot show (dotted lookup
 * paths, `$` tokens' neighbours are fine, unknown shapes): the editor then opens the advanced tab.
 */
export function fromFilter(filter: Filter | undefined | null, schema: ObjectSchema): ConditionGroup | null {
  if (!filter || !Object.keys(filter).length) return emptyGroup();
  const read = (node: unknown, join: 'and' | 'or'): ConditionGroup | null => {
    if (!isObject(node)) return null;
    const items: ConditionGroup['items'] = [];
    for (const [key, spec] of Object.entries(node)) {
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(spec)) return null;
        const inner: ConditionGroup = { kind: 'group', join: key, items: [] };
        for (const s of spec) {
          const g = read(s, 'and');
          if (!g) return null;
          // A one-row AND inside an OR list is that row itself.
          if (g.items.length === 1 && g.join === 'and') inner.items.push(g.items[0] as ConditionRow | ConditionGroup);
          else inner.items.push(g);
        }
        items.push(inner);
        continue;
      }
      if (!schema.properties?.[key] || !isObject(spec)) return null;
      for (const [op, v] of Object.entries(spec)) {
        const value = rowValue(op as FilterOp, v);
        if (value === undefined) return null;
        items.push({ kind: 'row', field: key, op: op as FilterOp, value });
      }
    }
    // `{or: [...]}` alone is that OR group, not an AND around it.
    if (items.length === 1 && items[0]?.kind === 'group') return items[0];
    return { kind: 'group', join, items };
  };
  return read(filter, 'and');
}

/** Replaces the item at `at` (index path) with `next` (null removes it). */
export function updateAt(
  group: ConditionGroup,
  at: number[],
  next: ConditionRow | ConditionGroup | null,
): ConditionGroup {
  const [i, ...rest] = at;
  if (i === undefined) return next?.kind === 'group' ? next : group;
  const items = [...group.items];
  if (!rest.length) {
    if (next) items[i] = next;
    else items.splice(i, 1);
  } else {
    const child = items[i];
    if (child?.kind === 'group') items[i] = updateAt(child, rest, next);
  }
  return { ...group, items };
}
