import type { Knex } from 'knex';
import type { Ctx } from '../ctx';

export type AfterCommit = () => Promise<void> | void;

/** A transaction plus the work that must wait until it has committed. */
export interface UnitOfWork {
  trx: Knex.Transaction;
  /** The connection pool the transaction came from: what after-commit work must use. */
  base: Knex;
  afterCommit(fn: AfterCommit): void;
}

export type TxCtx = Ctx & { db: Knex.Transaction; uow: UnitOfWork };

export interface UnitOfWorkOptions {
  /** Where failures of after-commit work are reported (they never fail the request). */
  onAfterCommitError?: (err: unknown) => void;
  isolationLevel?: Knex.IsolationLevels;
}

/**
 * Runs `fn` in one transaction. Work queued with `afterCommit` runs only once the transaction has
 * committed, in order; its failures are reported, never thrown, because the data is already saved.
 * Called inside an existing unit of work, it joins it (one transaction per request).
 */
export async function runInUnitOfWork<T>(
  ctx: Ctx,
  fn: (tx: TxCtx) => Promise<T>,
  opts: UnitOfWorkOptions = {},
): Promise<T> {
  if ((ctx as Partial<TxCtx>).uow) return fn(ctx as TxCtx);
  const queue: AfterCommit[] = [];
  const base = ctx.db as Knex;
  const result = await base.transaction(
    async (trx) => {
      const uow: UnitOfWork = { trx, base, afterCommit: (f) => void queue.push(f) };
      return fn({ ...ctx, db: trx, uow });
    },
    opts.isolationLevel ? { isolationLevel: opts.isolationLevel } : undefined,
  );
  for (const f of queue) {
    try {
      await f();
    } catch (e) {
      opts.onAfterCommitError?.(e);
    }
  }
  return result;
}
