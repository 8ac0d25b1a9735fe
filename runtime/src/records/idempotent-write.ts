/**
 * Idempotency keys for record writes (docs/records.md, Writes): a client that may send the same write
 * twice — a phone replaying its offline queue after a dropped answer — names it with a key, and the
 * server applies it once. The key's row is inserted in the write's own transaction, so:
 * - a retry after the commit finds the row and gets the stored answer, nothing is written again;
 * - a duplicate sent while the first is still running waits on the key's unique index until that
 *   transaction ends (PostgreSQL's own lock, so any number of server processes agree), then replays;
 * - a write that fails rolls its key back with it: the retry runs again and gets the same refusal
 *   or, once the cause is fixed, succeeds.
 * Keys belong to one user in one tenant (the tenant's schema, the user's id in the primary key).
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Migration } from '../db/run-migrations';
import type { Ctx } from '../ctx';
import { badRequest, conflict } from '../errors';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';

export const IDEMPOTENCY_TABLE = '_idempotency_keys';
/** How long a key is remembered: longer than any phone stays offline with a queued write. */
export const IDEMPOTENCY_RETAIN_DAYS = 30;
const KEY = /^[\x21-\x7e]{8,200}$/;

export const idempotencyMigration: Migration = {
  id: 'records_0003_idempotency_keys',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(IDEMPOTENCY_TABLE, (t) => {
      t.uuid('user_id').notNullable();
      t.text('key').notNullable();
      // What the key was first used for: the same key with another write is refused, never replayed.
      t.text('fingerprint').notNullable();
      t.integer('status');
      t.jsonb('answer');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.primary(['user_id', 'key']);
      t.index(['created_at']);
    });
  },
};

/** The write a key names: its method, object, record id (edits) and body. */
export interface KeyedWrite {
  method: 'POST' | 'PATCH';
  object: string;
  id?: string;
  version?: number;
  body: unknown;
}

export interface KeyedAnswer<T> {
  status: number;
  body: T;
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

/** Checks an `Idempotency-Key` header: 8 to 200 visible ASCII characters (a UUID fits). */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY.test(header))
    throw badRequest('Idempotency-Key must be 8 to 200 visible ASCII characters, e.g. a UUID', {
      reason: 'IDEMPOTENCY_KEY_INVALID',
    });
  return header;
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` are the same write. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

export function writeFingerprint(w: KeyedWrite): string {
  return createHash('sha256')
    .update(canonical([w.method, w.object, w.id ?? null, w.version ?? null, w.body]))
    .digest('hex');
}

/**
 * Runs `write` once per (user, key): the first request writes and stores its answer in the same
 * transaction; a repeat gets that answer back with `replayed: true`; the key reused for another
 * write is refused with 409 (`details.reason: IDEMPOTENCY_KEY_REUSED`).
 */
export async function withIdempotencyKey<T>(
  ctx: Ctx,
  key: string,
  request: KeyedWrite,
  write: (tx: TxCtx) => Promise<{ status: number; body: T }>,
): Promise<KeyedAnswer<T>> {
  const fingerprint = writeFingerprint(request);
  return runInUnitOfWork(ctx, async (tx) => {
    const table = () => tx.db.withSchema(tx.schema).table(IDEMPOTENCY_TABLE);
    const [claimed] = await table()
      .insert({ user_id: tx.user.id, key, fingerprint })
      .onConflict(['user_id', 'key'])
      .ignore()
      .returning('key');
    if (!claimed) {
      const row = (await table().where({ user_id: tx.user.id, key }).first()) as
        | { fingerprint: string; status: number | null; answer: T; created_at: Date }
        | undefined;
      if (row && row.fingerprint === fingerprint && row.status !== null)
        return { status: row.status, body: row.answer, replayed: true };
      throw conflict('This Idempotency-Key was already used for a different request: send a new key for a new change', {
        reason: 'IDEMPOTENCY_KEY_REUSED',
      });
    }
    const answer = await write(tx);
    await table()
      .where({ user_id: tx.user.id, key })
      .update({ status: answer.status, answer: JSON.stringify(answer.body) });
    await forgetOldKeys(tx.db, tx.schema, tx.user.id);
    return { ...answer, replayed: false };
  });
}

/** Drops the user's keys past retention; cheap (indexed) and only on keyed writes. */
async function forgetOldKeys(db: Knex | Knex.Transaction, schema: string, userId: string) {
  await db
    .withSchema(schema)
    .table(IDEMPOTENCY_TABLE)
    .where('user_id', userId)
    .andWhere('created_at', '<', db.raw(`now() - interval '${IDEMPOTENCY_RETAIN_DAYS} days'`))
    .delete();
}
