/**
 * The recorded schema script (schema-script.ts) against migrations of its own: what it writes in
 * (parameters, quotes) comes out as the migrations made it, and text it cannot reproduce for another
 * schema name sends it back to running the migrations one by one.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDb, type Db } from '../db/connect-db';
import type { Migration } from '../db/run-migrations';
import { TenantSchemaScript } from './schema-script';

let db: Db;
const made: string[] = [];
const name = () => {
  const s = `t_sscript_${Math.random().toString(36).slice(2, 8)}`;
  made.push(s);
  return s;
};

beforeAll(() => {
  db = connectDb({ url: inject('databaseUrl'), poolMax: 2 });
});
afterAll(async () => {
  for (const s of made) await db?.raw('drop schema if exists ?? cascade', [s]);
  await db?.destroy();
});

/** Statements knex sent while `fn` ran: the script is one message outside knex. */
async function sent(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const count = () => {
    n++;
  };
  db.on('query', count);
  try {
    await fn();
  } finally {
    db.off('query', count);
  }
  return n;
}

describe('the recorded schema script', () => {
  it("writes the migrations' parameters in as they were sent, for each schema it makes", async () => {
    const migrations: Migration[] = [
      {
        id: 'one',
        async up(trx, schema) {
          await trx.schema.withSchema(schema).createTable('notes', (t) => {
            t.increments('id');
            t.text('body').notNullable().defaultTo("it's");
          });
          await trx.withSchema(schema).insert({ body: "O'Brien \\ ? $1 done" }).into('notes');
        },
      },
    ];
    const script = new TenantSchemaScript(db, migrations);
    const [a, b] = [name(), name()];
    await script.create(a);
    // The second schema comes from the recorded text alone.
    expect(await sent(() => script.create(b))).toBe(0);
    for (const s of [a, b]) {
      expect((await db.raw('select body from ??.notes', [s])).rows).toEqual([{ body: "O'Brien \\ ? $1 done" }]);
      expect((await db.raw('select id from ??._migrations', [s])).rows).toEqual([{ id: 'one' }]);
    }
  });

  it("runs the migrations one by one when the schema's name is part of a longer name", async () => {
    const migrations: Migration[] = [
      {
        id: 'named',
        async up(trx, schema) {
          // PostgreSQL truncates names past 63 bytes: text made for one schema name cannot serve another.
          await trx.raw('create table ??.?? (id int)', [schema, `${schema}_log`]);
        },
      },
    ];
    const script = new TenantSchemaScript(db, migrations);
    const [a, b] = [name(), name()];
    await script.create(a);
    expect(await sent(() => script.create(b))).toBeGreaterThan(3);
    for (const s of [a, b])
      expect((await db.raw('select count(*)::int as n from ??.??', [s, `${s}_log`])).rows[0].n).toBe(0);
  });
});
