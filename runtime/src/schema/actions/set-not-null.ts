import { ident, tableRef } from '../sql-text';
import type { ActionHandler, SetNotNull } from './action';

export const setNotNull: ActionHandler<SetNotNull> = {
  kind: 'set_not_null',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} ALTER COLUMN ${ident(a.column)} SET NOT NULL`,
  inverse: (a) => ({ ...a, kind: 'drop_not_null' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Make ${a.object}.${a.column} required`,
};
