import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { PLATFORM_SCHEMA } from '../model/naming';

export type RateTake = { ok: true; windowStart: Date } | { ok: false; retryAfterSeconds: number };

/**
 * Fixed-window budgets kept in the database (`platform.rate_counters`), so every server process
 * shares them. Taking is one statement: the upsert locks the window's row, adds only when the sum
 * stays within the limit and says whether it did, so concurrent takers never overdraw a budget.
 */
export class RateLimiter {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
  ) {}

  /** Takes `n` units of `key`'s budget of `limit` per `windowSeconds`, all or none. */
  async take(key: string, n: number, limit: number, windowSeconds: number): Promise<RateTake> {
    const now = this.clock.now().getTime();
    const windowMs = windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
    const retryAfterSeconds = Math.ceil((windowStart.getTime() + windowMs - now) / 1000);
    if (n > limit) return { ok: false, retryAfterSeconds };
    if (n <= 0) return { ok: true, windowStart };
    const rows = await this.db
      .withSchema(PLATFORM_SCHEMA)
      .insert({ key, window_start: windowStart, used: n })
      .into('rate_counters')
      .onConflict(['key', 'window_start'])
      .merge({ used: this.db.raw('?? + excluded.used', ['rate_counters.used']) })
      .where('rate_counters.used', '<=', limit - n)
      .returning('used');
    // Opportunistic clean-up of past windows keeps the table small without a separate job.
    if (Math.random() < 0.01)
      await this.db
        .withSchema(PLATFORM_SCHEMA)
        .from('rate_counters')
        .where('window_start', '<', new Date(now - 2 * windowMs))
        .delete();
    return rows.length ? { ok: true, windowStart } : { ok: false, retryAfterSeconds };
  }

  /** Returns units taken in `windowStart` and not used (a merge that sent fewer e-mails than it reserved). */
  async giveBack(key: string, windowStart: Date, n: number): Promise<void> {
    if (n <= 0) return;
    await this.db
      .withSchema(PLATFORM_SCHEMA)
      .from('rate_counters')
      .where({ key, window_start: windowStart })
      .update({ used: this.db.raw('greatest(0, ?? - ?)', ['used', n]) });
  }

  /**
   * Marks `key` as used until `until`; false when it already was (a spent one-time token, such as a
   * proof-of-work solution; `until` must be the same for every use of one key, e.g. its signed expiry).
   * One statement, so of two concurrent uses exactly one wins. The row's
   * window is its expiry, so the opportunistic clean-up above removes it once it cannot matter.
   */
  async once(key: string, until: Date): Promise<boolean> {
    const rows = await this.db
      .withSchema(PLATFORM_SCHEMA)
      .insert({ key, window_start: until, used: 1 })
      .into('rate_counters')
      .onConflict(['key', 'window_start'])
      .ignore()
      .returning('used');
    return rows.length > 0;
  }
}
