import { ident, tableRef } from '../sql-text';
import type { ActionHandler, DropColumn } from './action';

export const dropColumn: ActionHandler<DropColumn> = {
  kind: 'drop_column',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} DROP COLUMN ${ident(a.column.column)}`,
  inverse: (a) => ({ ...a, kind: 'add_column', column: { ...a.column, notNull: false } }),
  destructive: () => true,
  rewrite: () => false,
  describe: (a) => `Drop field ${a.object}.${a.column.column} and its values`,
};
