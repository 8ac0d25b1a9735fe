/**
 * Signed-in sessions cached per process, so a request costs one database round trip, not two.
 *
 * Correctness first: a cached session must never outlive a sign-out, a password change, a
 * deactivation or a role change made by any process. Database triggers (session-notify-migration.ts)
 * NOTIFY every such change on commit; each process LISTENs on one connection of its own and drops
 * what the notice names. The cache is only used while that connection is up and answering: when it
 * drops, the cache is emptied and bypassed until it is back (notices sent meanwhile are lost).
 *
 * The notice arrives a moment after the commit. So that "signed out" means signed out everywhere
 * by the time the caller hears it, the changing request ends with `barrier()`: a notice of its own
 * that every listening process answers after it has handled everything before it (one channel,
 * delivered in commit order).
 *
 * Keys are the schema (one per tenant) and the token itself: a token of one tenant can never hit
 * another tenant's entry. Not its SHA-256, which the database stores and a miss still computes:
 * hashing on every hit cost more than the rest of the lookup (issue 27), and buys nothing here.
 * The hash protects tokens at rest, where a leaked table must not sign anyone in; this map lives
 * only in the process's memory, beside the very header strings it is looked up with, for at most
 * `maxAgeMs`. Only tokens the database has just accepted are stored, so a caller cannot fill it
 * with keys of its choosing, and a lookup's string comparison can only tell a caller about an
 * entry whose 256 random bits it already holds.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Clock } from '../clock';
import type { SessionUser } from '../ctx';
import type { Logger } from '../logger';
import { NoticeEpochs } from './notice-epochs';
import { AUTH_CHANNEL } from './session-notify-migration';

export interface CachedSession {
  schema: string;
  user: SessionUser;
  /** When the session row expires (ms since the epoch). */
  expiresAt: number;
  /** When it entered the cache (ms since the epoch, clock time). */
  cachedAt: number;
}

export interface SessionCacheConfig {
  /** Sessions kept per process; 0 turns the cache off. */
  maxEntries: number;
  /** Longest an entry is trusted without a new database lookup (a bound should a notice be lost unseen). */
  maxAgeMs: number;
  /** How often the listening connection is checked to be alive. */
  pingMs: number;
  /** Longest `barrier()` waits for the other processes' answers. */
  barrierTimeoutMs: number;
}

export const defaultSessionCacheConfig: SessionCacheConfig = {
  maxEntries: 10_000,
  maxAgeMs: 60_000,
  pingMs: 5_000,
  barrierTimeoutMs: 2_000,
};

const LISTENER_NAME = 'forma-auth-listener';

/**
 * Another per-process cache that rides on this listener (webhooks/subscription-cache.ts): called with
 * the schema a notice of its kind (or of a dropped tenant) names, or with no schema when everything
 * cached may have missed notices (the listening connection was (re)made or lost).
 */
export type NoticeFollower = (schema?: string) => void;

export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();
  /** Metadata version per schema, as the last lookup or notice told. */
  private readonly metaVersions = new Map<string, number>();
  /** Bumped by every notice for the schema: a lookup that started before one must not be stored. */
  private readonly epochs = new NoticeEpochs();
  private client: pg.Client | undefined;
  private live = false;
  private starting: Promise<void> | undefined;
  private closed = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly barriers = new Map<string, { count: number; done: () => void }>();
  private hits = 0;
  private readonly followers = new Map<string, NoticeFollower>();

  constructor(
    private readonly settings: () => pg.ClientConfig | undefined,
    private readonly config: SessionCacheConfig,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {}

  get enabled(): boolean {
    return this.config.maxEntries > 0;
  }

  /** For health details and tests: whether the cache is in use, its size, hits so far. */
  stats(): { live: boolean; entries: number; hits: number; listenerPid?: number } {
    const pid = (this.client as { processID?: number } | undefined)?.processID;
    return { live: this.live, entries: this.entries.size, hits: this.hits, ...(pid ? { listenerPid: pid } : {}) };
  }

  /** Starts listening now rather than on the first lookup; resolves once listening (or failed). */
  async ready(): Promise<boolean> {
    if (!this.enabled) return false;
    this.start();
    await this.starting;
    return this.live;
  }

  /**
   * Whether cached facts can be trusted now (listening and answering); starts listening when not.
   * For caches that follow this listener's notices.
   */
  isLive(): boolean {
    if (!this.enabled) return false;
    if (!this.live) this.start();
    return this.live;
  }

  /**
   * Notices `<schema>|<kind>|…` go to `follower` (and not to the sessions); so do dropped tenants
   * and resets. Kinds of one letter other than the sessions' own (`u`, `m`, and the barrier's).
   */
  follow(kind: string, follower: NoticeFollower): void {
    this.followers.set(kind, follower);
  }

  /** A token for `epochOf` / `set`: taken before the database lookup. */
  epochOf(schema: string): string {
    return this.epochs.token(schema);
  }

  get(schema: string, token: string): { session: CachedSession; metaVersion: number } | undefined {
    if (!this.enabled) return undefined;
    if (!this.live) {
      this.start();
      return undefined;
    }
    const key = keyOf(schema, token);
    const session = this.entries.get(key);
    if (!session) return undefined;
    const now = this.clock.now().getTime();
    const metaVersion = this.metaVersions.get(schema);
    if (session.expiresAt <= now || now - session.cachedAt > this.config.maxAgeMs || metaVersion === undefined) {
      this.entries.delete(key);
      return undefined;
    }
    // Least recently used goes first: a hit moves to the end.
    this.entries.delete(key);
    this.entries.set(key, session);
    this.hits += 1;
    return { session, metaVersion };
  }

  /** Stores a lookup's result, unless a notice for its schema arrived since `epoch` was taken. */
  set(epoch: string, token: string, session: Omit<CachedSession, 'cachedAt'>, metaVersion: number): void {
    if (!this.enabled || !this.live || !this.epochs.unchanged(session.schema, epoch)) return;
    this.metaVersions.set(session.schema, metaVersion);
    const key = keyOf(session.schema, token);
    this.entries.delete(key);
    this.entries.set(key, { ...session, cachedAt: this.clock.now().getTime() });
    while (this.entries.size > this.config.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Drops one session at once, in this process (its sign-out; the notice does the same everywhere). */
  drop(schema: string, token: string): void {
    this.epochs.bump(schema);
    this.entries.delete(keyOf(schema, token));
  }

  /** Drops a whole tenant in this process (its schema is being dropped). */
  dropTenant(schema: string): void {
    this.epochs.bump(schema);
    this.metaVersions.delete(schema);
    for (const [key, s] of this.entries) if (s.schema === schema) this.entries.delete(key);
    for (const f of this.followers.values()) f(schema);
  }

  /**
   * Waits until every listening process has handled every notice committed before this call (its
   * answer comes after them on the same channel), or `barrierTimeoutMs`. Call it after a change
   * that ends or alters sessions, before answering.
   */
  async barrier(db: { raw(sql: string, bindings: unknown[]): PromiseLike<{ rows: Array<{ n: string | number }> }> }) {
    if (!this.enabled) return;
    const id = randomBytes(9).toString('base64url');
    const listeners = await db.raw(
      'select count(*) as n from pg_stat_activity where application_name = ? and datname = current_database()',
      [LISTENER_NAME],
    );
    const count = Number(listeners.rows[0]?.n ?? 0);
    if (!count) return;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<void>((resolve) => {
      this.barriers.set(id, { count, done: resolve });
      timer = setTimeout(() => {
        this.logger?.warn(
          { waitingFor: this.barriers.get(id)?.count },
          'session revocation: not every process answered',
        );
        resolve();
      }, this.config.barrierTimeoutMs);
    });
    try {
      await db.raw('select pg_notify(?, ?)', [AUTH_CHANNEL, `*|b|${id}`]);
      await answered;
    } finally {
      clearTimeout(timer);
      this.barriers.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  /** Connects the listening connection (once; again after it drops). The cache is bypassed meanwhile. */
  private start(): void {
    if (this.starting || this.closed || this.client) return;
    this.starting = this.connect().finally(() => {
      this.starting = undefined;
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...(this.settings() ?? {}), application_name: LISTENER_NAME } as pg.ClientConfig);
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => {
      if (msg.channel === AUTH_CHANNEL && msg.payload) this.onNotice(client, msg.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${AUTH_CHANNEL}`);
    } catch (err) {
      this.logger?.warn({ err }, 'session cache: cannot listen for revocations; sessions are looked up every time');
      await client.end().catch(() => undefined);
      this.retryLater();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Anything cached before (a previous connection) may have missed notices.
    this.clear();
    this.live = true;
    this.pingTimer = setInterval(() => {
      client.query('select 1').catch((err) => this.lost(client, err));
    }, this.config.pingMs);
    this.pingTimer.unref?.();
  }

  private lost(client: pg.Client, err?: unknown): void {
    if (client !== this.client) return;
    if (err) this.logger?.warn({ err }, 'session cache: the listening connection dropped; cache off until it is back');
    this.live = false;
    this.client = undefined;
    clearInterval(this.pingTimer);
    this.clear();
    client.end().catch(() => undefined);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), 1000);
    this.retryTimer.unref?.();
  }

  private clear(): void {
    this.epochs.bumpAll();
    this.entries.clear();
    this.metaVersions.clear();
    for (const f of this.followers.values()) f();
  }

  private onNotice(client: pg.Client, payload: string): void {
    const [schema = '', kind, arg = ''] = payload.split('|');
    if (kind === 'b') {
      // Every notice before this one is handled (same connection, in order): answer the barrier.
      client.query('select pg_notify($1, $2)', [AUTH_CHANNEL, `*|a|${arg}`]).catch((err) => this.lost(client, err));
      return;
    }
    if (kind === 'a') {
      const b = this.barriers.get(arg);
      if (b && --b.count <= 0) b.done();
      return;
    }
    const follower = kind === undefined ? undefined : this.followers.get(kind);
    if (follower) {
      follower(schema);
      return;
    }
    this.epochs.bump(schema);
    if (kind === 'm') {
      const version = Number(arg);
      if (Number.isSafeInteger(version)) this.metaVersions.set(schema, version);
      else this.metaVersions.delete(schema);
      return;
    }
    if (kind === 'u') {
      for (const [key, s] of this.entries) if (s.schema === schema && s.user.id === arg) this.entries.delete(key);
      return;
    }
    // Anything else (a tenant dropped, a notice of a newer version of Forma): forget the tenant.
    this.metaVersions.delete(schema);
    for (const [key, s] of this.entries) if (s.schema === schema) this.entries.delete(key);
    for (const f of this.followers.values()) f(schema);
  }
}

function keyOf(schema: string, token: string): string {
  return `${schema}\u0000${token}`;
}
