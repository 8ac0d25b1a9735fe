import { ident, tableRef } from '../sql-text';
import type { ActionHandler, AddCheck } from './action';
import { checkExpression } from './column-sql';

export const addCheck: ActionHandler<AddCheck> = {
  kind: 'add_check',
  sql: (a) =>
    `ALTER TABLE ${tableRef(a.schema, a.table)} ADD CONSTRAINT ${ident(a.name)} CHECK (${checkExpression(a.check, ident(a.column))})`,
  inverse: (a) => ({ ...a, kind: 'drop_check' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) =>
    a.check.type === 'match'
      ? `Check the format of ${a.object}.${a.column}`
      : `Restrict ${a.object}.${a.column} to ${a.check.values.join(', ')}`,
};
