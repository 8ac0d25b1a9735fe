import type { Knex } from 'knex';
import type { TestServer } from './test-server';

export interface ColumnInfo {
  type: string;
  nullable: boolean;
  length: number | null;
  scale: number | null;
  default: string | null;
}

/** Reads the physical tables of one tenant straight from the catalog, to check what the API did. */
export function catalog(server: TestServer, tenant: string) {
  const schema = `t_${tenant}`;
  const db: Knex = server.runtime.db;
  return {
    schema,
    async columns(table: string): Promise<Record<string, ColumnInfo>> {
      const r = await db.raw(
        `select column_name, data_type, udt_name, is_nullable, character_maximum_length, numeric_scale, column_default
           from information_schema.columns where table_schema = ? and table_name = ?`,
        [schema, table],
      );
      return Object.fromEntries(
        r.rows.map((c: Record<string, string | number | null>) => [
          c.column_name,
          {
            type: c.data_type === 'ARRAY' ? `${String(c.udt_name).replace(/^_/, '')}[]` : c.data_type,
            nullable: c.is_nullable === 'YES',
            length: c.character_maximum_length,
            scale: c.numeric_scale,
            default: c.column_default,
          },
        ]),
      );
    },
    async tableExists(table: string): Promise<boolean> {
      const r = await db.raw('select 1 from information_schema.tables where table_schema = ? and table_name = ?', [
        schema,
        table,
      ]);
      return r.rows.length > 0;
    },
    async tables(): Promise<string[]> {
      const r = await db.raw('select table_name from information_schema.tables where table_schema = ?', [schema]);
      return r.rows.map((t: { table_name: string }) => t.table_name).sort();
    },
    /** Index definitions of a table (pg_indexes.indexdef). */
    async indexes(table: string): Promise<string[]> {
      const r = await db.raw('select indexdef from pg_indexes where schemaname = ? and tablename = ?', [schema, table]);
      return r.rows.map((i: { indexdef: string }) => i.indexdef);
    },
    /** Constraint definitions of a table, by type letter (c check, f foreign key, p primary key). */
    async constraints(table: string, type: 'c' | 'f' | 'p' | 'u'): Promise<string[]> {
      const r = await db.raw(
        `select pg_get_constraintdef(c.oid) as def from pg_constraint c
           join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
          where n.nspname = ? and t.relname = ? and c.contype = ?`,
        [schema, table, type],
      );
      return r.rows.map((c: { def: string }) => c.def);
    },
    /** Rows inserted straight into an object's table (the records engine is not part of these tests). */
    async insert(table: string, rows: Record<string, unknown> | Record<string, unknown>[]) {
      return db.withSchema(schema).insert(rows).into(table).returning('*');
    },
    async rows(table: string, orderBy = 'created_at'): Promise<Record<string, unknown>[]> {
      return db.withSchema(schema).from(table).select('*').orderBy([orderBy, 'id']);
    },
    async update(table: string, where: Record<string, unknown>, values: Record<string, unknown>) {
      return db.withSchema(schema).from(table).where(where).update(values);
    },
    raw: (sql: string, bindings: readonly unknown[] = []) => db.raw(sql, bindings as Knex.RawBinding[]),
  };
}

export type Catalog = ReturnType<typeof catalog>;
