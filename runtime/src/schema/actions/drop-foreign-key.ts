import { ident, tableRef } from '../sql-text';
import type { ActionHandler, DropForeignKey } from './action';

export const dropForeignKey: ActionHandler<DropForeignKey> = {
  kind: 'drop_foreign_key',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} DROP CONSTRAINT ${ident(a.name)}`,
  inverse: (a) => ({ ...a, kind: 'add_foreign_key' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Unlink ${a.object}.${a.column} from ${a.refTable}`,
};
