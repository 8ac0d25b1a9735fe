import { ident, tableRef } from '../sql-text';
import type { ActionHandler, DropDefault } from './action';

export const dropDefault: ActionHandler<DropDefault> = {
  kind: 'drop_default',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} ALTER COLUMN ${ident(a.column)} DROP DEFAULT`,
  inverse: (a) => ({ ...a, kind: 'set_default', value: a.previous }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Remove the default of ${a.object}.${a.column}`,
};
