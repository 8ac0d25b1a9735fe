import { ident, tableRef } from '../sql-text';
import type { ActionHandler, CreateTable } from './action';
import { columnDefSql } from './column-sql';

/** The system columns every object table starts with (shared/DESIGN.md). */
export const SYSTEM_COLUMNS_SQL = [
  `${ident('id')} uuid NOT NULL DEFAULT gen_random_uuid()`,
  `${ident('owner')} uuid`,
  `${ident('created_at')} timestamptz NOT NULL DEFAULT now()`,
  `${ident('created_by')} uuid`,
  `${ident('updated_at')} timestamptz NOT NULL DEFAULT now()`,
  `${ident('updated_by')} uuid`,
  `${ident('version')} integer NOT NULL DEFAULT 1`,
  `${ident('approval_status')} text NOT NULL DEFAULT 'none' CHECK (${ident('approval_status')} IN ('none', 'pending', 'approved', 'rejected'))`,
  `${ident('deleted_at')} timestamptz`,
];

export const createTable: ActionHandler<CreateTable> = {
  kind: 'create_table',
  sql: (a) =>
    `CREATE TABLE ${tableRef(a.schema, a.table)} (${[
      ...SYSTEM_COLUMNS_SQL,
      ...a.columns.map(columnDefSql),
      `CONSTRAINT ${ident(a.pk)} PRIMARY KEY (${ident('id')})`,
    ].join(', ')})`,
  inverse: (a) => ({ ...a, kind: 'drop_table' }),
  destructive: () => false,
  rewrite: () => false,
  describe: (a) => `Create table ${a.table} for object ${a.object}`,
};
