/**
 * The physical shape a model asks for: per object, its table, columns (type, NOT NULL, default,
 * check, foreign key) and indexes, keyed by stable ids so that renames are recognised. The planner
 * diffs two of these.
 */
import type { ColumnType, DbCheck } from '@forma/metadata';
import type { Model } from '../model/load-model';
import { constraintName, SYSTEM_TABLE } from '../model/naming';
import { indexedSearchFields } from '../model/search-fields';
import type { LiteralValue } from './sql-text';

export type OnDelete = 'SET NULL' | 'CASCADE' | 'RESTRICT';

export interface ColumnDef {
  column: string;
  type: ColumnType;
  notNull: boolean;
  default?: LiteralValue;
}

export interface ColumnSpec extends ColumnDef {
  fieldId: string;
  field: string;
  kind: string;
  check?: { name: string; check: DbCheck };
  fk?: { name: string; refObjectId: string; refTable: string; onDelete: OnDelete };
}

export interface IndexSpec {
  name: string;
  /** What the index is on, by stable ids (system columns by name): compared across renames. */
  keys: string[];
  columns: string[];
  unique: boolean;
  /** Only live records (`deleted_at IS NULL`), so the recycle bin does not block reuse of a value. */
  partial: boolean;
  method: IndexMethod;
}

/**
 * `desc`: a btree on `(column DESC NULLS LAST)`. Lists sort nulls last in both directions, which a
 * plain btree serves only ascending (its backward scan yields DESC NULLS FIRST); numbers and dates
 * are mostly listed largest or newest first, so their `x-index` gets this companion as well.
 * `recent`: a btree on `(first DESC NULLS LAST, rest…)`: the newest-first list order with its `id`
 * tie-break (`sort=-created_at` is `ORDER BY created_at DESC NULLS LAST, id ASC NULLS LAST`).
 */
export type IndexMethod = 'btree' | 'desc' | 'gin' | 'trgm' | 'recent';

/**
 * Every object's default list orders (`-created_at` in the web app, `-updated_at` for "recently
 * changed"): without these, each page of a big table is a full top-N sort. Live records only.
 */
const RECENT_ORDERS = ['created_at', 'updated_at'] as const;

/** Column types whose `x-index` also gets a descending companion (see IndexMethod). */
const DESCENDING_TOO = new Set(['numeric', 'bigint', 'date', 'timestamptz']);

export interface TableSpec {
  objectId: string;
  object: string;
  table: string;
  pk: string;
  columns: Map<string, ColumnSpec>;
  indexes: Map<string, IndexSpec>;
}

/** Marks the users table as a lookup target (it has no object id). */
export const USERS_TARGET = '_users';

export function buildTableSpecs(model: Model): Map<string, TableSpec> {
  const specs = new Map<string, TableSpec>();
  for (const object of model.objects.values()) {
    const columns = new Map<string, ColumnSpec>();
    const indexes = new Map<string, IndexSpec>();
    const ownerIndex = constraintName('ix', object.id, 'owner');
    indexes.set(ownerIndex, {
      name: ownerIndex,
      keys: ['owner'],
      columns: ['owner'],
      unique: false,
      partial: false,
      method: 'btree',
    });
    for (const column of RECENT_ORDERS) {
      const name = constraintName('ix', object.id, column.replace('_at', ''));
      indexes.set(name, {
        name,
        keys: [column, 'id'],
        columns: [column, 'id'],
        unique: false,
        partial: true,
        method: 'recent',
      });
    }
    const searched = new Set(indexedSearchFields(object).map((f) => f.name));
    for (const f of object.customFields) {
      if (!f.column || !f.columnType) continue;
      const spec: ColumnSpec = {
        fieldId: f.id,
        field: f.name,
        kind: f.kind,
        column: f.column,
        type: f.columnType,
        notNull: f.required && !f.readOnly,
        ...(f.default !== undefined && !f.readOnly ? { default: f.default as LiteralValue } : {}),
        ...(f.dbCheck ? { check: { name: constraintName('ck', f.id), check: f.dbCheck } } : {}),
      };
      if (f.ref) {
        const target = f.ref === 'user' ? undefined : model.objects.get(f.ref);
        const isParentLink = object.parent?.field === f.name;
        spec.fk = {
          name: constraintName('fk', f.id),
          refObjectId: target ? target.id : USERS_TARGET,
          refTable: target ? target.table : SYSTEM_TABLE.users,
          // Line items go with their parent; other lookups are cleared, or block when required.
          onDelete: isParentLink ? 'CASCADE' : f.required ? 'RESTRICT' : 'SET NULL',
        };
      }
      columns.set(f.id, spec);
      if (f.unique) {
        const name = constraintName('uq', f.id);
        indexes.set(name, {
          name,
          keys: [f.id],
          columns: [f.column],
          unique: true,
          // Autonumbers are never reused, even by deleted records.
          partial: f.kind !== 'autonumber',
          method: 'btree',
        });
      }
      if (searched.has(f.name)) {
        // What the records engine's `q` searches with ILIKE: one trigram index per `x-search` field,
        // so adding or dropping one never rebuilds the others.
        const name = constraintName('ix', f.id, 'search');
        indexes.set(name, {
          name,
          keys: [f.id],
          columns: [f.column],
          unique: false,
          partial: false,
          method: 'trgm',
        });
      }
      if (f.indexed) {
        const name = constraintName('ix', f.id);
        indexes.set(name, {
          name,
          keys: [f.id],
          columns: [f.column],
          unique: false,
          partial: false,
          method: f.columnType.base === 'text[]' ? 'gin' : 'btree',
        });
        if (DESCENDING_TOO.has(f.columnType.base)) {
          const desc = constraintName('ix', f.id, 'desc');
          indexes.set(desc, {
            name: desc,
            keys: [f.id],
            columns: [f.column],
            unique: false,
            partial: false,
            method: 'desc',
          });
        }
      }
    }
    specs.set(object.id, {
      objectId: object.id,
      object: object.name,
      table: object.table,
      pk: constraintName('pk', object.id),
      columns,
      indexes,
    });
  }
  return specs;
}

export function sameIndex(a: IndexSpec, b: IndexSpec): boolean {
  return (
    a.unique === b.unique &&
    a.partial === b.partial &&
    a.method === b.method &&
    a.keys.length === b.keys.length &&
    a.keys.every((k, i) => k === b.keys[i])
  );
}
