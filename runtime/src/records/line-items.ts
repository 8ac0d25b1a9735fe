/**
 * Roll-ups of line items, kept exact: after any change to a parent's children, the parent row is
 * locked and every roll-up recomputed from the live children in a fresh statement, so concurrent
 * saves of siblings serialize on the parent and the last one sees them all.
 */
import type { Knex } from 'knex';
import type { Model, ObjectModel } from '../model/load-model';
import { qualified } from '../model/naming';
import { rollupAggregate } from './related-rollups';

export async function recomputeRollups(
  trx: Knex.Transaction,
  schema: string,
  model: Model,
  parent: ObjectModel,
  parentIds: readonly string[],
): Promise<void> {
  // Related roll-ups have their own trigger (related-rollups.ts): only line-item ones move here.
  const rollups = parent.rollups.filter((f) => f.rollup!.children !== undefined);
  if (!rollups.length || !parentIds.length) return;
  const ids = [...new Set(parentIds)].sort();
  // Sorted locks: two saves touching the same parents cannot deadlock.
  await trx.withSchema(schema).from(parent.table).whereIn('id', ids).orderBy('id').forUpdate().select('id');
  const set: Record<string, Knex.Raw> = {};
  for (const f of rollups) {
    const r = f.rollup!;
    const child = model.object(r.object);
    const [agg, bindings] = rollupAggregate(r.op, r.op === 'count' ? undefined : `_c.${child.field(r.field!).column}`);
    set[f.column!] = trx.raw(`(select ${agg} from ?? as "_c" where ?? = ?? and "_c"."deleted_at" is null)`, [
      ...bindings,
      qualified(schema, child.table),
      `_c.${child.field(r.via).column}`,
      `${parent.table}.id`,
    ]);
  }
  await trx.withSchema(schema).from(parent.table).whereIn('id', ids).update(set);
}
