import { ident, tableRef } from '../sql-text';
import type { ActionHandler, RecomputeRollup } from './action';

/** Fills a roll-up over related records on every existing parent, when the roll-up is new or changed. */
export const recomputeRollup: ActionHandler<RecomputeRollup> = {
  kind: 'recompute_rollup',
  sql: (a) => `UPDATE ${tableRef(a.schema, a.table)} SET ${ident(a.column)} = (${a.value})`,
  inverse: () => null,
  destructive: () => false,
  // Not a rewrite, but every row of the parent is updated.
  rewrite: () => false,
  describe: (a) => `Recompute roll-up ${a.object}.${a.field}`,
};
