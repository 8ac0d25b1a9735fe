/**
 * Parses and checks an aggregate request (`groupBy=stage,close_on:month&sum=amount&count=true`, or the
 * same as a JSON body) against the object's fields and the user's field access, collecting every
 * problem before anything runs. The result is pure data that aggregate-sql.ts compiles.
 */
import type { MetadataIssueCode } from '@forma/metadata';
import { type FieldErrors, validationFailed } from '../errors';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import { isIdentifier } from '../model/naming';
import type { FieldAccess } from '../permissions/object-access';
import { type PathHop, userField } from './parse-filter';

export type DateBucket = 'day' | 'week' | 'month' | 'quarter' | 'year';
export type MeasureOp = 'sum' | 'avg' | 'min' | 'max';

/**
 * Where a group key or measure reads its value: a field of the object, or (`account.region.name`)
 * a field reached through up to `MAX_PATH_HOPS` lookups, which the SQL joins.
 */
export interface FieldPath {
  /** The path as written (`stage`, `account.city`). */
  field: string;
  /** Lookups followed, in order (empty for the object's own field). */
  hops: PathHop[];
  /** The field the value is read from (on the last hop's target, or the users table). */
  target: FieldModel;
}

export type GroupKey =
  | ({ key: string; kind: 'value' } & FieldPath)
  | ({ key: string; kind: 'date'; bucket: DateBucket } & FieldPath)
  /** Days elapsed since the date (as of `asOf`), in buckets: `current` (not yet due), `1-30`, … `181+`. */
  | ({ key: string; kind: 'age'; limits: readonly number[] } & FieldPath);

export interface Measure extends FieldPath {
  key: string;
  op: MeasureOp;
}

export interface AggregateSpec {
  groupBy: GroupKey[];
  count: boolean;
  measures: Measure[];
  /** Output keys to order the groups by (default: the group keys, ascending). */
  sort: { key: string; desc: boolean }[];
  limit: number;
  /** Day the `age` buckets are computed for, `YYYY-MM-DD`. */
  asOf: string;
  filter: unknown;
}

/** What a client sends: query-string text or JSON values. */
export interface AggregateInput {
  groupBy?: string | string[];
  count?: boolean | string;
  sum?: string | string[];
  avg?: string | string[];
  min?: string | string[];
  max?: string | string[];
  sort?: string | string[];
  limit?: number | string;
  asOf?: string;
  filter?: unknown;
}

export const DEFAULT_AGE_LIMITS = [30, 60, 90, 180] as const;
export const MAX_GROUP_KEYS = 4;
export const MAX_MEASURES = 20;
export const DEFAULT_GROUP_LIMIT = 1000;
export const MAX_GROUP_LIMIT = 10_000;
/** Lookups a group key, measure or filter path may follow (`order.account.region.name` is three). */
export const MAX_PATH_HOPS = 3;

const DATE_BUCKETS = new Set<DateBucket>(['day', 'week', 'month', 'quarter', 'year']);
const NUMERIC = new Set(['number', 'currency', 'percent', 'integer']);
const ORDERED = new Set([...NUMERIC, 'date', 'datetime']);
/** Kinds whose values make no useful group (long text, arrays, line items). */
const NOT_GROUPABLE = new Set(['textarea', 'multiselect', 'children']);
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  const parts = Array.isArray(v) ? v : v.split(',');
  return parts.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '');
}

function flag(v: boolean | string | undefined): boolean {
  return v === true || v === 'true' || v === '1';
}

export interface SpecContext {
  object: ObjectModel;
  /** Field access of the user (fields not listed are `edit`). */
  fields: Readonly<Record<string, FieldAccess>>;
  /** Needed for dotted paths: the model the lookups' targets are found in. */
  model?: Model;
  /**
   * Field access of the user on an object a path reaches, `null` when they may not read it at all
   * (absent: every field of every object, as for the metadata check of a saved report).
   */
  related?: (object: string) => Readonly<Record<string, FieldAccess>> | null;
  /** Users' e-mail addresses are for tenant admins (as in filters). */
  userEmails?: boolean;
  /** Today, `YYYY-MM-DD` (from the runtime clock), the default for `asOf`. */
  today: string;
}

/**
 * One refused part of an aggregate request: English words, and a metadata issue code with its facts
 * so a report's save-time check can say it in the admin's language.
 */
export interface AggregateProblem {
  message: string;
  code: MetadataIssueCode;
  params?: Record<string, string | number>;
}

export function parseAggregateSpec(input: AggregateInput, sc: SpecContext): AggregateSpec {
  const { spec, problems } = checkAggregateSpec(input, sc);
  if (!spec) {
    const errors: FieldErrors = Object.fromEntries(Object.entries(problems).map(([k, p]) => [k, p.message]));
    throw validationFailed('The aggregate request is not valid', errors);
  }
  return spec;
}

/** The spec, or (spec undefined) every refused parameter's first problem, keyed by parameter. */
export function checkAggregateSpec(
  input: AggregateInput,
  sc: SpecContext,
): { spec?: AggregateSpec; problems: Record<string, AggregateProblem> } {
  const errors: Record<string, AggregateProblem> = {};
  const fail = (param: string, message: string, code: MetadataIssueCode, params?: AggregateProblem['params']) => {
    errors[param] ??= { message, code, ...(params ? { params } : {}) };
  };
  const fieldFor = (name: string, param: string): FieldPath | undefined => {
    const resolved = resolveFieldPath(name, sc);
    if ('message' in resolved) {
      errors[param] ??= resolved;
      return undefined;
    }
    return resolved;
  };

  const groupBy: GroupKey[] = [];
  const groupParts = list(input.groupBy);
  if (groupParts.length > MAX_GROUP_KEYS)
    fail('groupBy', `At most ${MAX_GROUP_KEYS} group keys`, 'aggregate_too_many_groups', { limit: MAX_GROUP_KEYS });
  for (const part of groupParts.slice(0, MAX_GROUP_KEYS)) {
    if (typeof part !== 'string') {
      fail('groupBy', 'Group keys are field names', 'aggregate_group_not_name');
      continue;
    }
    const [name = '', bucket, extra] = part.split(':');
    const p = fieldFor(name, 'groupBy');
    if (!p) continue;
    const f = p.target;
    if (groupBy.some((g) => g.key === part)) {
      fail('groupBy', `Group key repeated: ${part}`, 'aggregate_group_repeated', { field: part });
      continue;
    }
    if (bucket === undefined) {
      if (NOT_GROUPABLE.has(f.resultKind))
        fail('groupBy', `Cannot group by ${p.field} (${f.resultKind})`, 'aggregate_not_groupable', { field: p.field });
      else groupBy.push({ key: part, ...p, kind: 'value' });
      continue;
    }
    const isDate = f.resultKind === 'date' || f.resultKind === 'datetime';
    if (!isDate) {
      fail('groupBy', `${p.field} is not a date: it has no ${bucket}`, 'aggregate_bucket_not_date', {
        field: p.field,
        bucket,
      });
    } else if (bucket === 'age') {
      const limits = extra === undefined ? [...DEFAULT_AGE_LIMITS] : extra.split('-').map(Number);
      const valid =
        limits.length > 0 &&
        limits.length <= 12 &&
        limits.every((n, i) => Number.isInteger(n) && n > 0 && n <= 36_500 && (i === 0 || n > (limits[i - 1] ?? 0)));
      if (!valid)
        fail(
          'groupBy',
          'Age buckets are increasing day counts, e.g. due_on:age:30-60-90-180',
          'aggregate_age_buckets',
          { field: p.field },
        );
      else groupBy.push({ key: part, ...p, kind: 'age', limits });
    } else if (DATE_BUCKETS.has(bucket as DateBucket) && extra === undefined) {
      groupBy.push({ key: part, ...p, kind: 'date', bucket: bucket as DateBucket });
    } else {
      fail(
        'groupBy',
        `Unknown date bucket "${bucket}" (day, week, month, quarter, year or age)`,
        'aggregate_unknown_bucket',
        { bucket },
      );
    }
  }

  const measures: Measure[] = [];
  for (const op of ['sum', 'avg', 'min', 'max'] as const) {
    for (const name of list(input[op])) {
      const p = fieldFor(name, op);
      if (!p) continue;
      const f = p.target;
      const allowed = op === 'sum' || op === 'avg' ? NUMERIC : ORDERED;
      if (!allowed.has(f.resultKind)) {
        const numeric = op === 'sum' || op === 'avg';
        fail(
          op,
          `${op} needs a ${numeric ? 'numeric' : 'numeric or date'} field: ${p.field}`,
          numeric ? 'aggregate_needs_number' : 'aggregate_needs_number_or_date',
          { fn: op, field: p.field },
        );
        continue;
      }
      const key = `${op}_${p.field}`;
      if (!measures.some((m) => m.key === key)) measures.push({ key, op, ...p });
    }
  }
  if (measures.length > MAX_MEASURES)
    fail('sum', `At most ${MAX_MEASURES} measures`, 'aggregate_too_many_measures', { limit: MAX_MEASURES });
  const count = flag(input.count) || measures.length === 0;

  const outputKeys = new Set([
    ...groupBy.map((g) => g.key),
    ...measures.map((m) => m.key),
    ...(count ? ['count'] : []),
  ]);
  const sort: AggregateSpec['sort'] = [];
  for (const s of list(input.sort)) {
    const desc = s.startsWith('-');
    const key = desc ? s.slice(1) : s;
    if (!outputKeys.has(key))
      fail('sort', `Sort by a group key or a measure of this request: ${key}`, 'aggregate_sort_unknown', {
        column: key,
      });
    else sort.push({ key, desc });
  }

  let limit = DEFAULT_GROUP_LIMIT;
  if (input.limit !== undefined) {
    const n = Number(input.limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_GROUP_LIMIT)
      fail('limit', `An integer from 1 to ${MAX_GROUP_LIMIT}`, 'aggregate_limit', { limit: MAX_GROUP_LIMIT });
    else limit = n;
  }

  const asOf = input.asOf ?? sc.today;
  if (typeof asOf !== 'string' || !ISO_DAY.test(asOf) || Number.isNaN(Date.parse(asOf))) {
    fail('asOf', 'A date, YYYY-MM-DD', 'aggregate_as_of');
  }

  if (Object.keys(errors).length) return { problems: errors };
  return { spec: { groupBy, count, measures, sort, limit, asOf, filter: input.filter }, problems: {} };
}

/** Label of age bucket `index` for the given limits: 0 → `current`, then `1-30`, `31-60`, …, `181+`. */
export function ageLabel(index: number, limits: readonly number[]): string {
  if (index <= 0) return 'current';
  const upper = limits[index - 1];
  const lower = index === 1 ? 1 : (limits[index - 2] ?? 0) + 1;
  return upper === undefined ? `${(limits[limits.length - 1] ?? 0) + 1}+` : `${lower}-${upper}`;
}

/**
 * `account.region.name` → the lookups followed and the field read, or the refusal naming the path:
 * a segment that is not a name, unknown, hidden by field security or on an object the user may not
 * read (all "Unknown field", as a hidden field of the object itself), a step that is not a lookup,
 * a path of more than `MAX_PATH_HOPS` lookups.
 */
export function resolveFieldPath(name: unknown, sc: SpecContext): FieldPath | AggregateProblem {
  const shown = String(name).slice(0, 200);
  const unknown: AggregateProblem = {
    message: `Unknown field: ${shown}`,
    code: 'aggregate_unknown_field',
    params: { field: shown },
  };
  if (typeof name !== 'string' || !name) return unknown;
  const parts = name.split('.');
  if (parts.length > MAX_PATH_HOPS + 1)
    return {
      message: `Path too long (at most ${MAX_PATH_HOPS} lookups): ${shown}`,
      code: 'aggregate_path_too_long',
      params: { field: shown, limit: MAX_PATH_HOPS },
    };
  // Checked before any lookup, so text that is not a name never reaches a message or SQL.
  if (!parts.every((p) => isIdentifier(p))) return unknown;
  const hops: PathHop[] = [];
  let current: ObjectModel | null = sc.object;
  let access: Readonly<Record<string, FieldAccess>> | null = sc.fields;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    let f: FieldModel | undefined;
    if (current) {
      f = current.fields.get(part);
      if (f && (access === null || access[f.name] === 'none')) f = undefined;
    } else {
      f = part === 'email' && sc.userEmails === false ? undefined : userField(part);
    }
    if (!f?.column) return unknown;
    if (i === parts.length - 1) return { field: name, hops, target: f };
    if (!f.ref)
      return { message: `${part} is not a lookup: ${shown}`, code: 'aggregate_not_lookup', params: { field: part } };
    if (f.ref === 'user') {
      hops.push({ lookup: f, target: null });
      current = null;
      access = null;
      continue;
    }
    const target: ObjectModel | undefined = sc.model?.objects.get(f.ref);
    if (!target) return unknown;
    hops.push({ lookup: f, target });
    current = target;
    access = sc.related ? sc.related(target.name) : {};
  }
  return unknown;
}
