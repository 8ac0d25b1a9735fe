import { ident, literal, tableRef } from '../sql-text';
import type { ActionHandler, BackfillColumn } from './action';

/** Gives records without a value the field's default, before the field becomes required. */
export const backfillColumn: ActionHandler<BackfillColumn> = {
  kind: 'backfill_column',
  sql: (a) =>
    `UPDATE ${tableRef(a.schema, a.table)} SET ${ident(a.column)} = ${literal(a.value, a.type)} WHERE ${ident(a.column)} IS NULL`,
  inverse: () => null,
  destructive: () => false,
  // Not a rewrite, but every record without a value is updated.
  rewrite: () => false,
  describe: (a) => `Fill empty ${a.object}.${a.column} with ${JSON.stringify(a.value)}`,
};
