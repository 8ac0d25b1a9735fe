/**
 * SELECT statements of the records engine: pages with keyset pagination, one record, exact and
 * estimated totals. Column lists come from field security (callers pass readable columns only).
 */
import type { Knex } from 'knex';
import type { ObjectModel } from '../model/load-model';
import type { WhereFn } from './compile-query';
import type { SortKey } from './parse-sort';

/** Prefix of the helper columns carrying sort values as text (stripped before answering). */
export const SORT_VALUE = '__k';

export interface PageQuery {
  columns: readonly string[];
  where: WhereFn[];
  sort: readonly SortKey[];
  after?: (string | null)[];
  limit: number;
}

function base(db: Knex | Knex.Transaction, schema: string, object: ObjectModel) {
  return db.withSchema(schema).from(object.table);
}

/** One page (`limit + 1` rows, so the caller knows whether there is a next page). */
export function selectPage(
  db: Knex | Knex.Transaction,
  schema: string,
  object: ObjectModel,
  q: PageQuery,
): Knex.QueryBuilder {
  const t = object.table;
  const qb = base(db, schema, object).select(q.columns.map((c) => `${t}.${c}`));
  q.sort.forEach((k, i) => {
    qb.select(db.raw('??::text as ??', [`${t}.${k.column}`, `${SORT_VALUE}${i}`]));
  });
  for (const w of q.where) qb.where(w);
  if (q.after) {
    const after = q.after;
    qb.where((b) => keysetAfter(b, t, q.sort, after));
    leadingBound(qb, t, q.sort, after);
  }
  for (const k of q.sort) qb.orderByRaw(`?? ${k.desc ? 'desc' : 'asc'} nulls last`, [`${t}.${k.column}`]);
  return qb.limit(q.limit + 1);
}

/**
 * Rows strictly after the cursor row in the order `k1, k2, …` (nulls last in both directions):
 * OR over i of (k1 = v1 AND … AND k(i-1) = v(i-1) AND k(i) after v(i)).
 */
function keysetAfter(qb: Knex.QueryBuilder, table: string, sort: readonly SortKey[], values: (string | null)[]): void {
  sort.forEach((key, i) => {
    const v = values[i] ?? null;
    if (v === null) return; // nothing sorts after NULL on this key: only ties, handled by later keys
    qb.orWhere((b) => {
      for (let j = 0; j < i; j++) {
        // `=` when the value is known (same meaning as IS NOT DISTINCT FROM, but indexable).
        const prev = `${table}.${sort[j]!.column}`;
        const pv = values[j] ?? null;
        if (pv === null) b.whereNull(prev);
        else b.whereRaw('?? = ?', [prev, pv]);
      }
      const col = `${table}.${key.column}`;
      if (neverNull(key)) b.whereRaw(`?? ${key.desc ? '<' : '>'} ?`, [col, v]);
      else b.where((c) => c.whereRaw(`?? ${key.desc ? '<' : '>'} ?`, [col, v]).orWhereNull(col));
    });
  });
  qb.orWhereRaw('false');
}

/**
 * A redundant range on the first key (`k1 >= v1`, or `<=` descending) AND-ed beside the OR above:
 * it lets an index on k1 start at the cursor instead of scanning every earlier row, so deep pages
 * cost what page 1 costs. The `or is null` arm keeps nulls-last rows of nullable columns.
 */
function leadingBound(qb: Knex.QueryBuilder, table: string, sort: readonly SortKey[], values: (string | null)[]) {
  const first = sort[0];
  const v = values[0] ?? null;
  if (!first || v === null) return;
  const col = `${table}.${first.column}`;
  if (neverNull(first)) qb.whereRaw(`?? ${first.desc ? '<=' : '>='} ?`, [col, v]);
  else qb.where((b) => b.whereRaw(`?? ${first.desc ? '<=' : '>='} ?`, [col, v]).orWhereNull(col));
}

/**
 * The primary key is never NULL, so its `or is null` arm is dead — but PostgreSQL (18) keeps it as a
 * filter, which turns the index range into a scan from the first row (measured by the deep-page
 * benchmark: page 1,000 of the default order read 50,000 rows). Left out for `id`.
 */
function neverNull(key: SortKey): boolean {
  return key.column === 'id';
}

export async function selectCount(db: Knex | Knex.Transaction, schema: string, object: ObjectModel, where: WhereFn[]) {
  const qb = base(db, schema, object).count({ n: '*' });
  for (const w of where) qb.where(w);
  const [row] = await qb;
  return Number(row?.n ?? 0);
}

/** The planner's row estimate for the same WHERE: cheap on any table size, approximate. */
export async function estimateCount(
  db: Knex | Knex.Transaction,
  schema: string,
  object: ObjectModel,
  where: WhereFn[],
): Promise<number> {
  const qb = base(db, schema, object).select(`${object.table}.id`);
  for (const w of where) qb.where(w);
  const { sql, bindings } = qb.toSQL();
  const r = await db.raw(`explain (format json) ${sql}`, bindings as readonly Knex.Value[]);
  const plan = r.rows?.[0]?.['QUERY PLAN']?.[0]?.Plan;
  return Math.max(0, Math.round(Number(plan?.['Plan Rows'] ?? 0)));
}

/**
 * One record by id with the given WHERE (scope, recycle bin state); optionally locked for update.
 * `also`: more expressions answered beside the columns, by name (names that are not field names:
 * `__…`), e.g. whether the row is inside another scope, so that the caller needs no second statement.
 */
export function selectOne(
  db: Knex | Knex.Transaction,
  schema: string,
  object: ObjectModel,
  id: string,
  columns: readonly string[],
  where: WhereFn[],
  lock = false,
  also?: Readonly<Record<string, Knex.Raw>>,
) {
  const t = object.table;
  const qb = base(db, schema, object)
    .select(columns.map((c) => `${t}.${c}`))
    .where(`${t}.id`, id);
  if (also) for (const [name, expr] of Object.entries(also)) qb.select(db.raw('(?) as ??', [expr, name]));
  for (const w of where) qb.where(w);
  if (lock) qb.forUpdate();
  return qb.first();
}
