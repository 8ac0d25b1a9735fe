import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connectDb, type Db } from '../db/connect-db';
import { platformMigrations } from '../db/platform-migrations';
import { runMigrations } from '../db/run-migrations';
import { PLATFORM_SCHEMA } from '../model/naming';
import { systemCtx } from '../system-ctx';
import { runInUnitOfWork } from '../tx/unit-of-work';
import { Outbox } from './outbox';

let db: Db;
const tenant = `obx_${Math.random().toString(36).slice(2, 8)}`;
const table = `outbox_test_${tenant}`;

beforeAll(async () => {
  db = connectDb({ url: inject('databaseUrl'), poolMax: 6 });
  await runMigrations(db, PLATFORM_SCHEMA, platformMigrations);
  await db.schema.withSchema('public').createTable(table, (t) => {
    t.text('key').primary();
    t.integer('n').notNullable();
  });
});
afterAll(async () => {
  await db.schema.withSchema('public').dropTableIfExists(table);
  await db.withSchema(PLATFORM_SCHEMA).from('outbox').where({ tenant }).delete();
  await db.destroy();
});

function newOutbox() {
  const errors: unknown[] = [];
  const outbox = new Outbox(db, {
    ctxFor: (t, u, base) => systemCtx(base, t, u),
    onError: (e) => errors.push(e),
    maxAttempts: 3,
  });
  return { outbox, errors };
}

const bump = (key: string) => async (ctx: { db: Db | import('knex').Knex.Transaction }) => {
  await ctx.db.raw(`insert into public.?? (key, n) values (?, 1) on conflict (key) do update set n = ??.n + 1`, [
    table,
    key,
    table,
  ]);
};
const countOf = async (key: string) => (await db.withSchema('public').from(table).where({ key }).first())?.n ?? 0;

describe('outbox', () => {
  it('handles an event once, right after the transaction commits', async () => {
    const { outbox } = newOutbox();
    outbox.register('t.bump', async (ctx, p) => bump(String(p.key))(ctx));
    const base = await systemCtx(db, tenant);
    await runInUnitOfWork(base, async (tx) => {
      await outbox.enqueue(tx, 't.bump', { key: 'a' });
      expect(await countOf('a')).toBe(0);
    });
    await outbox.drain();
    expect(await countOf('a')).toBe(1);
    await outbox.drain();
    expect(await countOf('a')).toBe(1);
  });

  it('forgets events of a rolled-back transaction', async () => {
    const { outbox } = newOutbox();
    outbox.register('t.bump', async (ctx, p) => bump(String(p.key))(ctx));
    const base = await systemCtx(db, tenant);
    await expect(
      runInUnitOfWork(base, async (tx) => {
        await outbox.enqueue(tx, 't.bump', { key: 'b' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await outbox.drain();
    expect(await countOf('b')).toBe(0);
  });

  it('retries a failing handler, then gives up after maxAttempts', async () => {
    const { outbox, errors } = newOutbox();
    let fail = true;
    outbox.register('t.flaky', async (ctx, p) => {
      await bump(String(p.key))(ctx);
      if (fail) throw new Error('flaky');
    });
    const base = await systemCtx(db, tenant);
    await runInUnitOfWork(base, (tx) => outbox.enqueue(tx, 't.flaky', { key: 'c' }));
    await outbox.drain();
    // The failed attempt's own writes were rolled back with it.
    expect(await countOf('c')).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
    fail = false;
    await outbox.drain();
    expect(await countOf('c')).toBe(1);
  });

  it('picks up events left by a crash, and two sweepers handle each exactly once', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({
      tenant,
      topic: 't.bump',
      payload: JSON.stringify({ key: `d${i % 4}` }),
    }));
    await db.withSchema(PLATFORM_SCHEMA).insert(rows).into('outbox');
    const one = newOutbox();
    const two = newOutbox();
    for (const o of [one.outbox, two.outbox]) o.register('t.bump', async (ctx, p) => bump(String(p.key))(ctx));
    await Promise.all([one.outbox.drain(), two.outbox.drain()]);
    const total = (await Promise.all([0, 1, 2, 3].map((i) => countOf(`d${i}`)))).reduce((a, b) => a + b, 0);
    expect(total).toBe(20);
  });
});
