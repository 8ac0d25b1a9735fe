/**
 * Each tenant's active webhook subscriptions, cached per process, so a save does not read them
 * (issue 27: the SELECT was one of four statements of every create, on tenants that mostly have none).
 *
 * Correctness as for sessions (auth/session-cache.ts, whose listening connection this rides on): a
 * trigger on `_webhooks` NOTIFYs every change at commit (webhook-notify-migration.ts), each process
 * drops the tenant it names, and the admin routes that change a subscription end with the sessions'
 * `barrier()`, so by the time one answers, every process has dropped its copy. While the listener is
 * down the cache is bypassed (read every time, as before), and a read that started before a notice
 * of its tenant is not kept.
 *
 * A miss reads through the save's own transaction. No transaction writes both a subscription and a
 * record (subscriptions change only through their admin routes, in statements of their own), so what
 * it reads is committed state.
 */
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { NoticeEpochs } from '../auth/notice-epochs';
import type { NoticeFollower } from '../auth/session-cache';
import { SYSTEM_TABLE as T } from '../model/naming';

export interface Subscription {
  id: string;
  events: string[];
  fields: string[];
}

/** The listener the cache follows: whether it can be trusted now, and its notices of a kind. */
export interface NoticeSource {
  isLive(): boolean;
  follow(kind: string, follower: NoticeFollower): void;
}

const NONE: readonly Subscription[] = Object.freeze([]);

export class SubscriptionCache {
  /** schema → object → its active subscriptions, the least recently used tenants dropped first. */
  private readonly tenants: LRUCache<string, Map<string, Subscription[]>>;
  /** Bumped by every notice for the schema: a read that started before one must not be kept. */
  private readonly epochs = new NoticeEpochs();
  private reads = 0;

  constructor(
    private readonly notices: NoticeSource | undefined,
    kind: string,
    maxTenants = 10_000,
  ) {
    this.tenants = new LRUCache({ max: maxTenants });
    notices?.follow(kind, (schema) => this.drop(schema));
  }

  /** For tests: how many times the database was read. */
  stats(): { tenants: number; reads: number } {
    return { tenants: this.tenants.size, reads: this.reads };
  }

  /** The active subscriptions of `object` in `schema`, read with `db` (the caller's transaction) on a miss. */
  async of(db: Knex, schema: string, object: string): Promise<readonly Subscription[]> {
    const live = this.notices?.isLive() ?? false;
    const cached = live ? this.tenants.get(schema) : undefined;
    if (cached) return cached.get(object) ?? NONE;
    const epoch = this.epochs.token(schema);
    this.reads += 1;
    if (!live) {
      return db.withSchema(schema).from(T.webhooks).where({ object, active: true }).select('id', 'events', 'fields');
    }
    const rows: Array<Subscription & { object: string }> = await db
      .withSchema(schema)
      .from(T.webhooks)
      .where({ active: true })
      .select('id', 'object', 'events', 'fields');
    const byObject = new Map<string, Subscription[]>();
    for (const { object: o, ...s } of rows) {
      const list = byObject.get(o);
      if (list) list.push(s);
      else byObject.set(o, [s]);
    }
    if (this.epochs.unchanged(schema, epoch) && this.notices?.isLive()) this.tenants.set(schema, byObject);
    return byObject.get(object) ?? NONE;
  }

  private drop(schema?: string): void {
    if (schema === undefined) {
      this.epochs.bumpAll();
      this.tenants.clear();
      return;
    }
    this.epochs.bump(schema);
    this.tenants.delete(schema);
  }
}
