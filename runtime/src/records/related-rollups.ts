/**
 * Roll-ups over related records (`campaign.revenue` = sum of the amounts of its won deals): stored
 * columns of the parent, recomputed in the child's own transaction whenever a write can move them.
 *
 * Exactness under concurrency: the parents are locked first (`FOR NO KEY UPDATE`, ids sorted), and
 * only then is the value recomputed, by a new statement. In READ COMMITTED that statement sees every
 * child committed by the transaction that held the lock before, so two children saved at once
 * cannot lose each other's contribution. `NO KEY` because the child's foreign key check holds a
 * `KEY SHARE` lock on the same parent: a plain `FOR UPDATE` would wait on the sibling's key lock
 * while the sibling waits on ours.
 *
 * The recompute touches only the roll-up columns: the parent's `version` and `updated_at` stay, no
 * audit row is written (the value is derived; its history is the children's), so a user editing
 * the parent never gets a 409 because someone saved a deal. Children are counted whatever the
 * viewer may read: the value is one number, the same for everyone.
 */
import type { Knex } from 'knex';
import type { FieldModel, Model, ObjectModel, RollupOp } from '../model/load-model';
import { fullAccess } from '../permissions/object-access';
import { compileFilter } from './compile-query';
import type { Row } from './write-sql';

export interface RelatedRollup {
  parent: ObjectModel;
  field: FieldModel;
}

/** A child's write: `old` null for a create, `row` null for a purge. */
export interface ChildWrite {
  old: Row | null;
  row: Row | null;
}

const byChild = new WeakMap<Model, Map<string, RelatedRollup[]>>();

/** Related roll-ups (not line items) that aggregate records of `child`. */
export function relatedRollupsOf(model: Model, child: string): readonly RelatedRollup[] {
  let map = byChild.get(model);
  if (!map) {
    map = new Map();
    for (const parent of model.objects.values()) {
      for (const field of parent.rollups) {
        const r = field.rollup!;
        if (r.children !== undefined) continue;
        const list = map.get(r.object) ?? [];
        list.push({ parent, field });
        map.set(r.object, list);
      }
    }
    byChild.set(model, map);
  }
  return map.get(child) ?? [];
}

/** Per parent object: the roll-up fields and parent ids these writes of `child` can move. */
export function affectedParents(
  model: Model,
  child: ObjectModel,
  writes: readonly ChildWrite[],
): Map<string, { parent: ObjectModel; fields: FieldModel[]; ids: string[] }> {
  const out = new Map<string, { parent: ObjectModel; fields: FieldModel[]; ids: string[] }>();
  for (const { parent, field } of relatedRollupsOf(model, child.name)) {
    const r = field.rollup!;
    const via = child.field(r.via).column!;
    const reads = r.reads.map((f) => child.field(f).column!);
    const ids = new Set<string>();
    for (const { old, row } of writes) {
      const moved =
        !old ||
        !row ||
        !same(old.deleted_at, row.deleted_at) ||
        reads.some((column) => !same(old[column], row[column]));
      if (!moved) continue;
      for (const v of [old?.[via], row?.[via]]) if (typeof v === 'string') ids.add(v);
    }
    if (!ids.size) continue;
    const entry = out.get(parent.name) ?? { parent, fields: [], ids: [] };
    entry.fields.push(field);
    entry.ids = [...new Set([...entry.ids, ...ids])];
    out.set(parent.name, entry);
  }
  return out;
}

/** The correlated sub-query computing one related roll-up for the parent row being updated. */
export function rollupValue(
  db: Knex | Knex.Transaction,
  schema: string,
  model: Model,
  parent: ObjectModel,
  field: FieldModel,
): Knex.QueryBuilder {
  const r = field.rollup!;
  const child = model.object(r.object);
  // No reader's scope: the roll-up counts every live child (compileFilter drops deleted ones).
  const where = compileFilter(model, child, r.filter ?? null, {
    schema,
    access: fullAccess(child.name),
    related: new Map(),
  });
  const column = r.field && r.op !== 'count' ? `${child.table}.${child.field(r.field).column}` : undefined;
  const [sql, bindings] = rollupAggregate(r.op, column);
  const agg = db.raw(sql, bindings);
  return db
    .withSchema(schema)
    .from(child.table)
    .select(agg)
    .where(where)
    .whereRaw('?? = ??', [`${child.table}.${child.field(r.via).column}`, `${parent.table}.id`]);
}

/**
 * The SQL aggregate of a roll-up op over `column` (qualified): a sum or a count of no children is
 * 0, a min/max/avg of none is empty. min/max keep the column's type, so dates roll up as dates.
 */
export function rollupAggregate(op: RollupOp, column: string | undefined): [string, string[]] {
  if (op === 'count') return ['count(*)', []];
  if (op === 'count_distinct') return ['count(distinct ??)', [column!]];
  if (op === 'sum') return ['coalesce(sum(??), 0)', [column!]];
  return [`${op}(??)`, [column!]];
}

/** Column values of `parent`'s related roll-ups for a record without children. */
export function emptyRelatedRollups(parent: ObjectModel): Row {
  const row: Row = {};
  for (const f of parent.rollups) {
    const r = f.rollup!;
    if (r.children === undefined)
      row[f.column!] = r.op === 'sum' || r.op === 'count' || r.op === 'count_distinct' ? 0 : null;
  }
  return row;
}

/** Locks the parents (sorted), then recomputes `fields` on them in a new statement. */
export async function recomputeRelatedRollups(
  trx: Knex.Transaction,
  schema: string,
  model: Model,
  parent: ObjectModel,
  fields: readonly FieldModel[],
  parentIds: readonly string[],
): Promise<void> {
  if (!fields.length || !parentIds.length) return;
  const ids = [...new Set(parentIds)].sort();
  await trx.withSchema(schema).from(parent.table).whereIn('id', ids).orderBy('id').forNoKeyUpdate().select('id');
  const set: Record<string, Knex.QueryBuilder> = {};
  for (const f of fields) set[f.column!] = rollupValue(trx, schema, model, parent, f);
  await trx.withSchema(schema).from(parent.table).whereIn('id', ids).update(set);
}

function same(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a) === String(b);
}
