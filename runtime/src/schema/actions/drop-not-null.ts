import { ident, tableRef } from '../sql-text';
import type { ActionHandler, DropNotNull } from './action';

export const dropNotNull: ActionHandler<DropNotNull> = {
  kind: 'drop_not_null',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} ALTER COLUMN ${ident(a.column)} DROP NOT NULL`,
  inverse: (a) => ({ ...a, kind: 'set_not_null' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Make ${a.object}.${a.column} optional`,
};
