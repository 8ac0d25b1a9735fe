/**
 * Issue 27, tenant scale: every tenant adds ~200 relations, so at 5,000 tenants pg_class holds about
 * a million rows. What tenant creation and every metadata apply ask the catalogue must be answered
 * through its indexes, in time that grows with one schema, never with the tenant count. With
 * sequential scans disabled the planner still picks one where no index can answer; so no "Seq Scan"
 * in these plans means an index path exists for every catalogue table the statement reads.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDb, type Db } from '../db/connect-db';
import { SCHEMA_TABLES_SQL } from '../plugins/plugin-migrations';
import { INDEX_VALIDITY_SQL } from './reconcile-indexes';

let db: Db;
const schema = `catlookup_${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  db = connectDb({ url: inject('databaseUrl'), poolMax: 1 });
  await db.raw(`create schema ${schema}`);
  await db.raw(`create table ${schema}.deal (id uuid primary key, amount numeric)`);
  await db.raw(`create index deal_amount on ${schema}.deal (amount)`);
  await db.raw(`create table ${schema}.note (id int primary key)`);
  await db.raw(`create sequence ${schema}.counter`);
});
afterAll(async () => {
  await db?.raw(`drop schema if exists ${schema} cascade`);
  await db?.destroy();
});

/** The plan of `sql` (knex `?` bindings) with sequential scans disabled, as text. */
async function plan(sql: string, bindings: unknown[]): Promise<string> {
  return db.transaction(async (trx) => {
    await trx.raw('set local enable_seqscan = off');
    const r = await trx.raw(`explain ${sql}`, bindings as never);
    return (r.rows as Array<{ 'QUERY PLAN': string }>).map((row) => row['QUERY PLAN']).join('\n');
  });
}

describe('catalogue lookups of tenant creation and the index phase', () => {
  it("a plugin migration's table check lists the schema's tables, through indexes", async () => {
    const r = await db.raw(SCHEMA_TABLES_SQL, [schema]);
    expect((r.rows as Array<{ name: string }>).map((row) => row.name).sort()).toEqual(['deal', 'note']);
    expect(await plan(SCHEMA_TABLES_SQL, [schema])).not.toMatch(/Seq Scan/);
  });

  it("the index phase's check finds its indexes by name, valid or not, through indexes", async () => {
    const sql = INDEX_VALIDITY_SQL.replace(/\$\d+/g, '?');
    const names = ['deal_amount', 'deal_pkey', 'missing_index', 'note'];
    const r = await db.raw(sql, [schema, names]);
    expect(r.rows).toEqual(
      expect.arrayContaining([
        { name: 'deal_amount', valid: true },
        { name: 'deal_pkey', valid: true },
      ]),
    );
    // A table of the same name is no index; a missing index is simply absent.
    expect(r.rows).toHaveLength(2);
    expect(await plan(sql, [schema, names])).not.toMatch(/Seq Scan/);
  });
});
