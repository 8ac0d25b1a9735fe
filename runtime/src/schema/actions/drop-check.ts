import { ident, tableRef } from '../sql-text';
import type { ActionHandler, DropCheck } from './action';

export const dropCheck: ActionHandler<DropCheck> = {
  kind: 'drop_check',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} DROP CONSTRAINT ${ident(a.name)}`,
  inverse: (a) => ({ ...a, kind: 'add_check' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Remove the value check of ${a.object}.${a.column}`,
};
