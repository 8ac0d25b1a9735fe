import { ident, literal, tableRef } from '../sql-text';
import type { ActionHandler, SetDefault } from './action';

export const setDefault: ActionHandler<SetDefault> = {
  kind: 'set_default',
  sql: (a) =>
    `ALTER TABLE ${tableRef(a.schema, a.table)} ALTER COLUMN ${ident(a.column)} SET DEFAULT ${literal(a.value, a.type)}`,
  inverse: (a) =>
    a.previous === undefined
      ? { ...a, kind: 'drop_default', previous: a.value }
      : { ...a, value: a.previous, previous: a.value },
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Set the default of ${a.object}.${a.column} to ${JSON.stringify(a.value)}`,
};
