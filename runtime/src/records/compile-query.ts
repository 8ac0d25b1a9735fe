/**
 * Filter + permission scope → one parameterized knex WHERE. The user's filter and the permission
 * engine's row filter are the same language, so one compiler serves both and they end up AND-ed in
 * the same statement: nothing is filtered after fetching. Identifiers only ever reach SQL through
 * `??` bindings (validated names from the model), values only through `?` bindings.
 */
import type { Knex } from 'knex';
import type { Model, ObjectModel } from '../model/load-model';
import { qualified, SYSTEM_TABLE } from '../model/naming';
import type { FieldAccess, ObjectAccess } from '../permissions/object-access';
import type { QueryAccess } from '../permissions/query-access';
import { type Condition, type FilterNode, parseFilter } from './parse-filter';

export type { QueryAccess } from '../permissions/query-access';

export type WhereFn = (qb: Knex.QueryBuilder) => void;

const NO_FIELDS: Readonly<Record<string, FieldAccess>> = Object.freeze({});

/**
 * The WHERE of a query on `object` for operation `op`: live records (unless `deleted` says
 * otherwise), within the reader's row scope, matching the client's `filter` (JSON text or data).
 * The table must be in the FROM clause under its own name (`tableOf(object)`, no alias).
 */
export function compileFilter(
  model: Model,
  object: ObjectModel,
  filter: unknown,
  access: QueryAccess,
  op: 'read' | 'update' | 'delete' = 'read',
  opts: { deleted?: boolean | 'any'; maxHops?: number; noSegments?: boolean } = {},
): WhereFn {
  const fieldAccess = (name: string) =>
    name === object.name ? access.access.fields : (access.related.get(name)?.fields ?? NO_FIELDS);
  const userFilter = parseFilter(model, object, filter, {
    fieldAccess,
    ...(access.userEmails === false ? { userEmails: false } : {}),
    ...(opts.maxHops ? { maxHops: opts.maxHops } : {}),
    ...(access.user ? { me: access.user } : {}),
    ...(access.reader ? { reader: access.reader } : {}),
    ...(opts.noSegments ? { noSegments: true } : {}),
  });
  const scope = scopeNode(model, object, access.access, op);
  const compiler = new Compiler(model, access);
  const at: Place = { alias: object.table, object: object.name };
  return (qb) => {
    if (opts.deleted !== 'any') {
      if (opts.deleted) qb.whereNotNull(`${at.alias}.deleted_at`);
      else qb.whereNull(`${at.alias}.deleted_at`);
    }
    if (scope) qb.where((b) => compiler.node(b, scope, at));
    if (userFilter) qb.where((b) => compiler.node(b, userFilter, at));
  };
}

/** The permission engine's row filter of `op`, parsed with `$`-operators allowed; null = every row. */
function scopeNode(
  model: Model,
  object: ObjectModel,
  access: ObjectAccess,
  op: 'read' | 'update' | 'delete',
): FilterNode | null {
  if (!access.can[op]) return { kind: 'or', items: [] };
  const rowFilter = access.rowFilter[op];
  if (!rowFilter) return null;
  return parseFilter(model, object, rowFilter, { fieldAccess: () => NO_FIELDS, trusted: true });
}

/**
 * The reader's read scope on a related object `target` held under `alias` (a joined table): its
 * live rows the reader may read, or no row when they may not read the object at all. Used by the
 * aggregate engine's LEFT JOINs, so a joined row outside the reader's scope joins as absent.
 */
export function relatedReadWhere(model: Model, target: ObjectModel, access: QueryAccess, alias: string): WhereFn {
  const targetAccess = target.name === access.access.object ? access.access : access.related.get(target.name);
  const scope = targetAccess?.can.read
    ? targetAccess.rowFilter.read
      ? parseFilter(model, target, targetAccess.rowFilter.read, { fieldAccess: () => NO_FIELDS, trusted: true })
      : null
    : ({ kind: 'or', items: [] } as FilterNode);
  const compiler = new Compiler(model, access, alias);
  return (qb) => {
    qb.whereNull(`${alias}.deleted_at`);
    if (scope) qb.where((b) => compiler.node(b, scope, { alias, object: target.name }));
  };
}

/** Where a condition applies: the table alias in the statement and the object it holds. */
interface Place {
  alias: string;
  object: string;
}

class Compiler {
  /** Numbers the sub-query aliases of one statement (`_h1`, `_h2`…): never an object name. */
  private hopCount = 0;

  constructor(
    private readonly model: Model,
    private readonly access: QueryAccess,
    /** Prefix of sub-query aliases, distinct per compiler used in one statement. */
    private readonly hopPrefix = '',
  ) {}

  node(qb: Knex.QueryBuilder, node: FilterNode, at: Place): void {
    if (node.kind === 'and') {
      for (const item of node.items) qb.where((b) => this.node(b, item, at));
      return;
    }
    if (node.kind === 'or') {
      // An empty OR is false (no row), as in logic; an empty AND above is true.
      if (!node.items.length) qb.whereRaw('false');
      else
        qb.where((b) => {
          for (const item of node.items) b.orWhere((c) => this.node(c, item, at));
        });
      return;
    }
    this.condition(qb, node as Condition, at);
  }

  private condition(qb: Knex.QueryBuilder, c: Condition, at: Place): void {
    const { schema } = this.access;
    const { alias } = at;
    if (c.kind === 'teamOf') {
      qb.whereRaw(`?? in (select "descendant" from ?? where "ancestor" = ?)`, [
        `${alias}.${c.field.column}`,
        qualified(schema, SYSTEM_TABLE.userTree),
        c.user,
      ]);
      return;
    }
    if (c.kind === 'sharedWith') {
      const levels = c.share.level === 'read' ? ['read', 'edit'] : ['edit'];
      qb.whereRaw(
        `?? in (select "record_id" from ?? where "object" = ? and ("user_id" = ? or "role" = any(?)) and "level" = any(?))`,
        [`${alias}.id`, qualified(schema, SYSTEM_TABLE.recordShares), at.object, c.share.user, c.share.roles, levels],
      );
      return;
    }
    if (!c.hops.length) {
      this.leaf(qb, `${alias}.${c.field.column}`, c);
      return;
    }
    // `account.name` → account in (select id from account where name … and <reader's scope on account>)
    this.through(qb, `${alias}.${c.hops[0]!.lookup.column}`, c, 0);
  }

  /** The last step of a condition: a comparison, or membership of a stored segment. */
  private leaf(qb: Knex.QueryBuilder, column: string, c: PathCondition): void {
    if (c.kind === 'cmp') comparison(qb, column, c);
    else
      qb.whereRaw('?? in (select "record_id" from ?? where "segment" = ?)', [
        column,
        qualified(this.access.schema, SYSTEM_TABLE.segmentMembers),
        c.segment,
      ]);
  }

  private through(qb: Knex.QueryBuilder, column: string, c: PathCondition, hop: number): void {
    const { target } = c.hops[hop]!;
    this.hopCount += 1;
    const sub = `_h${this.hopPrefix}${this.hopCount}`;
    const table = target ? target.table : SYSTEM_TABLE.users;
    const { access, model } = this;
    const self = this;
    qb.whereIn(column, function (this: Knex.QueryBuilder) {
      this.select(`${sub}.id`).from({ [sub]: qualified(access.schema, table) });
      if (target) {
        this.whereNull(`${sub}.deleted_at`);
        const targetAccess = access.related.get(target.name);
        if (!targetAccess?.can.read) this.whereRaw('false');
        else if (targetAccess.rowFilter.read) {
          // The related object's scope is the same language: compile it on the sub-query's alias.
          const scope = parseFilter(model, target, targetAccess.rowFilter.read, {
            fieldAccess: () => NO_FIELDS,
            trusted: true,
          });
          if (scope) this.where((b) => self.node(b, scope, { alias: sub, object: target.name }));
        }
      }
      if (hop + 1 < c.hops.length) self.through(this, `${sub}.${c.hops[hop + 1]!.lookup.column}`, c, hop + 1);
      else self.leaf(this, `${sub}.${c.field.column}`, c);
    });
  }
}

type PathCondition = Extract<Condition, { kind: 'cmp' | 'inSegment' }>;

/** Operators that are one SQL operator between the column and a bound value (never user text). */
const SCALAR_OPS = {
  eq: '=',
  // Null is "not equal" to any value: `ne` keeps records without a value, as users expect.
  ne: 'is distinct from',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
} as const;

function comparison(qb: Knex.QueryBuilder, column: string, c: Extract<Condition, { kind: 'cmp' }>): void {
  const multi = c.field.columnType?.base === 'text[]';
  const v = c.value;
  if (Object.hasOwn(SCALAR_OPS, c.op)) {
    qb.whereRaw(`?? ${SCALAR_OPS[c.op as keyof typeof SCALAR_OPS]} ?`, [column, v as Knex.Value]);
    return;
  }
  switch (c.op) {
    case 'in':
      if (multi) qb.whereRaw('?? && ?', [column, v as Knex.Value]);
      else qb.whereRaw('?? = any(?)', [column, v as Knex.Value]);
      return;
    case 'nin':
      qb.whereRaw('(?? is null or not (?? = any(?)))', [column, column, v as Knex.Value]);
      return;
    case 'contains':
      if (multi) qb.whereRaw('? = any(??)', [v as Knex.Value, column]);
      else qb.whereRaw(`?? ilike ? escape '\\'`, [column, `%${escapeLike(v as string)}%`]);
      return;
    case 'startsWith':
      qb.whereRaw(`?? ilike ? escape '\\'`, [column, `${escapeLike(v as string)}%`]);
      return;
    case 'isNull':
      if (multi)
        qb.whereRaw(v ? '(?? is null or cardinality(??) = 0)' : 'cardinality(??) > 0', v ? [column, column] : [column]);
      else if (v) qb.whereNull(column);
      else qb.whereNotNull(column);
      return;
  }
}

/** LIKE wildcards in user text match themselves. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}
