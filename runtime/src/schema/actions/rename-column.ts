import { ident, tableRef } from '../sql-text';
import type { ActionHandler, RenameColumn } from './action';

export const renameColumn: ActionHandler<RenameColumn> = {
  kind: 'rename_column',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} RENAME COLUMN ${ident(a.from)} TO ${ident(a.to)}`,
  inverse: (a) => ({ ...a, from: a.to, to: a.from }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Rename field ${a.object}.${a.from} to ${a.to} (values kept)`,
};
