import type { ColumnType, DbCheck } from '@forma/metadata';
import type { ColumnDef, OnDelete } from '../table-spec';
import type { LiteralValue } from '../sql-text';

/** Where an action applies; every action names its tenant schema and the object it serves. */
interface On {
  schema: string;
  object: string;
  field?: string;
}

export type CreateTable = On & { kind: 'create_table'; table: string; pk: string; columns: ColumnDef[] };
export type DropTable = On & { kind: 'drop_table'; table: string; pk: string; columns: ColumnDef[] };
export type RenameTable = On & { kind: 'rename_table'; from: string; to: string };
export type AddColumn = On & { kind: 'add_column'; table: string; column: ColumnDef };
export type DropColumn = On & { kind: 'drop_column'; table: string; column: ColumnDef };
export type RenameColumn = On & { kind: 'rename_column'; table: string; from: string; to: string };
export type AlterColumnType = On & {
  kind: 'alter_column_type';
  table: string;
  column: string;
  from: ColumnType;
  to: ColumnType;
};
export type SetNotNull = On & { kind: 'set_not_null'; table: string; column: string };
export type DropNotNull = On & { kind: 'drop_not_null'; table: string; column: string };
export type SetDefault = On & {
  kind: 'set_default';
  table: string;
  column: string;
  type: ColumnType;
  value: LiteralValue;
  previous?: LiteralValue;
};
export type DropDefault = On & {
  kind: 'drop_default';
  table: string;
  column: string;
  type: ColumnType;
  previous: LiteralValue;
};
export type BackfillColumn = On & {
  kind: 'backfill_column';
  table: string;
  column: string;
  type: ColumnType;
  value: LiteralValue;
};
/** `value`: the correlated sub-query (SQL text, literals inlined) computing the roll-up per row. */
export type RecomputeRollup = On & { kind: 'recompute_rollup'; table: string; column: string; value: string };
export type CheckAction<K extends string> = On & {
  kind: K;
  table: string;
  name: string;
  column: string;
  check: DbCheck;
};
export type AddCheck = CheckAction<'add_check'>;
export type DropCheck = CheckAction<'drop_check'>;
export type ForeignKeyAction<K extends string> = On & {
  kind: K;
  table: string;
  name: string;
  column: string;
  refTable: string;
  onDelete: OnDelete;
};
export type AddForeignKey = ForeignKeyAction<'add_foreign_key'>;
export type DropForeignKey = ForeignKeyAction<'drop_foreign_key'>;
export type IndexAction<K extends string> = On & {
  kind: K;
  table: string;
  name: string;
  columns: string[];
  unique: boolean;
  partial: boolean;
  /**
   * `trgm`: a GIN index with trigram operators (pg_trgm), for substring search; `desc`: a btree on
   * `(column DESC NULLS LAST)`, for descending lists; `recent`: `(first DESC NULLS LAST, id)`, the
   * newest-first list order (see table-spec.ts).
   */
  method: 'btree' | 'desc' | 'gin' | 'trgm' | 'recent';
  /** Built with CREATE INDEX CONCURRENTLY after commit (tables with rows). */
  concurrently: boolean;
};
export type CreateIndex = IndexAction<'create_index'>;
export type DropIndex = IndexAction<'drop_index'>;

export type Action =
  | CreateTable
  | DropTable
  | RenameTable
  | AddColumn
  | DropColumn
  | RenameColumn
  | AlterColumnType
  | SetNotNull
  | DropNotNull
  | SetDefault
  | DropDefault
  | BackfillColumn
  | RecomputeRollup
  | AddCheck
  | DropCheck
  | AddForeignKey
  | DropForeignKey
  | CreateIndex
  | DropIndex;

export type ActionKind = Action['kind'];

/** One handler per action kind: its SQL, its inverse, and how risky it is. */
export interface ActionHandler<A extends Action = Action> {
  kind: A['kind'];
  sql(action: A): string;
  /** The action that undoes this one's DDL (data removed by a drop is not restored), if any. */
  inverse(action: A): Action | null;
  /** Loses data or may refuse existing data: needs `allowDestructive`. */
  destructive(action: A): boolean;
  /** PostgreSQL rewrites the whole table (exclusive lock for as long as that takes). */
  rewrite(action: A): boolean;
  describe(action: A): string;
}
