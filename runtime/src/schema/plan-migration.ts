/**
 * The migration planner: a pure diff of two metadata documents into ordered, typed steps, each with
 * the SQL it will run, plus the data checks that must pass first and every error found. Nothing is
 * executed here; `applyMigration` runs the checks and the steps.
 */
import type { MetadataDocument, MetadataIssue } from '@forma/metadata';
import { pointer } from '@forma/metadata';
import { isDeepStrictEqual } from 'node:util';
import type { Knex } from 'knex';
import { type FieldModel, loadModel, type Model, type ObjectModel } from '../model/load-model';
import type { Action } from './actions/action';
import { handlerOf } from './actions/action-registry';
import { checkExpression } from './actions/column-sql';
import { convertColumn, sameColumnType } from './column-types';
import { countWhere, ident, literal, renderQuery, sqlRenderer, tableRef, typeSql } from './sql-text';
import { buildTableSpecs, type ColumnSpec, type IndexSpec, sameIndex, type TableSpec } from './table-spec';

export type StepPhase = 'transaction' | 'after-commit';

export interface PlanStep {
  kind: Action['kind'];
  sql: string;
  destructive: boolean;
  /** PostgreSQL rewrites the table: an exclusive lock for as long as that takes on big tables. */
  rewrite: boolean;
  description: string;
  /** `after-commit`: CREATE INDEX CONCURRENTLY on a table with rows, outside the transaction. */
  phase: StepPhase;
  object: string;
  field?: string;
  action: Action;
}

/** A query counting rows that would block a step; it must answer 0. */
export interface DataCheck {
  sql: string;
  /** Says what the counted rows are, after the count: "records of deal have no value for region". */
  problem: string;
  path: string;
  object: string;
  field?: string;
}

export interface MigrationPlan {
  steps: PlanStep[];
  checks: DataCheck[];
  errors: MetadataIssue[];
  destructive: boolean;
}

export interface PlanOptions {
  /** The tenant schema the SQL targets. */
  schema: string;
  /**
   * Existing tables known to hold rows. Index builds on those run concurrently after commit; when
   * omitted every existing table is assumed to hold rows.
   */
  tablesWithRows?: ReadonlySet<string>;
  /**
   * The SQL of a related roll-up's value for the parent row being updated, used to fill a new or
   * changed roll-up on publish. The records engine owns it (it compiles the roll-up's filter in the
   * filter language): `records/related-rollups.ts` `rollupValue`, given by the metadata service.
   */
  rollupValue: RollupValueSql;
}

/** A port of the planner: the correlated sub-query computing `field` (a related roll-up) of `parent`. */
export type RollupValueSql = (
  db: Knex,
  schema: string,
  model: Model,
  parent: ObjectModel,
  field: FieldModel,
) => Knex.QueryBuilder;

/** Buckets in execution order: constraints come off before columns change, and go back on after. */
const ORDER = [
  'drop_foreign_key',
  'drop_check',
  'drop_index',
  'drop_column',
  'drop_table',
  'rename_table',
  'rename_column',
  'create_table',
  'add_column',
  'alter_column_type',
  'drop_not_null',
  'drop_default',
  'set_default',
  'backfill_column',
  'set_not_null',
  'add_check',
  'add_foreign_key',
  'recompute_rollup',
  'create_index',
] as const satisfies readonly Action['kind'][];

class Planner {
  readonly actions: Action[] = [];
  readonly checks: DataCheck[] = [];
  readonly errors: MetadataIssue[] = [];

  constructor(
    private readonly cur: Map<string, TableSpec>,
    private readonly next: Map<string, TableSpec>,
    private readonly opts: PlanOptions,
  ) {}

  private get schema() {
    return this.opts.schema;
  }

  private hasRows(table: string): boolean {
    return this.opts.tablesWithRows ? this.opts.tablesWithRows.has(table) : true;
  }

  run(): void {
    for (const [id, cur] of this.cur) if (!this.next.has(id)) this.dropTable(cur);
    for (const [id, next] of this.next) {
      const cur = this.cur.get(id);
      if (cur) this.alterTable(cur, next);
      else this.createTable(next);
    }
    this.checkRenameCollisions();
  }

  private on(spec: TableSpec, field?: string) {
    return { schema: this.schema, object: spec.object, ...(field ? { field } : {}) };
  }

  private dropTable(cur: TableSpec): void {
    this.actions.push({
      ...this.on(cur),
      kind: 'drop_table',
      table: cur.table,
      pk: cur.pk,
      columns: [...cur.columns.values()].map(columnDef),
    });
  }

  private createTable(next: TableSpec): void {
    this.actions.push({
      ...this.on(next),
      kind: 'create_table',
      table: next.table,
      pk: next.pk,
      columns: [...next.columns.values()].map(columnDef),
    });
    for (const col of next.columns.values()) this.addConstraints(next, col);
    for (const idx of next.indexes.values()) this.createIndex(next, idx, false);
  }

  private addConstraints(spec: TableSpec, col: ColumnSpec): void {
    if (col.check) {
      this.actions.push({
        ...this.on(spec, col.field),
        kind: 'add_check',
        table: spec.table,
        name: col.check.name,
        column: col.column,
        check: col.check.check,
      });
    }
    if (col.fk) {
      this.actions.push({
        ...this.on(spec, col.field),
        kind: 'add_foreign_key',
        table: spec.table,
        name: col.fk.name,
        column: col.column,
        refTable: col.fk.refTable,
        onDelete: col.fk.onDelete,
      });
    }
  }

  private createIndex(spec: TableSpec, idx: IndexSpec, concurrently: boolean): void {
    this.actions.push({
      ...this.on(spec, idx.keys.length === 1 ? fieldOfIndex(spec, idx) : undefined),
      kind: 'create_index',
      table: spec.table,
      name: idx.name,
      columns: idx.columns,
      unique: idx.unique,
      partial: idx.partial,
      method: idx.method,
      concurrently,
    });
  }

  private alterTable(cur: TableSpec, next: TableSpec): void {
    if (cur.table !== next.table) {
      this.actions.push({ ...this.on(next), kind: 'rename_table', from: cur.table, to: next.table });
    }
    const rows = this.hasRows(cur.table);
    for (const [id, col] of cur.columns) {
      if (!next.columns.has(id)) {
        this.actions.push({
          ...this.on(cur, col.field),
          kind: 'drop_column',
          table: next.table,
          column: columnDef(col),
        });
      }
    }
    for (const [id, col] of next.columns) {
      const was = cur.columns.get(id);
      if (was) this.alterColumn(cur, next, was, col);
      else this.addColumn(cur, next, col);
    }
    for (const [name, idx] of cur.indexes) {
      const wanted = next.indexes.get(name);
      const columnGone = idx.keys.some((k) => cur.columns.has(k) && !next.columns.has(k));
      if ((!wanted || !sameIndex(idx, wanted)) && !columnGone) {
        this.actions.push({
          ...this.on(next),
          kind: 'drop_index',
          table: next.table,
          name,
          columns: idx.columns,
          unique: idx.unique,
          partial: idx.partial,
          method: idx.method,
          concurrently: false,
        });
      }
    }
    for (const [name, idx] of next.indexes) {
      const had = cur.indexes.get(name);
      if (had && sameIndex(had, idx)) continue;
      if (idx.unique) this.checkDuplicates(cur, next, idx);
      this.createIndex(next, idx, rows);
    }
  }

  private fieldPath(spec: TableSpec, field: string): string {
    return pointer('objects', spec.object, 'properties', field);
  }

  private addColumn(cur: TableSpec, next: TableSpec, col: ColumnSpec): void {
    this.actions.push({ ...this.on(next, col.field), kind: 'add_column', table: next.table, column: columnDef(col) });
    if (col.notNull && col.default === undefined) {
      this.checks.push({
        sql: countWhere(this.schema, cur.table, 'true'),
        problem: `records of ${next.object} exist, so the new required field ${col.field} needs a default`,
        path: this.fieldPath(next, col.field),
        object: next.object,
        field: col.field,
      });
    }
    this.addConstraints(next, col);
    if (col.fk && col.default !== undefined) this.checkDangling(cur, next, col, literal(col.default, col.type), true);
  }

  private alterColumn(cur: TableSpec, next: TableSpec, was: ColumnSpec, col: ColumnSpec): void {
    const path = this.fieldPath(next, col.field);
    const on = this.on(next, col.field);
    const curCol = ident(was.column);
    if (was.column !== col.column) {
      this.actions.push({ ...on, kind: 'rename_column', table: next.table, from: was.column, to: col.column });
    }
    const typeChanged = !sameColumnType(was.type, col.type);
    /** The value each row will have once converted, as an expression over the current column. */
    let converted = curCol;
    if (typeChanged) {
      const conv = convertColumn(was.type, col.type);
      if (!conv) {
        this.errors.push({
          path,
          message: `Cannot change ${was.kind} (${typeSql(was.type)}) to ${col.kind} (${typeSql(col.type)}): add a new field and copy the data`,
        });
        return;
      }
      if (conv.loss) {
        this.checks.push({
          sql: countWhere(this.schema, cur.table, `${curCol} IS NOT NULL AND (${conv.loss(curCol)})`),
          problem: `records of ${next.object} have a ${was.field} value that does not fit ${typeSql(col.type)}`,
          path,
          object: next.object,
          field: col.field,
        });
      }
      if (conv.using) converted = `(${conv.using(curCol)})`;
      this.actions.push({
        ...on,
        kind: 'alter_column_type',
        table: next.table,
        column: col.column,
        from: was.type,
        to: col.type,
      });
    }

    const checkChanged = typeChanged || !isDeepStrictEqual(was.check, col.check);
    if (checkChanged && was.check) {
      this.actions.push({
        ...on,
        kind: 'drop_check',
        table: next.table,
        name: was.check.name,
        column: col.column,
        check: was.check.check,
      });
    }
    if (checkChanged && col.check) {
      this.checks.push({
        sql: countWhere(
          this.schema,
          cur.table,
          `${curCol} IS NOT NULL AND NOT (${checkExpression(col.check.check, converted)})`,
        ),
        problem:
          col.check.check.type === 'match'
            ? `records of ${next.object} have a ${was.field} value of the wrong format`
            : `records of ${next.object} have a ${was.field} value that is no longer allowed`,
        path,
        object: next.object,
        field: col.field,
      });
      this.actions.push({
        ...on,
        kind: 'add_check',
        table: next.table,
        name: col.check.name,
        column: col.column,
        check: col.check.check,
      });
    }

    // Compared by target id: PostgreSQL keeps a foreign key pointing at a renamed table.
    const fkChanged =
      typeChanged ||
      was.fk?.refObjectId !== col.fk?.refObjectId ||
      was.fk?.onDelete !== col.fk?.onDelete ||
      was.fk?.name !== col.fk?.name;
    if (fkChanged && was.fk) {
      this.actions.push({
        ...on,
        kind: 'drop_foreign_key',
        table: next.table,
        name: was.fk.name,
        column: col.column,
        refTable: was.fk.refTable,
        onDelete: was.fk.onDelete,
      });
    }
    if (fkChanged && col.fk) {
      if (!was.fk || was.fk.refObjectId !== col.fk.refObjectId || typeChanged)
        this.checkDangling(cur, next, col, converted, false);
      this.actions.push({
        ...on,
        kind: 'add_foreign_key',
        table: next.table,
        name: col.fk.name,
        column: col.column,
        refTable: col.fk.refTable,
        onDelete: col.fk.onDelete,
      });
    }

    if (was.notNull && !col.notNull)
      this.actions.push({ ...on, kind: 'drop_not_null', table: next.table, column: col.column });
    if (!isDeepStrictEqual(was.default, col.default) || typeChanged) {
      if (col.default === undefined && was.default !== undefined) {
        this.actions.push({
          ...on,
          kind: 'drop_default',
          table: next.table,
          column: col.column,
          type: col.type,
          previous: was.default,
        });
      } else if (col.default !== undefined) {
        this.actions.push({
          ...on,
          kind: 'set_default',
          table: next.table,
          column: col.column,
          type: col.type,
          value: col.default,
          ...(was.default !== undefined ? { previous: was.default } : {}),
        });
      }
    }
    if (!was.notNull && col.notNull) {
      if (col.default !== undefined) {
        this.actions.push({
          ...on,
          kind: 'backfill_column',
          table: next.table,
          column: col.column,
          type: col.type,
          value: col.default,
        });
      } else {
        this.checks.push({
          sql: countWhere(this.schema, cur.table, `${curCol} IS NULL`),
          problem: `records of ${next.object} have no value for ${was.field}: give the field a default to make it required`,
          path,
          object: next.object,
          field: col.field,
        });
      }
      this.actions.push({ ...on, kind: 'set_not_null', table: next.table, column: col.column });
    }
  }

  /** Values of a (new) lookup that point at no record of the target. */
  private checkDangling(cur: TableSpec, next: TableSpec, col: ColumnSpec, value: string, isNewColumn: boolean): void {
    if (!col.fk) return;
    const target = [...this.cur.values()].find((t) => t.objectId === col.fk!.refObjectId);
    const targetTable = col.fk.refObjectId === '_users' ? col.fk.refTable : target?.table;
    // A target created by this very plan is empty: every value would dangle.
    const missing = targetTable
      ? `NOT EXISTS (SELECT 1 FROM ${tableRef(this.schema, targetTable)} r WHERE r.${ident('id')} = ${value})`
      : 'true';
    this.checks.push({
      sql: countWhere(this.schema, cur.table, `${isNewColumn ? 'true' : `${value} IS NOT NULL`} AND ${missing}`),
      problem: `records of ${next.object} have a ${col.field} that matches no ${target?.object ?? 'user'}`,
      path: this.fieldPath(next, col.field),
      object: next.object,
      field: col.field,
    });
  }

  private checkDuplicates(cur: TableSpec, next: TableSpec, idx: IndexSpec): void {
    const existing = idx.keys.map((k) => cur.columns.get(k)).filter((c): c is ColumnSpec => Boolean(c));
    if (existing.length !== idx.keys.length) return; // a new column holds no duplicates yet
    const cols = existing.map((c) => ident(c.column)).join(', ');
    const notNull = existing.map((c) => `${ident(c.column)} IS NOT NULL`).join(' AND ');
    const live = idx.partial ? ` AND ${ident('deleted_at')} IS NULL` : '';
    const field = existing[0]!.field;
    this.checks.push({
      sql: `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${tableRef(this.schema, cur.table)} WHERE ${notNull}${live} GROUP BY ${cols} HAVING count(*) > 1) d`,
      problem: `values of ${next.object}.${field} are used by more than one record, so it cannot be unique`,
      path: this.fieldPath(next, field),
      object: next.object,
      field,
    });
  }

  /** Renames run before adds: a rename onto a name another field or object still holds is refused. */
  private checkRenameCollisions(): void {
    const renamedFrom = new Set<string>();
    const renamedTo = new Map<string, string>();
    for (const a of this.actions) {
      if (a.kind === 'rename_table') {
        renamedFrom.add(`t:${a.from}`);
        renamedTo.set(`t:${a.to}`, pointer('objects', a.to));
      } else if (a.kind === 'rename_column') {
        renamedFrom.add(`c:${a.table}.${a.from}`);
        renamedTo.set(`c:${a.table}.${a.to}`, pointer('objects', a.object, 'properties', a.to));
      }
    }
    const dropped = new Set(
      this.actions.flatMap((a) =>
        a.kind === 'drop_table'
          ? [`t:${a.table}`]
          : a.kind === 'drop_column'
            ? [`c:${a.table}.${a.column.column}`]
            : [],
      ),
    );
    for (const [key, path] of renamedTo) {
      if (renamedFrom.has(key) && !dropped.has(key)) {
        this.errors.push({ path, message: 'Swapping names in one change is not supported: rename in two steps' });
      }
    }
  }
}

function columnDef(c: ColumnSpec) {
  return {
    column: c.column,
    type: c.type,
    notNull: c.notNull,
    ...(c.default !== undefined ? { default: c.default } : {}),
  };
}

function fieldOfIndex(spec: TableSpec, idx: IndexSpec): string | undefined {
  return spec.columns.get(idx.keys[0] ?? '')?.field;
}

/**
 * Diffs `current` into `next` (both documents that passed validation; objects and fields matched by
 * their `x-id`, by name otherwise) and returns the ordered steps, the data checks and all errors.
 */
export function planMigration(current: MetadataDocument, next: MetadataDocument, opts: PlanOptions): MigrationPlan {
  const curModel = loadModel(current, 0);
  const nextModel = loadModel(next, 0);
  const planner = new Planner(buildTableSpecs(curModel), buildTableSpecs(nextModel), opts);
  planner.run();
  planner.actions.push(...rollupBackfills(curModel, nextModel, opts.schema, opts.rollupValue));
  const rank = new Map<string, number>(ORDER.map((k, i) => [k, i]));
  const actions = planner.actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rankOf(x.a, rank) - rankOf(y.a, rank) || x.i - y.i)
    .map((x) => x.a);
  const steps = actions.map(toStep);
  return { steps, checks: planner.checks, errors: planner.errors, destructive: steps.some((s) => s.destructive) };
}

/**
 * Related roll-ups that are new or changed on an existing object: every parent row gets its value
 * in the publish itself (a new object has no rows to fill). Line-item roll-ups are left as they
 * were: their children are saved with the parent.
 */
function rollupBackfills(cur: Model, next: Model, schema: string, rollupValue: RollupValueSql): Action[] {
  const out: Action[] = [];
  for (const parent of next.objects.values()) {
    const was = [...cur.objects.values()].find((o) => o.id === parent.id);
    if (!was) continue;
    for (const f of parent.rollups) {
      if (f.rollup!.children !== undefined) continue;
      const before = was.customFields.find((x) => x.id === f.id);
      if (before?.rollup && isDeepStrictEqual(before.definition['x-rollup'], f.definition['x-rollup'])) continue;
      out.push({
        kind: 'recompute_rollup',
        schema,
        object: parent.name,
        field: f.name,
        table: parent.table,
        column: f.column!,
        value: renderQuery(rollupValue(sqlRenderer(), schema, next, parent, f)),
      });
    }
  }
  return out;
}

function rankOf(a: Action, rank: Map<string, number>): number {
  const r = rank.get(a.kind) ?? ORDER.length;
  // Concurrent index builds come last: they run after commit.
  return a.kind === 'create_index' && a.concurrently ? ORDER.length + 1 : r;
}

export function toStep(action: Action): PlanStep {
  const h = handlerOf(action);
  return {
    kind: action.kind,
    sql: h.sql(action),
    destructive: h.destructive(action),
    rewrite: h.rewrite(action),
    description: h.describe(action),
    phase: action.kind === 'create_index' && action.concurrently ? 'after-commit' : 'transaction',
    object: action.object,
    ...(action.field ? { field: action.field } : {}),
    action,
  };
}
