/**
 * Named prepared statements for the hot reads (issue 27): the records engine compiles the SQL of a
 * list or read shape once (read-plans.ts) and sends it here by name, so neither knex nor PostgreSQL
 * parses it again on a connection that has seen it.
 *
 * The connection comes from the knex client's own checkout, which DbLoad wraps (db-load.ts): the
 * request's admission scope, lane timeouts and cancel-on-client-gone apply exactly as to a knex query.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/** A compiled statement: `$n` placeholders, its values in order, and the name it is prepared under. */
export interface Statement {
  name: string;
  text: string;
  values: readonly unknown[];
}

/**
 * Each named statement stays prepared in its backend until the connection closes. Past this many on
 * one connection, new shapes go unnamed there, so a backend's memory stays bounded however many
 * tenants, versions and shapes a long-lived connection serves.
 */
export const MAX_NAMED_PER_CONNECTION = 200;

interface PgConnection {
  query(config: {
    name?: string;
    text: string;
    values: unknown[];
    rowMode?: 'array';
  }): Promise<{ rows: Record<string, unknown>[] }>;
  connection?: { parsedStatements?: Record<string, string> };
  __formaNamed?: Set<string>;
}

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(c: PgConnection): Promise<void>;
}

/** Knex clients (one per pool) whose statements go unnamed: `DbLoadConfig.namedStatements` off. */
const unnamed = new WeakSet<object>();

/** Statements run through `db`'s pool go unnamed, parsed on every run as knex's own are. */
export function sendUnnamed(db: Knex): void {
  unnamed.add(db.client);
}

/** The name a statement's text is prepared under: the same text, the same name, in every process. */
export function statementName(text: string): string {
  return `forma_${createHash('sha1').update(text).digest('base64url')}`;
}

export function statement(text: string, values: readonly unknown[]): Statement {
  return { name: statementName(text), text, values };
}

/** Whether `db` is the pool itself (not a transaction, whose connection knex holds). */
export function isPool(db: Knex | Knex.Transaction): db is Knex {
  return !(db as { isTransaction?: boolean }).isTransaction;
}

/** Runs `s` with `values` (default: its own) on a pooled connection, prepared by name when it may be. */
export function queryPrepared(db: Knex, s: Statement, values?: readonly unknown[]): Promise<Record<string, unknown>[]> {
  return run(db, s, values ?? s.values, undefined) as Promise<Record<string, unknown>[]>;
}

/** `queryPrepared` with each row as an array of its values in the statement's column order. */
export function queryPreparedArrays(db: Knex, s: Statement, values?: readonly unknown[]): Promise<unknown[][]> {
  return run(db, s, values ?? s.values, 'array') as unknown as Promise<unknown[][]>;
}

async function run(
  db: Knex,
  s: Statement,
  values: readonly unknown[],
  rowMode: 'array' | undefined,
): Promise<Record<string, unknown>[]> {
  // Tests and tools that watch knex's 'query' event (plan-shape tests) see these statements too.
  if (db.listenerCount('query') > 0) db.emit('query', { sql: s.text, bindings: values, method: 'select' });
  const mode = rowMode ? { rowMode } : {};
  const client = db.client as unknown as KnexClient;
  const conn = await client.acquireConnection();
  try {
    const named = conn.__formaNamed ?? new Set<string>();
    conn.__formaNamed = named;
    const byName = !unnamed.has(db.client) && (named.has(s.name) || named.size < MAX_NAMED_PER_CONNECTION);
    if (!byName) return (await conn.query({ text: s.text, values: [...values], ...mode })).rows;
    named.add(s.name);
    try {
      return (await conn.query({ name: s.name, text: s.text, values: [...values], ...mode })).rows;
    } catch (e) {
      // "cached plan must not change result type": a column of the statement changed type since it
      // was prepared on this connection. Forget it here and run the text once more, unnamed.
      if ((e as { code?: string }).code !== '0A000') throw e;
      named.delete(s.name);
      delete conn.connection?.parsedStatements?.[s.name];
      await conn.query({ text: `deallocate "${s.name}"`, values: [] }).catch(() => undefined);
      return (await conn.query({ text: s.text, values: [...values], ...mode })).rows;
    }
  } finally {
    await client.releaseConnection(conn);
  }
}
