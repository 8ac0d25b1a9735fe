/**
 * Compiles a checked AggregateSpec onto a query that already selects the user's rows (FROM the
 * object's table, WHERE filter AND permission scope AND not deleted): one GROUP BY statement.
 * Identifiers are bound with `??`; the select list uses fixed aliases (g0…, m0…, n) that are mapped
 * back to the output keys, so nothing a client wrote ever becomes SQL text.
 */
import type { Knex } from 'knex';
import type { ObjectModel } from '../model/load-model';
import { type AggregateSpec, ageLabel, type GroupKey } from './aggregate-spec';

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

function columnOfField(object: ObjectModel, field: string): string {
  const column = object.field(field).column;
  if (!column) throw new Error(`field ${object.name}.${field} has no column`);
  return column;
}

/** The day of a date or (in UTC) a date-time column. */
function dayExpr(object: ObjectModel, g: GroupKey, ref: ColumnRef): { sql: string; bindings: string[] } {
  const col = ref(columnOfField(object, g.field));
  return object.field(g.field).resultKind === 'datetime'
    ? { sql: "(?? at time zone 'UTC')", bindings: [col] }
    : { sql: '??', bindings: [col] };
}

function groupExpr(
  object: ObjectModel,
  g: GroupKey,
  ref: ColumnRef,
  asOf: string,
): { sql: string; bindings: (string | number)[] } {
  if (g.kind === 'value') return { sql: '??', bindings: [ref(columnOfField(object, g.field))] };
  const day = dayExpr(object, g, ref);
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

export function buildAggregateQuery(
  qb: Knex.QueryBuilder,
  db: Knex | Knex.Transaction,
  object: ObjectModel,
  spec: AggregateSpec,
  ref: ColumnRef = (c) => c,
): Knex.QueryBuilder {
  const selects: Knex.Raw[] = [];
  const alias = new Map<string, string>();
  spec.groupBy.forEach((g, i) => {
    const e = groupExpr(object, g, ref, spec.asOf);
    selects.push(db.raw(`${e.sql} as ??`, [...e.bindings, `g${i}`]));
    alias.set(g.key, `g${i}`);
  });
  spec.measures.forEach((m, i) => {
    // avg of a bigint is numeric; sum of a bigint is numeric too: both arrive as numbers.
    selects.push(db.raw(`${m.op}(??) as ??`, [ref(columnOfField(object, m.field)), `m${i}`]));
    alias.set(m.key, `m${i}`);
  });
  if (spec.count) {
    selects.push(db.raw('count(*) as ??', ['n']));
    alias.set('count', 'n');
  }
  const q = qb.clearSelect().clearOrder().select(selects);
  spec.groupBy.forEach((_g, i) => {
    q.groupByRaw('??', [`g${i}`]);
  });
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
