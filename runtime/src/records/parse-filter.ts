/**
 * The records filter language, checked before anything reaches SQL: `{"stage":{"eq":"won"}}`,
 * `{"and":[…]}`, `{"or":[…]}`, dotted lookup paths (`"account.name"`). Produces a small typed tree
 * that `compile-query.ts` turns into a parameterized WHERE. Every refusal is a 400 naming the path.
 */
import { FILTER_OPERATORS, type FilterOperator, USER_LOOKUP_FIELDS } from '@forma/metadata';
import { badRequest } from '../errors';
import type { FieldAccess } from '../permissions/object-access';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import { isIdentifier } from '../model/naming';

/** The two scope operators only the permission engine may produce (never accepted from clients). */
export type ScopeOperator = '$inTeamOf' | '$sharedWith';

export interface SharedWith {
  user: string;
  roles: string[];
  level: 'read' | 'edit';
}

/** One step of a dotted path: the lookup followed from `from` into `table`. */
export interface PathHop {
  lookup: FieldModel;
  /** Target object (`null` for the users table). */
  target: ObjectModel | null;
}

export type Condition =
  | { kind: 'cmp'; hops: PathHop[]; field: FieldModel; op: FilterOperator; value: unknown }
  | { kind: 'teamOf'; field: FieldModel; user: string }
  /** `{"id": {"inSegment": "x"}}` / `{"account": {"inSegment": "x"}}`: the id is a stored member of segment x. */
  | { kind: 'inSegment'; hops: PathHop[]; field: FieldModel; segment: string }
  | { kind: 'sharedWith'; share: SharedWith };

export type FilterNode = { kind: 'and' | 'or'; items: FilterNode[] } | Condition;

export interface ParseOptions {
  /** Field access of the reader per object (`none` fields are unknown to them). */
  fieldAccess(object: string): Readonly<Record<string, FieldAccess>>;
  /** Permission scopes: `$`-operators allowed, field security not applied. */
  trusted?: boolean;
  /** Users' e-mail addresses are for tenant admins: others may not filter on `owner.email`. */
  userEmails?: boolean;
  /** Lookups a path may follow (default `FILTER_LIMITS.pathHops`; reports and aggregates allow 3). */
  maxHops?: number;
  /** The reader's user id: `{"owner": {"inMyTeam": true}}` reads as their team. */
  me?: string;
  /**
   * The reader's roles, for the segments `inSegment` may name (a segment with `roles` is unknown to
   * others); absent: the system, which may name every segment. Admins see every segment.
   */
  reader?: { roles: readonly string[]; admin: boolean };
  /** A segment's own filter: `inSegment` is refused (membership never depends on stored membership). */
  noSegments?: boolean;
}

export const FILTER_LIMITS = { depth: 8, conditions: 200, listItems: 1000, stringLength: 10_000, pathHops: 2 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OPERATORS = new Set<string>(FILTER_OPERATORS);

/** Parses a filter given as JSON text (query parameter) or as data; `undefined`/empty means "no filter". */
export function parseFilter(model: Model, object: ObjectModel, input: unknown, opts: ParseOptions): FilterNode | null {
  let value = input;
  if (typeof input === 'string') {
    if (!input.trim()) return null;
    try {
      value = JSON.parse(input);
    } catch {
      throw badRequest('filter is not valid JSON');
    }
  }
  if (value === undefined || value === null) return null;
  const state = { count: 0 };
  const node = parseNode(model, object, value, opts, 'filter', 0, state);
  return node;
}

function parseNode(
  model: Model,
  object: ObjectModel,
  value: unknown,
  opts: ParseOptions,
  path: string,
  depth: number,
  state: { count: number },
): FilterNode {
  if (depth > FILTER_LIMITS.depth) throw badRequest(`${path}: filter nested too deeply (max ${FILTER_LIMITS.depth})`);
  if (!isPlainObject(value)) throw badRequest(`${path}: must be an object`);
  const items: FilterNode[] = [];
  for (const [key, spec] of Object.entries(value)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(spec)) throw badRequest(`${path}.${key}: must be an array of filters`);
      items.push({
        kind: key,
        items: spec.map((s, i) => parseNode(model, object, s, opts, `${path}.${key}[${i}]`, depth + 1, state)),
      });
      continue;
    }
    items.push(...parseField(model, object, key, spec, opts, `${path}.${safe(key)}`, state));
  }
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

function parseField(
  model: Model,
  object: ObjectModel,
  key: string,
  spec: unknown,
  opts: ParseOptions,
  path: string,
  state: { count: number },
): Condition[] {
  const { hops, field } = resolvePath(model, object, key, opts, path);
  if (!isPlainObject(spec)) throw badRequest(`${path}: must be an object of operators, e.g. {"eq": …}`);
  const out: Condition[] = [];
  for (const [op, raw] of Object.entries(spec)) {
    state.count += 1;
    if (state.count > FILTER_LIMITS.conditions)
      throw badRequest(`filter: too many conditions (max ${FILTER_LIMITS.conditions})`);
    if (op === '$inTeamOf' || op === '$sharedWith') {
      if (!opts.trusted) throw badRequest(`${path}: unknown operator ${safe(op)}`);
      out.push(scopeCondition(field, op, raw, path));
      continue;
    }
    if (op === 'inMyTeam') {
      out.push(myTeamCondition(hops, field, raw, opts, path));
      continue;
    }
    if (op === 'inSegment') {
      out.push(segmentCondition(model, object, hops, field, raw, opts, path));
      continue;
    }
    if (!OPERATORS.has(op)) throw badRequest(`${path}: unknown operator ${safe(op)}`);
    const operator = op as FilterOperator;
    if (!field.operators.includes(operator))
      throw badRequest(`${path}: operator ${operator} is not allowed on ${field.kind} fields`);
    out.push({ kind: 'cmp', hops, field, op: operator, value: checkValue(field, operator, raw, `${path}.${op}`) });
  }
  if (!out.length) throw badRequest(`${path}: no operator given`);
  return out;
}

/** `account.name` → the lookup hops and the final field, refusing unknown, hidden and non-lookup steps. */
function resolvePath(
  model: Model,
  object: ObjectModel,
  key: string,
  opts: ParseOptions,
  path: string,
): { hops: PathHop[]; field: FieldModel } {
  const parts = key.split('.');
  const maxHops = opts.maxHops ?? FILTER_LIMITS.pathHops;
  if (parts.length > maxHops + 1) throw badRequest(`${path}: path too long (at most ${maxHops} lookups)`);
  const hops: PathHop[] = [];
  let current: ObjectModel | null = object;
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    if (!isIdentifier(name)) throw badRequest(`${path}: unknown field`);
    const field: FieldModel | undefined = current
      ? visibleField(current, name, opts)
      : name === 'email' && !opts.trusted && opts.userEmails === false
        ? undefined
        : userField(name);
    if (!field) throw badRequest(`${path}: unknown field`);
    if (i === parts.length - 1) {
      if (!field.column) throw badRequest(`${path}: line items cannot be filtered`);
      return { hops, field };
    }
    if (!field.ref || !field.column) throw badRequest(`${path}: ${safe(name)} is not a lookup`);
    const target: ObjectModel | null = field.ref === 'user' ? null : (model.objects.get(field.ref) ?? null);
    if (field.ref !== 'user' && !target) throw badRequest(`${path}: unknown lookup target`);
    hops.push({ lookup: field, target });
    current = target;
  }
  throw badRequest(`${path}: unknown field`);
}

function visibleField(object: ObjectModel, name: string, opts: ParseOptions): FieldModel | undefined {
  const field = object.fields.get(name);
  if (!field) return undefined;
  if (!opts.trusted && opts.fieldAccess(object.name)[name] === 'none') return undefined;
  return field;
}

const userFields = new Map<string, FieldModel>(
  Object.entries(USER_LOOKUP_FIELDS).map(([name, def]) => [
    name,
    {
      name,
      id: name,
      kind: name === 'id' ? 'lookup' : name === 'email' ? 'email' : 'text',
      resultKind: name === 'id' ? 'lookup' : 'text',
      label: name,
      column: name,
      columnType: name === 'id' ? { base: 'uuid' } : { base: 'text' },
      dbCheck: null,
      required: false,
      readOnly: true,
      system: true,
      unique: false,
      indexed: false,
      operators:
        name === 'id'
          ? ['eq', 'ne', 'in', 'nin', 'isNull']
          : ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'isNull'],
      widget: 'text',
      valueSchema: {},
      definition: def,
    } as FieldModel,
  ]),
);

/** Fields of the users table reachable through a user lookup (`owner.name`). */
export function userField(name: string): FieldModel | undefined {
  return userFields.get(name);
}

/**
 * `{"owner": {"inMyTeam": true}}`: the reader or anyone below them in the manager hierarchy (a
 * dashboard's "my team"). Only ever the reader's own team, so a client cannot probe the org chart
 * through counts; it narrows and never widens (the row scope still applies).
 */
function myTeamCondition(
  hops: PathHop[],
  field: FieldModel,
  raw: unknown,
  opts: ParseOptions,
  path: string,
): Condition {
  if (raw !== true) throw badRequest(`${path}.inMyTeam: must be true`);
  if (hops.length || field.ref !== 'user' || !field.column)
    throw badRequest(`${path}: inMyTeam is allowed on the record's own user fields (owner) only`);
  if (!opts.me) throw badRequest(`${path}: inMyTeam needs a signed-in user`);
  return { kind: 'teamOf', field, user: opts.me };
}

/**
 * `{"id": {"inSegment": "high_value"}}`: the record is a stored member of the segment; on a lookup
 * (`{"account": {"inSegment": …}}`, through paths too) the record it points to is. The segment must
 * be over the object the id belongs to and visible to the reader; an unknown or hidden segment is
 * the same 400, so names do not leak. It narrows and never widens: the row scope still applies.
 */
function segmentCondition(
  model: Model,
  object: ObjectModel,
  hops: PathHop[],
  field: FieldModel,
  raw: unknown,
  opts: ParseOptions,
  path: string,
): Condition {
  if (opts.noSegments) throw badRequest(`${path}: a segment's filter cannot use inSegment`);
  if (typeof raw !== 'string' || !isIdentifier(raw)) throw badRequest(`${path}.inSegment: must be a segment name`);
  const owner = hops.length ? hops[hops.length - 1]!.target : object;
  const target = field.name === 'id' && field.system ? owner?.name : field.ref;
  if (!field.column || !target || target === 'user')
    throw badRequest(`${path}: inSegment is allowed on id and on lookup fields`);
  const segments = (model.document as { segments?: Record<string, { object: string; roles?: string[] }> }).segments;
  const segment = segments && Object.hasOwn(segments, raw) ? segments[raw] : undefined;
  const visible =
    segment &&
    (!opts.reader || opts.reader.admin || !segment.roles || segment.roles.some((r) => opts.reader?.roles.includes(r)));
  if (!segment || !visible) throw badRequest(`${path}.inSegment: unknown segment ${safe(raw)}`);
  if (segment.object !== target)
    throw badRequest(`${path}.inSegment: segment ${safe(raw)} is over ${segment.object}, not ${target}`);
  return { kind: 'inSegment', hops, field, segment: raw };
}

function scopeCondition(field: FieldModel, op: ScopeOperator, raw: unknown, path: string): Condition {
  if (op === '$inTeamOf') {
    if (typeof raw !== 'string' || !UUID.test(raw)) throw badRequest(`${path}: $inTeamOf needs a user id`);
    return { kind: 'teamOf', field, user: raw };
  }
  const share = raw as Partial<SharedWith> | null;
  if (
    !isPlainObject(share) ||
    typeof share.user !== 'string' ||
    !UUID.test(share.user) ||
    !Array.isArray(share.roles) ||
    !share.roles.every((r) => typeof r === 'string') ||
    (share.level !== 'read' && share.level !== 'edit')
  )
    throw badRequest(`${path}: $sharedWith needs {user, roles, level}`);
  return { kind: 'sharedWith', share: { user: share.user, roles: share.roles, level: share.level } };
}

/** Checks an operand against the field's type so that SQL never sees a value of the wrong kind. */
function checkValue(field: FieldModel, op: FilterOperator, raw: unknown, path: string): unknown {
  if (op === 'isNull') {
    if (typeof raw !== 'boolean') throw badRequest(`${path}: must be true or false`);
    return raw;
  }
  if (op === 'in' || op === 'nin') {
    if (!Array.isArray(raw)) throw badRequest(`${path}: must be an array`);
    if (raw.length > FILTER_LIMITS.listItems)
      throw badRequest(`${path}: too many values (max ${FILTER_LIMITS.listItems})`);
    return raw.map((v, i) => scalar(field, v, `${path}[${i}]`));
  }
  if (op === 'contains' || op === 'startsWith') {
    if (typeof raw !== 'string') throw badRequest(`${path}: must be a string`);
    if (raw.length > FILTER_LIMITS.stringLength) throw badRequest(`${path}: too long`);
    return raw;
  }
  return scalar(field, raw, path);
}

function scalar(field: FieldModel, v: unknown, path: string): unknown {
  const base = field.columnType?.base;
  switch (base) {
    case 'numeric':
    case 'bigint':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${path}: must be a number`);
      if (base === 'bigint' && !Number.isSafeInteger(v)) throw badRequest(`${path}: must be an integer`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw badRequest(`${path}: must be true or false`);
      return v;
    case 'uuid':
      if (typeof v !== 'string' || !UUID.test(v)) throw badRequest(`${path}: must be a record id`);
      return v;
    case 'date':
      if (typeof v !== 'string' || !DATE.test(v) || Number.isNaN(Date.parse(v)))
        throw badRequest(`${path}: must be a date (YYYY-MM-DD)`);
      return v;
    case 'timestamptz':
      if (typeof v !== 'string' || v.length > 40 || Number.isNaN(Date.parse(v)))
        throw badRequest(`${path}: must be an ISO 8601 date-time`);
      return new Date(v).toISOString();
    default:
      if (typeof v !== 'string') throw badRequest(`${path}: must be a string`);
      if (v.length > FILTER_LIMITS.stringLength) throw badRequest(`${path}: too long`);
      return v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A client-supplied name, shortened and stripped for an error message. */
export function safe(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}
