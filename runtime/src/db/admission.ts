/**
 * Admission of database work: how many requests of one tenant, one user and one lane may work on the
 * shared connection pool at once, and a fair queue for the rest. Every tenant waits in its own
 * queue; when a slot frees, tenants take turns (round robin), so a noisy tenant delays itself, not
 * everyone. Heavy work (imports, exports, aggregates, reports, metadata changes) has a smaller lane of
 * its own inside the tenant's share. A full queue answers 429, a wait past `maxWaitMs` 503, both with
 * Retry-After. Slots count requests in this process; the pool they protect is this process's too.
 */
import { AppError } from '../errors';

/** `details.reason` of the 429 for a full queue (the only 429 after which the platform refuses the lane early). */
export const QUEUE_FULL = 'queue_full';

export type DbLane = 'interactive' | 'heavy';

export interface AdmissionConfig {
  /** Pool connections kept out of admission (health checks, sign-in, background jobs). */
  reserve: number;
  /** Requests working at once in this process; 0: pool size minus `reserve`. */
  global: number;
  /** Per tenant; 0: half of `global`. */
  perTenant: number;
  /** Per user; 0: two thirds of `perTenant`. */
  perUser: number;
  /** Heavy requests per tenant; 0: a quarter of `global`. */
  heavyPerTenant: number;
  /** Heavy requests per user; 0: a quarter of `heavyPerTenant`. */
  heavyPerUser: number;
  /** Waiting requests per tenant before 429. */
  queuePerTenant: number;
  /** Waiting requests per user before 429. */
  queuePerUser: number;
  /** Waiting heavy requests per tenant before 429. */
  heavyQueuePerTenant: number;
  /** Waiting heavy requests per user before 429. */
  heavyQueuePerUser: number;
  /** Longest wait for a slot before 503. */
  maxWaitMs: number;
  /** Retry-After of a 429 for a full queue (the platform refuses that caller's lane until then). */
  retryAfterSeconds: number;
}

export const defaultAdmissionConfig: AdmissionConfig = {
  reserve: 2,
  global: 0,
  perTenant: 0,
  perUser: 0,
  heavyPerTenant: 0,
  heavyPerUser: 0,
  queuePerTenant: 200,
  queuePerUser: 100,
  heavyQueuePerTenant: 32,
  heavyQueuePerUser: 8,
  maxWaitMs: 30_000,
  retryAfterSeconds: 2,
};

export interface AdmissionLimits {
  global: number;
  perTenant: number;
  perUser: number;
  heavyPerTenant: number;
  heavyPerUser: number;
}

/** The effective caps for a pool of `poolMax` connections (0 in the config means "derive it"). */
export function admissionLimits(cfg: AdmissionConfig, poolMax: number): AdmissionLimits {
  const global = cfg.global || Math.max(1, poolMax - cfg.reserve);
  const perTenant = Math.min(global, cfg.perTenant || Math.max(1, Math.ceil(global / 2)));
  const perUser = Math.min(perTenant, cfg.perUser || Math.max(1, Math.ceil((perTenant * 2) / 3)));
  const heavyPerTenant = Math.min(perTenant, cfg.heavyPerTenant || Math.max(1, Math.floor(global / 4)));
  const heavyPerUser = Math.min(
    heavyPerTenant,
    perUser,
    cfg.heavyPerUser || Math.max(1, Math.ceil(heavyPerTenant / 4)),
  );
  return { global, perTenant, perUser, heavyPerTenant, heavyPerUser };
}

/**
 * What admission and the load need of an AbortSignal. An AbortSignal is one; the platform passes a
 * lighter one of its own per request (an AbortController is an EventTarget: ~2 % of a read's CPU,
 * issue 27).
 */
export interface GoneSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface AdmissionRequest {
  tenant: string;
  user: string;
  lane: DbLane;
  /** Aborted (the client went away): a waiting request leaves the queue. */
  signal?: GoneSignal;
}

interface Waiter extends AdmissionRequest {
  grant: () => void;
  /** Date.now() past which it is refused (503): `sweep` looks. */
  deadline: number;
  expire: () => void;
}

interface Counts {
  all: number;
  heavy: number;
}

export interface AdmissionStats {
  limits: AdmissionLimits;
  running: number;
  runningHeavy: number;
  queued: number;
  /** Tenants with at least one waiting request. */
  tenantsWaiting: number;
  /** The longest queue of one tenant. */
  longestQueue: number;
  rejected: { queueFull: number; waitedTooLong: number };
}

export class Admission {
  readonly limits: AdmissionLimits;
  private running = 0;
  private runningHeavy = 0;
  private readonly tenants = new Map<string, Counts>();
  private readonly users = new Map<string, Counts>();
  /** Waiting requests per tenant, in arrival order; the map's order is the round robin's. */
  private readonly queues = new Map<string, Waiter[]>();
  /** Waiting requests per user (`u…`), per tenant and lane (`h…`) and per user and lane (`hu…`). */
  private readonly queuedCounts = new Map<string, number>();
  private queued = 0;
  private readonly rejected = { queueFull: 0, waitedTooLong: 0 };
  /**
   * One timer for every waiting request, due at the earliest deadline, instead of a timer per
   * waiter: under load most requests wait a moment, and each setTimeout/clearTimeout pair cost
   * them a timer-list insert and removal (issue 27). Deadlines are the arrival time plus one
   * constant, so the earliest is the first waiter's, and the timer is armed only when none is.
   */
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly cfg: AdmissionConfig,
    poolMax: number,
  ) {
    this.limits = admissionLimits(cfg, poolMax);
  }

  /**
   * Waits for a slot; resolves to its release (call it exactly once, when the request's database
   * work is over). Throws 429 when the caller's queue is full, 503 when the wait is too long.
   */
  async acquire(req: AdmissionRequest): Promise<() => void> {
    // First come, first served within a tenant, but a user at their own cap does not hold up colleagues.
    const now = this.admitNow(req);
    if (now) return now;
    const queue = this.queues.get(req.tenant) ?? [];
    const keys = this.queueKeys(req);
    const n = (k: string | undefined) => (k ? (this.queuedCounts.get(k) ?? 0) : 0);
    const heavy = req.lane === 'heavy';
    if (
      queue.length >= this.cfg.queuePerTenant ||
      n(keys[0]) >= this.cfg.queuePerUser ||
      (heavy && (n(keys[1]) >= this.cfg.heavyQueuePerTenant || n(keys[2]) >= this.cfg.heavyQueuePerUser))
    ) {
      this.rejected.queueFull += 1;
      throw new AppError('RATE_LIMITED', 'Too many requests are waiting for the database; please retry shortly', {
        headers: { 'retry-after': String(this.cfg.retryAfterSeconds) },
        details: { reason: QUEUE_FULL },
      });
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = {
        ...req,
        grant: () => resolve(this.releaser(req)),
        deadline: Date.now() + this.cfg.maxWaitMs,
        expire: () =>
          reject(
            new AppError('UNAVAILABLE', 'The server is busy; please retry shortly', {
              headers: { 'retry-after': '5' },
              details: { reason: 'queue_timeout' },
            }),
          ),
      };
      this.armSweep(waiter.deadline);
      req.signal?.addEventListener(
        'abort',
        () => {
          if (this.unqueue(waiter)) reject(new AppError('BAD_REQUEST', 'The client went away'));
        },
        { once: true },
      );
      queue.push(waiter);
      this.queues.set(req.tenant, queue);
      for (const k of keys) this.queuedCounts.set(k, n(k) + 1);
      this.queued += 1;
    });
  }

  /**
   * A slot at once, when one is free and none of the tenant's waiting requests fits it: its release
   * (call it exactly once), else undefined (then `acquire` queues the request). What `run` does,
   * for a caller that runs its work itself without another async layer (db-load.ts).
   */
  admitNow(req: AdmissionRequest): (() => void) | undefined {
    const queue = this.queues.get(req.tenant);
    if (!this.fits(req) || queue?.some((w) => this.fits(w))) return undefined;
    this.take(req);
    return this.releaser(req);
  }

  /** Runs `fn` inside a slot. */
  async run<T>(req: AdmissionRequest, fn: () => Promise<T>): Promise<T> {
    // The usual case (a free slot) without a promise of its own to wait for.
    const release = this.admitNow(req) ?? (await this.acquire(req));
    try {
      return await fn();
    } finally {
      release();
    }
  }

  stats(): AdmissionStats {
    let longestQueue = 0;
    for (const q of this.queues.values()) longestQueue = Math.max(longestQueue, q.length);
    return {
      limits: this.limits,
      running: this.running,
      runningHeavy: this.runningHeavy,
      queued: this.queued,
      tenantsWaiting: this.queues.size,
      longestQueue,
      rejected: { ...this.rejected },
    };
  }

  private counts(map: Map<string, Counts>, key: string): Counts {
    let c = map.get(key);
    if (!c) {
      c = { all: 0, heavy: 0 };
      map.set(key, c);
    }
    return c;
  }

  private fits(req: AdmissionRequest): boolean {
    const l = this.limits;
    const t = this.tenants.get(req.tenant) ?? { all: 0, heavy: 0 };
    const u = this.users.get(`${req.tenant}\u0000${req.user}`) ?? { all: 0, heavy: 0 };
    if (this.running >= l.global || t.all >= l.perTenant || u.all >= l.perUser) return false;
    return req.lane !== 'heavy' || (t.heavy < l.heavyPerTenant && u.heavy < l.heavyPerUser);
  }

  private take(req: AdmissionRequest): void {
    const heavy = req.lane === 'heavy' ? 1 : 0;
    this.running += 1;
    this.runningHeavy += heavy;
    const t = this.counts(this.tenants, req.tenant);
    t.all += 1;
    t.heavy += heavy;
    const u = this.counts(this.users, `${req.tenant}\u0000${req.user}`);
    u.all += 1;
    u.heavy += heavy;
  }

  private releaser(req: AdmissionRequest): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const heavy = req.lane === 'heavy' ? 1 : 0;
      this.running -= 1;
      this.runningHeavy -= heavy;
      const tk = req.tenant;
      const uk = `${req.tenant}\u0000${req.user}`;
      const t = this.counts(this.tenants, tk);
      t.all -= 1;
      t.heavy -= heavy;
      if (!t.all) this.tenants.delete(tk);
      const u = this.counts(this.users, uk);
      u.all -= 1;
      u.heavy -= heavy;
      if (!u.all) this.users.delete(uk);
      this.dispatch();
    };
  }

  /** Grants free slots to waiting requests, one tenant after the other. */
  private dispatch(): void {
    let granted = true;
    while (granted && this.queued && this.running < this.limits.global) {
      granted = false;
      for (const [tenant, queue] of [...this.queues]) {
        // The first request of this tenant that fits (a user at their cap does not block colleagues).
        const i = queue.findIndex((w) => this.fits(w));
        if (i < 0) continue;
        const [w] = queue.splice(i, 1);
        if (!w) continue;
        this.forget(w, tenant, queue);
        // The tenant served goes to the back of the round robin.
        if (queue.length) {
          this.queues.delete(tenant);
          this.queues.set(tenant, queue);
        }
        this.take(w);
        w.grant();
        granted = true;
        if (this.running >= this.limits.global) break;
      }
    }
  }

  private queueKeys(req: AdmissionRequest): string[] {
    const user = `u${req.tenant}\u0000${req.user}`;
    return req.lane === 'heavy' ? [user, `h${req.tenant}`, `hu${req.tenant}\u0000${req.user}`] : [user];
  }

  private unqueue(w: Waiter): boolean {
    const queue = this.queues.get(w.tenant);
    const i = queue ? queue.indexOf(w) : -1;
    if (!queue || i < 0) return false;
    queue.splice(i, 1);
    this.forget(w, w.tenant, queue);
    return true;
  }

  /** The sweep due at `deadline`, unless one is due sooner. */
  private armSweep(deadline: number): void {
    if (deadline >= this.sweepAt) return;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepAt = deadline;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(1, deadline - Date.now()));
    this.sweepTimer.unref?.();
  }

  /** Refuses (503) every waiter past its deadline, and arms the next sweep for the earliest left. */
  private sweep(): void {
    this.sweepTimer = undefined;
    this.sweepAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const queue of [...this.queues.values()])
      for (const w of [...queue]) {
        if (w.deadline > now) {
          next = Math.min(next, w.deadline);
          continue;
        }
        if (!this.unqueue(w)) continue;
        this.rejected.waitedTooLong += 1;
        w.expire();
      }
    if (next !== Number.POSITIVE_INFINITY) this.armSweep(next);
  }

  private forget(w: Waiter, tenant: string, queue: Waiter[]): void {
    this.queued -= 1;
    for (const k of this.queueKeys(w)) {
      const n = (this.queuedCounts.get(k) ?? 1) - 1;
      if (n > 0) this.queuedCounts.set(k, n);
      else this.queuedCounts.delete(k);
    }
    if (!queue.length) this.queues.delete(tenant);
  }
}
