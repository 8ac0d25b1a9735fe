import { tableRef } from '../sql-text';
import type { ActionHandler, DropIndex } from './action';

export const dropIndex: ActionHandler<DropIndex> = {
  kind: 'drop_index',
  sql: (a) => `DROP INDEX ${tableRef(a.schema, a.name)}`,
  inverse: (a) => ({ ...a, kind: 'create_index' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Drop index ${a.name} of ${a.object}${a.unique ? ' (values no longer unique)' : ''}`,
};
