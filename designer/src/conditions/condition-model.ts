import { fieldLabel } from '../i18n/pick-label';
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

/**
 * Where a condition may read through lookups (`account.city`, `order_line.product.category`): the
 * tenant's objects and how many lookups a path may cross. Only where the server follows paths in
 * filters (reports: three lookups, docs/analytics.md); without it conditions name the object's own
 * fields, as form logic and workflow conditions need.
 */
export interface ConditionLookups {
  objects: Record<string, ObjectSchema | null | undefined>;
  /** At most this many lookups in a path (the server's limit). */
  hops: number;
}

/** What a lookup to a user may be tested on (the server's user lookup fields). */
export const USER_LOOKUP_SCHEMA: ObjectSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', 'x-i18n': { 'zh-CN': { title: '姓名' } } },
    email: { type: 'string', format: 'email', title: 'E-mail', 'x-i18n': { 'zh-CN': { title: '邮箱' } } },
  },
} as ObjectSchema;

/** The schema a lookup leads to (`user`: a user's name and e-mail), undefined when it leads nowhere known. */
function targetOf(f: FieldSchema | undefined, lookups: ConditionLookups): ObjectSchema | undefined {
  const ref = f?.['x-ref'];
  if (typeof ref !== 'string') return undefined;
  if (ref === 'user') return USER_LOOKUP_SCHEMA;
  return lookups.objects[ref] ?? undefined;
}

/**
 * The field a condition's path ends on: one of the object's own, or (with `lookups`) one read
 * through up to `hops` lookups. Hidden fields and line items are never reached through a lookup.
 */
export function fieldAtPath(schema: ObjectSchema, path: string, lookups?: ConditionLookups): FieldSchema | undefined {
  const segs = path.split('.');
  // The object's own fields read as they always have (form logic, list filters, rules).
  if (segs.length === 1) return schema.properties?.[path];
  if (!lookups || segs.length > lookups.hops + 1) return undefined;
  let on: ObjectSchema | undefined = schema;
  let field: FieldSchema | undefined;
  for (const [i, seg] of segs.entries()) {
    field = on?.properties?.[seg];
    if (!field || field['x-access'] === 'none') return undefined;
    if (i < segs.length - 1) {
      on = lookups ? targetOf(field, lookups) : undefined;
      if (!on) return undefined;
    }
  }
  return field && valueKind(field) !== 'children' ? field : undefined;
}

/** A path's label as people read it: `account.city` → "Account › City". */
export function pathLabel(schema: ObjectSchema, path: string, lang: string, lookups?: ConditionLookups): string {
  const segs = path.split('.');
  const labels: string[] = [];
  let on: ObjectSchema | undefined = schema;
  for (const seg of segs) {
    labels.push(fieldLabel(on, seg, lang));
    on = lookups ? targetOf(on?.properties?.[seg], lookups) : undefined;
  }
  return labels.join(' › ');
}

/** One choice of the field picker: a field to test, or a lookup to open (`expand`). */
export interface FieldChoice {
  /** The path; for a lookup to open, the lookup's path. */
  value: string;
  label: string;
  expand?: boolean;
}

/**
 * The field picker's choices for a row on `path`: the object's own fields, each lookup offered to
 * open (›), and for every lookup the path goes through, its target's fields ("Account › City").
 * Lookups inside a target are only opened, never compared by id: people pick names.
 */
export function fieldChoices(
  schema: ObjectSchema,
  path: string,
  lang: string,
  lookups?: ConditionLookups,
): Array<{ label: string; choices: FieldChoice[] }> {
  const own = conditionFields(schema).map((name) => ({ value: name, label: fieldLabel(schema, name, lang) }));
  if (!lookups) return [{ label: '', choices: own }];
  const opens = (on: ObjectSchema, prefix: string, depth: number): FieldChoice[] =>
    depth >= lookups.hops
      ? []
      : Object.entries(on.properties ?? {})
          .filter(([, f]) => f['x-access'] !== 'none' && targetOf(f, lookups))
          .map(([name]) => ({
            value: `${prefix}${name}`,
            label: `${pathLabel(schema, `${prefix}${name}`, lang, lookups)} ›`,
            expand: true,
          }));
  const groups = [{ label: '', choices: [...own, ...opens(schema, '', 0)] }];
  const segs = path.split('.');
  let on: ObjectSchema | undefined = schema;
  for (let i = 0; i < segs.length - 1 && i < lookups.hops; i++) {
    on = targetOf(on?.properties?.[segs[i] as string], lookups);
    if (!on) break;
    const prefix = `${segs.slice(0, i + 1).join('.')}.`;
    const fields = conditionFields(on)
      .filter((name) => !targetOf(on?.properties?.[name], lookups))
      .map((name) => ({ value: `${prefix}${name}`, label: pathLabel(schema, `${prefix}${name}`, lang, lookups) }));
    groups.push({
      label: pathLabel(schema, prefix.slice(0, -1), lang, lookups),
      choices: [...fields, ...opens(on, prefix, i + 1)],
    });
  }
  return groups;
}

/** The path a row moves to when a lookup is opened: the target's label field, else its first field. */
export function openLookup(schema: ObjectSchema, lookup: string, lookups: ConditionLookups): string {
  const target = targetOf(fieldAtPath(schema, lookup, lookups), lookups);
  if (!target) return lookup;
  const names = conditionFields(target).filter((n) => !targetOf(target.properties?.[n], lookups));
  const labelField = target['x-label-field'];
  const first =
    (typeof labelField === 'string' && names.includes(labelField) ? labelField : undefined) ??
    names.find((n) => n === 'name') ??
    names[0];
  return first ? `${lookup}.${first}` : lookup;
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
export function newRow(schema: ObjectSchema, field: string, lookups?: ConditionLookups): ConditionRow {
  const f = fieldAtPath(schema, field, lookups);
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
  lookups?: ConditionLookups,
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
      const f = fieldAtPath(schema, item.field, lookups);
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
 * A stored filter back as groups, or null when it uses what the builder cannot show (lookup paths
 * without `lookups` or past its hops, unknown fields or shapes): the editor then keeps it as it is.
 */
export function fromFilter(
  filter: Filter | undefined | null,
  schema: ObjectSchema,
  lookups?: ConditionLookups,
): ConditionGroup | null {
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
      if (!fieldAtPath(schema, key, lookups) || !isObject(spec)) return null;
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
