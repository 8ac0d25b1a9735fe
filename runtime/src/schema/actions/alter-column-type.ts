import { convertColumn } from '../column-types';
import { ident, tableRef, typeSql } from '../sql-text';
import type { ActionHandler, AlterColumnType } from './action';

export const alterColumnType: ActionHandler<AlterColumnType> = {
  kind: 'alter_column_type',
  sql: (a) => {
    const conv = convertColumn(a.from, a.to);
    if (!conv) throw new Error(`unsupported conversion ${typeSql(a.from)} → ${typeSql(a.to)}`);
    const col = ident(a.column);
    const using = conv.using
      ? ` USING ${conv.using(col)}`
      : conv.class === 'widen'
        ? ''
        : ` USING ${col}::${typeSql(a.to)}`;
    return `ALTER TABLE ${tableRef(a.schema, a.table)} ALTER COLUMN ${col} TYPE ${typeSql(a.to)}${using}`;
  },
  inverse: (a) => ({ ...a, from: a.to, to: a.from }),
  destructive: (a) => convertColumn(a.from, a.to)?.class !== 'widen',
  rewrite: (a) => convertColumn(a.from, a.to)?.rewrite ?? true,
  describe: (a) => {
    const cls = convertColumn(a.from, a.to)?.class ?? 'change';
    const verb = cls === 'widen' ? 'Widen' : cls === 'narrow' ? 'Narrow' : 'Change';
    return `${verb} ${a.object}.${a.column} from ${typeSql(a.from)} to ${typeSql(a.to)}`;
  },
};
