import { ident, tableRef } from '../sql-text';
import type { ActionHandler, RenameTable } from './action';

export const renameTable: ActionHandler<RenameTable> = {
  kind: 'rename_table',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.from)} RENAME TO ${ident(a.to)}`,
  inverse: (a) => ({ ...a, kind: 'rename_table', from: a.to, to: a.from }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Rename object ${a.from} to ${a.to} (table renamed, records kept)`,
};
