import { ident, tableRef } from '../sql-text';
import type { ActionHandler, AddForeignKey } from './action';

export const addForeignKey: ActionHandler<AddForeignKey> = {
  kind: 'add_foreign_key',
  sql: (a) =>
    `ALTER TABLE ${tableRef(a.schema, a.table)} ADD CONSTRAINT ${ident(a.name)} FOREIGN KEY (${ident(a.column)}) REFERENCES ${tableRef(a.schema, a.refTable)} (${ident('id')}) ON DELETE ${a.onDelete}`,
  inverse: (a) => ({ ...a, kind: 'drop_foreign_key' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) =>
    `Link ${a.object}.${a.column} to ${a.refTable}${a.onDelete === 'CASCADE' ? ' (deleted with its parent)' : ''}`,
};
