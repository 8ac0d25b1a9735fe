import { tableRef } from '../sql-text';
import type { ActionHandler, DropTable } from './action';

export const dropTable: ActionHandler<DropTable> = {
  kind: 'drop_table',
  sql: (a) => `DROP TABLE ${tableRef(a.schema, a.table)}`,
  inverse: (a) => ({ ...a, kind: 'create_table' }),
  destructive: () => true,
  rewrite: () => false,
  describe: (a) => `Drop table ${a.table} (object ${a.object}) and all its records`,
};
