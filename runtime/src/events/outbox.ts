import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import { PLATFORM_SCHEMA } from '../model/naming';
import type { AfterCommit, TxCtx } from '../tx/unit-of-work';

export type OutboxHandler = (ctx: TxCtx, payload: Record<string, unknown>) => Promise<void>;

export interface OutboxOptions {
  /** Builds the context a handler acts in: the tenant, as the user who caused the event. */
  ctxFor(tenant: string, userId: string | null, db: Knex): Promise<Ctx>;
  onError?(err: unknown, topic: string, id: string): void;
  maxAttempts?: number;
}

interface OutboxRow {
  id: string;
  tenant: string;
  topic: string;
  payload: Record<string, unknown>;
  actor: string | null;
  attempts: number;
}

/**
 * Durable after-commit work (afterSave scripts, workflow triggers, notifications). An event is
 * written in the same transaction as the change that caused it, handled right after commit, and
 * handled in the same transaction that marks it done, so a crash between commit and handling loses
 * nothing (the sweeper picks it up) and a handled event is never handled twice. Rows are claimed
 * with FOR UPDATE SKIP LOCKED, so any number of server processes can sweep together.
 */
export class Outbox {
  private readonly handlers = new Map<string, OutboxHandler>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Knex,
    private readonly opts: OutboxOptions,
  ) {}

  register(topic: string, handler: OutboxHandler): void {
    if (this.handlers.has(topic)) throw new Error(`Outbox topic already registered: ${topic}`);
    this.handlers.set(topic, handler);
  }

  /** Records an event in the caller's transaction; it is handled once that transaction commits. */
  async enqueue(ctx: TxCtx, topic: string, payload: Record<string, unknown>): Promise<void> {
    const [row] = await ctx.db
      .withSchema(PLATFORM_SCHEMA)
      .insert({
        tenant: ctx.tenant,
        topic,
        payload: JSON.stringify(payload),
        actor: isUuid(ctx.user.id) ? ctx.user.id : null,
      })
      .into('outbox')
      .returning('id');
    const id = String(row.id);
    ctx.uow.afterCommit(() => {
      // One event at a time per process: a burst of saves (an import) must not take every pooled
      // connection at once (a handler holds its transaction and may need a second connection).
      const next = this.chain.then(() => this.handle(id));
      this.chain = next.then(
        () => undefined,
        () => undefined,
      );
      this.track(next);
    });
  }

  /** Handles every pending event now (tests, shutdown); returns how many were handled. */
  async drain(): Promise<number> {
    await Promise.all([...this.inFlight]);
    let handled = 0;
    for (;;) {
      const ids = await this.db
        .withSchema(PLATFORM_SCHEMA)
        .from('outbox')
        .whereNull('done_at')
        .whereNull('dead_at')
        .orderBy('id')
        .limit(100)
        .pluck('id');
      if (!ids.length) return handled;
      let progressed = false;
      for (const id of ids) {
        if (!(await this.handle(String(id)))) continue;
        handled += 1;
        progressed = true;
      }
      if (!progressed) return handled;
    }
  }

  /** Periodically handles events left over by a crash (or still failing, until maxAttempts). */
  startSweeper(intervalMs = 5_000): void {
    this.stopSweeper();
    this.timer = setInterval(() => {
      this.track(this.sweepOnce().then(() => undefined));
    }, intervalMs);
    this.timer.unref();
  }

  stopSweeper(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async close(): Promise<void> {
    this.stopSweeper();
    await Promise.allSettled([...this.inFlight]);
  }

  private async sweepOnce(): Promise<void> {
    const ids = await this.db
      .withSchema(PLATFORM_SCHEMA)
      .from('outbox')
      .whereNull('done_at')
      .whereNull('dead_at')
      .andWhere('created_at', '<', this.db.raw("now() - interval '2 seconds'"))
      .orderBy('id')
      .limit(100)
      .pluck('id');
    for (const id of ids) await this.handle(String(id));
  }

  private track(p: Promise<unknown>): void {
    const done = p.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  /** Claims and handles one event; false when another process has it or it is already done. */
  private async handle(id: string): Promise<boolean> {
    let row: OutboxRow | undefined;
    // Work the handler queues for after commit (events it enqueues, action hooks) waits for the real
    // commit of this transaction: run inside it, a follow-up event would not be visible yet.
    const afterCommit: AfterCommit[] = [];
    try {
      const handled = await this.db.transaction(async (trx) => {
        row = await trx
          .withSchema(PLATFORM_SCHEMA)
          .from('outbox')
          .where({ id })
          .whereNull('done_at')
          .whereNull('dead_at')
          .forUpdate()
          .skipLocked()
          .first();
        if (!row) return false;
        const handler = this.handlers.get(row.topic);
        if (!handler) throw new Error(`No handler for outbox topic ${row.topic}`);
        const ctx = await this.opts.ctxFor(row.tenant, row.actor, this.db);
        const tx: TxCtx = {
          ...ctx,
          db: trx,
          uow: { trx, base: this.db, afterCommit: (f) => void afterCommit.push(f) },
        };
        // The handler's changes and the "done" mark commit together: handled exactly once.
        await handler(tx, row.payload);
        await trx.withSchema(PLATFORM_SCHEMA).from('outbox').where({ id }).update({ done_at: trx.fn.now() });
        return true;
      });
      for (const f of afterCommit) {
        try {
          await f();
        } catch (e) {
          this.opts.onError?.(e, row?.topic ?? '?', id);
        }
      }
      return handled;
    } catch (e) {
      if (row) await this.recordFailure(row, e);
      this.opts.onError?.(e, row?.topic ?? '?', id);
      return false;
    }
  }

  private async recordFailure(row: OutboxRow, e: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    await this.db
      .withSchema(PLATFORM_SCHEMA)
      .from('outbox')
      .where({ id: row.id })
      .update({
        attempts,
        last_error: String(e instanceof Error ? e.message : e).slice(0, 2000),
        ...(attempts >= (this.opts.maxAttempts ?? 5) ? { dead_at: this.db.fn.now() } : {}),
      });
  }
}

function isUuid(s: string): boolean {
  return (
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) &&
    s !== '00000000-0000-0000-0000-000000000000'
  );
}
