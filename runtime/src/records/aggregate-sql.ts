/**
 * Compiles a checked AggregateSpec onto a query that already selects the user's rows (FROM the
 * object's table, WHERE filter AND permission scope AND not deleted): one GROUP BY statement.
 * Identifiers are bound with `??`; the select list uses fixed aliases (g0…, m0…, n) that are mapped
 * back to the output keys, so nothing a client wrote ever becomes SQL text.
 */
import type { Knex } from 'knex';
import type { Model, ObjectModel } from '../model/load-model';
import { qualified, SYSTEM_TABLE } from '../model/naming';
import type { QueryAccess } from '../permissions/query-access';
import { type AggregateSpec, ageLabel, type FieldPath, type GroupKey } from './aggregate-spec';
import { relatedReadWhere } from './compile-query';

export type AggregateGroup = Record<string, string | number | boolean | null>;

export interface AggregateResult {
  groups: AggregateGroup[];
  /** More groups exist than `limit`. */
  truncated: boolean;
}

/** `column` as the query refers to it (the records compiler may alias the base table). */
export type ColumnRef = (column: string) => string;

const DATE_FORMATS = {
  day: 'YYYY-MM-DD',
  week: 'IYYY-"W"IW',
  month: 'YYYY-MM',
  quarter: 'YYYY-"Q"Q',
  year: 'YYYY',
} as const;

/** Where a path's value is read: `alias.column`, the alias being the base table or a joined one. */
type PathRef = (p: FieldPath) => string;

/** The day of a date or (in UTC) a date-time column. */
function dayExpr(g: GroupKey, ref: PathRef): { sql: string; bindings: string[] } {
  const col = ref(g);
  return g.target.resultKind === 'datetime'
    ? { sql: "(?? at time zone 'UTC')", bindings: [col] }
    : { sql: '??', bindings: [col] };
}

function groupExpr(g: GroupKey, ref: PathRef, asOf: string): { sql: string; bindings: (string | number)[] } {
  if (g.kind === 'value') return { sql: '??', bindings: [ref(g)] };
  const day = dayExpr(g, ref);
  if (g.kind === 'date') return { sql: `to_char(${day.sql}, ?)`, bindings: [...day.bindings, DATE_FORMATS[g.bucket]] };
  // Age bucket index: 0 = not yet due, i = within limits[i-1], limits.length + 1 = older than the last.
  const elapsed = `(?::date - (${day.sql})::date)`;
  const parts: string[] = [`when ${day.sql} is null then null`, `when ${elapsed} <= 0 then 0`];
  const bindings: (string | number)[] = [...day.bindings, asOf, ...day.bindings];
  g.limits.forEach((limit, i) => {
    parts.push(`when ${elapsed} <= ? then ${i + 1}`);
    bindings.push(asOf, ...day.bindings, limit);
  });
  return { sql: `(case ${parts.join(' ')} else ${g.limits.length + 1} end)`, bindings };
}

/** What the joins of dotted paths need: the tenant's schema, the model and the reader's access. */
export interface JoinContext {
  model: Model;
  access: QueryAccess;
  /** The base table's name in the statement. */
  alias: string;
}

/** One LEFT JOIN of a path prefix (`account`, `account.region`): its alias and the column it hangs on. */
interface Join {
  alias: string;
  /** `alias.column` of the lookup in the previous table. */
  on: string;
  target: ObjectModel | null;
}

/**
 * LEFT JOINs for every distinct lookup prefix of the spec's paths (shared: `account.city` and
 * `account.name` join account once), each restricted to the reader's scope on the joined object
 * (`relatedReadWhere`), so a parent the reader may not read joins as absent: its fields read null
 * and the child row still counts. `hidden` tells, per path, when that happened.
 */
function planJoins(paths: FieldPath[], baseAlias: string) {
  const joins = new Map<string, Join>();
  const aliasOf = (p: FieldPath): string => {
    let prev = baseAlias;
    let prefix = '';
    for (const hop of p.hops) {
      prefix = prefix ? `${prefix}.${hop.lookup.name}` : hop.lookup.name;
      let j = joins.get(prefix);
      if (!j) {
        j = { alias: `_j${joins.size + 1}`, on: `${prev}.${hop.lookup.column}`, target: hop.target };
        joins.set(prefix, j);
      }
      prev = j.alias;
    }
    return prev;
  };
  for (const p of paths) aliasOf(p);
  /** True when a lookup on the path holds a value whose row did not join (unreadable or deleted). */
  const hidden = (p: FieldPath): { sql: string; bindings: string[] } | null => {
    const parts: string[] = [];
    const bindings: string[] = [];
    let prefix = '';
    for (const hop of p.hops) {
      prefix = prefix ? `${prefix}.${hop.lookup.name}` : hop.lookup.name;
      const j = joins.get(prefix) as Join;
      if (!j.target) continue; // users always join
      parts.push('(?? is not null and ?? is null)');
      bindings.push(j.on, `${j.alias}.id`);
    }
    return parts.length ? { sql: `(${parts.join(' or ')})`, bindings } : null;
  };
  return { joins, ref: (p: FieldPath) => `${aliasOf(p)}.${p.target.column}`, hidden };
}

export function buildAggregateQuery(
  qb: Knex.QueryBuilder,
  db: Knex | Knex.Transaction,
  object: ObjectModel,
  spec: AggregateSpec,
  ref: ColumnRef = (c) => c,
  join?: JoinContext,
  /** `hiddenKeys: false`: no "(hidden)" flag per group key (a caller that drops null keys anyway). */
  opts: { hiddenKeys?: boolean } = {},
): Knex.QueryBuilder {
  const plan = planJoins([...spec.groupBy, ...spec.measures], join?.alias ?? object.table);
  if (plan.joins.size && !join) throw new Error('dotted aggregate paths need a join context');
  const pathRef: PathRef = (p) => (p.hops.length ? plan.ref(p) : ref(p.target.column as string));
  const selects: Knex.Raw[] = [];
  const alias = new Map<string, string>();
  const grouped: string[] = [];
  spec.groupBy.forEach((g, i) => {
    const e = groupExpr(g, pathRef, spec.asOf);
    selects.push(db.raw(`${e.sql} as ??`, [...e.bindings, `g${i}`]));
    alias.set(g.key, `g${i}`);
    grouped.push(`g${i}`);
    const h = opts.hiddenKeys === false ? null : plan.hidden(g);
    if (h) {
      selects.push(db.raw(`${h.sql} as ??`, [...h.bindings, `h${i}`]));
      grouped.push(`h${i}`);
    }
  });
  spec.measures.forEach((m, i) => {
    // avg of a bigint is numeric; sum of a bigint is numeric too: both arrive as numbers.
    selects.push(db.raw(`${m.op}(??) as ??`, [pathRef(m), `m${i}`]));
    alias.set(m.key, `m${i}`);
  });
  if (spec.count) {
    selects.push(db.raw('count(*) as ??', ['n']));
    alias.set('count', 'n');
  }
  const q = qb.clearSelect().clearOrder().select(selects);
  if (join) {
    for (const j of plan.joins.values()) {
      if (!j.target) {
        // Users are joined whole (names are readable to everyone; e-mails were checked by the spec).
        const users = db
          .select(`${j.alias}.*`)
          .from({ [j.alias]: qualified(join.access.schema, SYSTEM_TABLE.users) })
          .as(j.alias);
        q.leftJoin(users, `${j.alias}.id`, j.on);
        continue;
      }
      // The reader's scope on the joined object is applied inside the joined sub-query (not in the
      // outer WHERE), so the child row stays and only the parent's values are withheld.
      const rows = db
        .select(`${j.alias}.*`)
        .from({ [j.alias]: qualified(join.access.schema, j.target.table) })
        .where(relatedReadWhere(join.model, j.target, join.access, j.alias))
        .as(j.alias);
      q.leftJoin(rows, `${j.alias}.id`, j.on);
    }
  }
  for (const g of grouped) q.groupByRaw('??', [g]);
  for (const s of spec.sort) q.orderByRaw(`?? ${s.desc ? 'desc' : 'asc'} nulls last`, [alias.get(s.key) as string]);
  spec.groupBy.forEach((_g, i) => {
    q.orderByRaw('?? asc nulls last', [`g${i}`]);
  });
  return q.limit(spec.limit + 1);
}

/** Maps rows of the aggregate query back to the request's output keys. */
export function aggregateRows(rows: Record<string, unknown>[], spec: AggregateSpec): AggregateResult {
  const truncated = rows.length > spec.limit;
  const groups = rows.slice(0, spec.limit).map((row) => {
    const out: AggregateGroup = {};
    spec.groupBy.forEach((g, i) => {
      const v = row[`g${i}`];
      out[g.key] = g.kind === 'age' && v !== null ? ageLabel(Number(v), g.limits) : toJson(v);
      // The path's lookup holds a record the reader may not read: a group of its own ("(hidden)").
      if (row[`h${i}`] === true) out[`${g.key}:hidden`] = true;
    });
    spec.measures.forEach((m, i) => {
      out[m.key] = toJson(row[`m${i}`]);
    });
    if (spec.count) out.count = Number(row.n);
    return out;
  });
  return { groups, truncated };
}

function toJson(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return v as string | number | boolean;
}
