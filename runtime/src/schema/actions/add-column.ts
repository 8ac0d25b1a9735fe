import { tableRef } from '../sql-text';
import type { ActionHandler, AddColumn } from './action';
import { columnDefSql } from './column-sql';

export const addColumn: ActionHandler<AddColumn> = {
  kind: 'add_column',
  sql: (a) => `ALTER TABLE ${tableRef(a.schema, a.table)} ADD COLUMN ${columnDefSql(a.column)}`,
  inverse: (a) => ({ ...a, kind: 'drop_column' }),
  destructive: () => false,
  // A constant default is stored in the catalog (PostgreSQL 11+): no rewrite.
  rewrite: () => false,
  describe: (a) =>
    `Add field ${a.object}.${a.column.column}${a.column.default !== undefined ? ' (existing records get the default)' : ''}`,
};
