/**
 * SQL text for DDL. PostgreSQL accepts no bind parameters in DDL, so plans carry literal SQL:
 * identifiers are validated and quoted by knex (`??`), literals are escaped here. The text never
 * contains a `?` (knex would take it for a binding placeholder), so a plan's SQL is exactly what runs.
 */
import knex, { type Knex } from 'knex';
import { columnTypeSql, type ColumnType } from '@forma/metadata';

// Only used to render text: no connection is ever opened.
const renderer = knex({ client: 'pg' });

const PHYSICAL_NAME = /^_?[a-z][a-z0-9_]{0,62}$/;

/** A quoted identifier; the name must already be a validated identifier. */
export function ident(name: string): string {
  if (!PHYSICAL_NAME.test(name) || Buffer.byteLength(name) > 63) throw new Error(`invalid identifier: ${name}`);
  return renderer.raw('??', [name]).toQuery();
}

/** `"schema"."table"`. */
export function tableRef(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

/**
 * A string literal as an escape string (E'…'): backslash and quote escaped, `?` written as \x3f so
 * no placeholder survives. NUL cannot be stored in PostgreSQL text and is refused.
 */
export function stringLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('NUL characters cannot be stored');
  const body = value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('?', '\\x3f');
  return `E'${body}'`;
}

export type LiteralValue = string | number | boolean | null | readonly string[];

/** A literal of a JSON value, cast to the column's type. */
export function literal(value: LiteralValue, type?: ColumnType): string {
  let sql: string;
  if (value === null) sql = 'null';
  else if (typeof value === 'boolean') sql = value ? 'true' : 'false';
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number');
    sql = String(value);
  } else if (typeof value === 'string') sql = stringLiteral(value);
  else sql = `ARRAY[${value.map(stringLiteral).join(', ')}]::text[]`;
  return type && !Array.isArray(value) && value !== null ? `${sql}::${columnTypeSql(type)}` : sql;
}

export function typeSql(type: ColumnType): string {
  return columnTypeSql(type);
}

/** `select count(*)::int as n from <table> where <predicate>`: the shape of every data check. */
export function countWhere(schema: string, table: string, predicate: string): string {
  return `SELECT count(*)::int AS n FROM ${tableRef(schema, table)} WHERE ${predicate}`;
}

/** The knex instance that only renders text (never connects), for plan SQL built with the query builder. */
export function sqlRenderer(): Knex {
  return renderer;
}

/**
 * A query built with `sqlRenderer()` as plan text: bound values become literals. Strings and arrays
 * stay untyped literals, so PostgreSQL types them from the column they meet (uuid, text, date…).
 */
export function renderQuery(query: Knex.QueryBuilder | Knex.Raw): string {
  const { sql, bindings } = query.toSQL().toNative();
  return sql.replace(/\$(\d+)/g, (_, n: string) => bindingLiteral(bindings[Number(n) - 1]));
}

function bindingLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return literal(v);
  if (v instanceof Date) return stringLiteral(v.toISOString());
  if (Array.isArray(v))
    return stringLiteral(
      `{${v.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/["\\]/g, (m) => `\\${m}`)}"`)).join(',')}}`,
    );
  return stringLiteral(String(v));
}
