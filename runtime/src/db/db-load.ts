/**
 * The database seen as a shared resource: which request a pooled connection works for, that
 * request's statement and idle-in-transaction timeouts (by kind), cancelling its running statement
 * when its client goes away, how long connections take to get, and the event loop's delay. Knows
 * nothing about HTTP: the platform says what kind a request is and when its client left.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { promisify } from 'node:util';
import pg from 'pg';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import {
  Admission,
  type AdmissionConfig,
  type AdmissionStats,
  type DbLane,
  defaultAdmissionConfig,
  type GoneSignal,
} from './admission';

export interface DbTimeouts {
  /** `statement_timeout`: longest single statement. */
  statementMs: number;
  /** `idle_in_transaction_session_timeout`: longest pause inside an open transaction. */
  idleInTransactionMs: number;
}

export interface DbLoadConfig {
  admission: AdmissionConfig;
  /** Timeouts by request kind: interactive (lists, forms, saves) and heavy (imports, exports, reports, aggregates, metadata). */
  timeouts: Record<DbLane, DbTimeouts>;
  /** A load line is logged at most this often, and only while something is slow. */
  logIntervalMs: number;
  /** Event-loop delay (p99) or connection wait past which the load is logged as slow. */
  slowMs: number;
  /**
   * The database's backends are processes of this machine (the embedded PostgreSQL; the platform
   * sets it). Only then does `heavyNice` apply: a remote server's backend pids are not ours to renice.
   */
  localBackends: boolean;
  /**
   * Nice value (1–19) of a local backend while it works for a heavy request, 0 for off: on a small
   * machine one heavy statement would otherwise own a core that interactive requests need. The OS
   * still gives the heavy statement every idle cycle; it just stops competing with lists and saves.
   */
  heavyNice: number;
  /**
   * With `heavyNice`: a local backend working for a heavy request also runs under the SCHED_IDLE
   * policy (Linux, `chrt`). Nice only lowers its share; a woken list's backend still waited for the
   * niced one's time slice (a few ms, several times per request: the quiet tenant's p99). The kernel
   * preempts a SCHED_IDLE task at once for any other task that wakes, and places waking tasks on its
   * core as on an idle one. Its share of a busy machine is the same as with nice alone.
   */
  heavyIdlePolicy: boolean;
  /**
   * Hot reads go as named prepared statements (prepared.ts). Off (`DATABASE_NAMED_STATEMENTS=0`)
   * behind a transaction-mode pooler older than PgBouncer 1.21, which hands each transaction to any
   * server connection: a statement prepared on one is missing on the next.
   */
  namedStatements: boolean;
}

export const defaultDbLoadConfig: DbLoadConfig = {
  admission: defaultAdmissionConfig,
  timeouts: {
    interactive: { statementMs: 30_000, idleInTransactionMs: 60_000 },
    heavy: { statementMs: 300_000, idleInTransactionMs: 120_000 },
  },
  logIntervalMs: 60_000,
  slowMs: 200,
  localBackends: false,
  heavyNice: 19,
  heavyIdlePolicy: true,
  namedStatements: true,
};

/** What one request's database work runs under. */
interface WorkScope {
  lane: DbLane;
  /** Connections this request holds right now. */
  held: Set<PgConnection>;
  cancelled: boolean;
  /** The cancel of its running statements while it is on its way; false when it may not have landed. */
  cancelling?: Promise<boolean>;
  /** Past its statement timeout's approach: its backends run at normal priority (see `run`). */
  normalPriority?: boolean;
}

interface PgConnection {
  processID?: number;
  query(sql: string): Promise<unknown>;
  /** The timeouts this connection was last set to ('' = its defaults). */
  __formaTimeouts?: string;
  /** The nice value its backend runs at (local backends of heavy requests). */
  __formaNice?: number;
  /** Its backend runs under SCHED_IDLE (local backends of heavy requests). */
  __formaIdle?: boolean;
  /** Never handed out again: the pool's validate (connect-db.ts) drops it. */
  __formaDiscard?: boolean;
  /** The request scope holding it right now. */
  __formaScope?: WorkScope | undefined;
}

export interface DbLoadStats {
  pool: {
    max: number;
    used: number;
    free: number;
    pendingAcquires: number;
    pendingCreates: number;
    /** Waits for a connection over the last `window` acquisitions (ms). */
    acquireWaitMs: { p50: number; p99: number; max: number; window: number };
  };
  admission: AdmissionStats;
  /** Event-loop delay since the last reset (ms). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  cancelled: number;
}

const WAIT_WINDOW = 500;
/** How long before a heavy request's statement timeout its backends get their normal priority back. */
const PRIORITY_BEFORE_TIMEOUT_MS = 500;

/** Longest a cancel may take to connect and to send (past it, the connection is dropped from the pool). */
const CANCEL_TIMEOUT_MS = 5000;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Every PostgreSQL backend calls setsid(), so with the kernel's autogroup scheduling
 * (`/proc/sys/kernel/sched_autogroup_enabled`, on in most desktop and many server kernels) each
 * backend is a scheduling group of its own, and groups share the CPU equally whatever their
 * members' nice values: a niced backend would still take a whole group's share. The group's own
 * nice (`/proc/<pid>/autogroup`) is what counts there. No autogroup file: nothing to do.
 */
function setAutogroupNice(pid: number, nice: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

const execFileAsync = promisify(execFile);

/**
 * SCHED_IDLE (or back to SCHED_OTHER) for a process, through util-linux's `chrt`: Node has no
 * sched_setscheduler. Only heavy requests' checkouts and releases pay for the child process.
 */
async function setIdlePolicy(pid: number, idle: boolean): Promise<void> {
  await execFileAsync('chrt', [idle ? '--idle' : '--other', '--pid', '0', String(pid)], { timeout: 5000 });
}

export class DbLoad {
  readonly admission: Admission;
  private readonly scope = new AsyncLocalStorage<WorkScope>();
  /** The last WAIT_WINDOW connection waits (ms), a ring: `waitCount` is where the next one goes. */
  private readonly waits: number[] = [];
  private waitCount = 0;
  private readonly loop: IntervalHistogram;
  private cancelledCount = 0;
  private logTimer: NodeJS.Timeout | undefined;
  private readonly poolMax: number;

  constructor(
    private readonly db: Knex,
    private readonly cfg: DbLoadConfig,
    private readonly logger: Logger,
  ) {
    const pool = (db.client.config as { pool?: { max?: number } }).pool;
    this.poolMax = pool?.max ?? 10;

    this.admission = new Admission(cfg.admission, this.poolMax);
    this.loop = monitorEventLoopDelay({ resolution: 20 });
    this.loop.enable();
    this.wrapPool();
  }

  /**
   * Runs one request's database work: admitted in its tenant's queue and lane, on connections set to
   * the lane's timeouts. `signal` aborting (the client went away) cancels its running statements.
   */
  async run<T>(
    req: { tenant: string; user: string; lane: DbLane; signal?: GoneSignal },
    fn: () => Promise<T>,
  ): Promise<T> {
    const scope: WorkScope = { lane: req.lane, held: new Set(), cancelled: false };
    const onAbort = () => {
      scope.cancelling = this.cancel(scope);
    };
    if (req.signal?.aborted) throw new AppError('BAD_REQUEST', 'The client went away');
    req.signal?.addEventListener('abort', onAbort, { once: true });
    // A niced backend enforces its own statement timeout: on a busy machine it gets so little CPU
    // that it would notice the timeout minutes late (a test waiting for its 503 saw none in 60 s).
    // Shortly before the timeout is due, its backends go back to normal priority.
    const due =
      req.lane === 'heavy' && this.nicesHeavy()
        ? setTimeout(
            () => {
              scope.normalPriority = true;
              for (const c of scope.held) if (c.__formaScope === scope) void this.restorePriority(c);
            },
            Math.max(0, this.cfg.timeouts.heavy.statementMs - PRIORITY_BEFORE_TIMEOUT_MS),
          )
        : undefined;
    due?.unref();
    try {
      return await this.admission.run(req, () => this.scope.run(scope, fn));
    } catch (e) {
      if ((e as { code?: string })?.code === '57014' && !scope.cancelled)
        throw new AppError('UNAVAILABLE', 'The request took too long in the database and was stopped', {
          headers: { 'retry-after': '30' },
          details: { reason: 'statement_timeout', limitMs: this.cfg.timeouts[req.lane].statementMs },
          cause: e,
        });
      throw e;
    } finally {
      if (due) clearTimeout(due);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Runs `fn` with the lane's timeouts but without admission (work already admitted, or the platform's own). */
  within<T>(lane: DbLane, fn: () => Promise<T>): Promise<T> {
    return this.scope.run({ lane, held: new Set(), cancelled: false }, fn);
  }

  stats(): DbLoadStats {
    const pool = (
      this.db.client as {
        pool?: {
          numUsed(): number;
          numFree(): number;
          numPendingAcquires(): number;
          numPendingCreates(): number;
        };
      }
    ).pool;
    const sorted = [...this.waits].sort((a, b) => a - b);
    const ms = (ns: number) => round(ns / 1e6);
    return {
      pool: {
        max: this.poolMax,
        used: pool?.numUsed() ?? 0,
        free: pool?.numFree() ?? 0,
        pendingAcquires: pool?.numPendingAcquires() ?? 0,
        pendingCreates: pool?.numPendingCreates() ?? 0,
        acquireWaitMs: {
          p50: round(percentile(sorted, 50)),
          p99: round(percentile(sorted, 99)),
          max: round(sorted.at(-1) ?? 0),
          window: sorted.length,
        },
      },
      admission: this.admission.stats(),
      eventLoopDelayMs: {
        p50: this.loop.count ? ms(this.loop.percentile(50)) : 0,
        p99: this.loop.count ? ms(this.loop.percentile(99)) : 0,
        max: this.loop.count ? ms(this.loop.max) : 0,
      },
      cancelled: this.cancelledCount,
    };
  }

  /** Logs the load every `logIntervalMs` while the event loop or the pool is slow. */
  startLogging(logger: Logger = this.logger): void {
    if (this.logTimer || this.cfg.logIntervalMs <= 0) return;
    this.logTimer = setInterval(() => {
      const s = this.stats();
      const slow =
        s.eventLoopDelayMs.p99 >= this.cfg.slowMs ||
        s.pool.acquireWaitMs.p99 >= this.cfg.slowMs ||
        s.admission.queued > 0 ||
        s.pool.pendingAcquires > 0;
      if (slow) logger.warn({ load: s }, 'server under load');
      this.loop.reset();
    }, this.cfg.logIntervalMs);
    this.logTimer.unref?.();
  }

  close(): void {
    if (this.logTimer) clearInterval(this.logTimer);
    this.logTimer = undefined;
    this.loop.disable();
  }

  /** Cancels the statements running for `scope` (pg_cancel_backend over a connection of its own, outside the pool). */
  private async cancel(scope: WorkScope): Promise<boolean> {
    scope.cancelled = true;
    const held = [...scope.held].filter((c) => c.__formaScope === scope);
    // A niced backend on a busy machine gets so little CPU that it would notice the cancel late:
    // back to normal priority first, so it stops at once. Its nice values change at once; its
    // scheduling policy (a child process, slow on a loaded machine) alongside the cancel, and the
    // connection goes back to the pool (after this promise) only once both are done.
    const restored = held.map((c) => this.restorePriority(c));
    const pids = held.map((c) => c.processID).filter((p): p is number => typeof p === 'number');
    if (!pids.length) {
      await Promise.all(restored);
      return true;
    }
    const settings = (this.db.client as { connectionSettings?: pg.ClientConfig }).connectionSettings;
    // Bounded: the gone request's connections wait for this cancel before they go back to the pool.
    const client = new pg.Client({
      ...(settings ?? {}),
      application_name: 'forma-cancel',
      connectionTimeoutMillis: CANCEL_TIMEOUT_MS,
      query_timeout: CANCEL_TIMEOUT_MS,
    } as pg.ClientConfig);
    try {
      await client.connect();
      for (const pid of pids) await client.query('select pg_cancel_backend($1)', [pid]);
      this.cancelledCount += pids.length;
      return true;
    } catch (err) {
      this.logger.warn({ err }, 'could not cancel the statements of a request whose client went away');
      return false;
    } finally {
      await client.end().catch(() => undefined);
      await Promise.all(restored);
    }
  }

  /**
   * Hooks the knex client's connection checkout: measures the wait, answers 503 when the pool has
   * no connection in time (instead of knex's timeout error, a 500), sets the checked-out connection
   * to the timeouts of the request it now works for, and remembers it for cancelling.
   */
  private wrapPool(): void {
    const client = this.db.client as {
      acquireConnection(): Promise<PgConnection>;
      releaseConnection(c: PgConnection): Promise<void>;
    };
    const acquire = client.acquireConnection.bind(client);
    const release = client.releaseConnection.bind(client);
    client.acquireConnection = async () => {
      const started = performance.now();
      let conn: PgConnection;
      try {
        conn = await acquire();
      } catch (e) {
        if ((e as Error)?.name === 'KnexTimeoutError')
          throw new AppError('UNAVAILABLE', 'The database is busy; please retry shortly', {
            headers: { 'retry-after': '5' },
            details: { reason: 'pool_timeout' },
            cause: e,
          });
        throw e;
      }
      this.waits[this.waitCount++ % WAIT_WINDOW] = performance.now() - started;
      const scope = this.scope.getStore();
      try {
        // Awaited only when there is something to do: the usual checkout (same lane as last time,
        // not heavy) goes through without promises of its own (issue 27).
        const timeouts = this.applyTimeouts(conn, scope);
        if (timeouts) await timeouts;
        if (this.lowersPriority(conn, scope)) await this.lowerPriority(conn, scope);
      } catch (e) {
        await this.restorePriority(conn);
        await release(conn);
        throw e;
      }
      if (scope) {
        if (scope.cancelled) {
          await this.restorePriority(conn);
          await release(conn);
          throw new AppError('BAD_REQUEST', 'The client went away');
        }
        scope.held.add(conn);
        conn.__formaScope = scope;
      }
      return conn;
    };
    client.releaseConnection = async (conn: PgConnection) => {
      const scope = conn.__formaScope;
      scope?.held.delete(conn);
      conn.__formaScope = undefined;
      // The cancel names this backend by pid and arrives over another connection: back in the pool
      // before it lands, the backend would be running the next request's statement and stop that
      // one instead (a 503 for an innocent request). Once it has landed on an idle backend, it is void.
      // A cancel that failed midway may still arrive: that backend is not used again.
      if (scope?.cancelling && !(await scope.cancelling)) conn.__formaDiscard = true;
      if (conn.__formaNice || conn.__formaIdle) await this.restorePriority(conn);
      return release(conn);
    };
  }

  /**
   * A local backend working for a heavy request runs niced (and under SCHED_IDLE). Parallel workers
   * are processes of their own, started at the normal priority, so such a session plans without
   * them (applyTimeouts).
   */
  /** Whether `lowerPriority` has anything to do (checked before paying for its promise). */
  private lowersPriority(conn: PgConnection, scope: WorkScope | undefined): boolean {
    return this.nicesHeavy() && scope?.lane === 'heavy' && !scope.normalPriority && Boolean(conn.processID);
  }

  private async lowerPriority(conn: PgConnection, scope: WorkScope | undefined): Promise<void> {
    if (!this.nicesHeavy() || scope?.lane !== 'heavy' || scope.normalPriority || !conn.processID) return;
    if (conn.__formaNice !== this.cfg.heavyNice) {
      try {
        os.setPriority(conn.processID, this.cfg.heavyNice);
        conn.__formaNice = this.cfg.heavyNice;
        setAutogroupNice(conn.processID, this.cfg.heavyNice);
      } catch (err) {
        // Another OS user's processes (PostgreSQL started elsewhere): heavy work runs at normal priority.
        this.warnOnce('renice', err, 'cannot lower the priority of heavy database work');
        return;
      }
    }
    if (!this.cfg.heavyIdlePolicy || conn.__formaIdle) return;
    try {
      await setIdlePolicy(conn.processID, true);
      conn.__formaIdle = true;
      // Its statement timeout came close while chrt ran: normal priority, as for the others.
      if (scope.normalPriority) await this.restorePriority(conn);
    } catch (err) {
      // No chrt (not Linux, a minimal image), or not allowed: nice alone still applies.
      this.warnOnce('sched_idle', err, 'cannot run heavy database work under SCHED_IDLE (nice only)');
    }
  }

  /**
   * Back to normal priority before the connection serves anyone else. Raising a priority again needs
   * root (or CAP_SYS_NICE); without it the niced backend is dropped from the pool, never reused.
   * The nice value is restored at once; the scheduling policy by the time the promise settles.
   */
  private async restorePriority(conn: PgConnection): Promise<void> {
    if (conn.__formaNice) {
      try {
        os.setPriority(conn.processID as number, 0);
        setAutogroupNice(conn.processID as number, 0);
        conn.__formaNice = 0;
      } catch {
        conn.__formaDiscard = true;
      }
    }
    if (!conn.__formaIdle) return;
    conn.__formaIdle = false;
    try {
      await setIdlePolicy(conn.processID as number, false);
    } catch {
      conn.__formaDiscard = true;
    }
  }

  private nicesHeavy(): boolean {
    return this.cfg.localBackends && this.cfg.heavyNice > 0;
  }

  private readonly warned = new Set<string>();
  private warnOnce(key: string, err: unknown, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn({ err }, msg);
  }

  /** Sets the connection to the scope's timeouts; undefined when it already has them. */
  private applyTimeouts(conn: PgConnection, scope: WorkScope | undefined): Promise<void> | undefined {
    const t = scope ? this.cfg.timeouts[scope.lane] : undefined;
    const serial = scope?.lane === 'heavy' && this.nicesHeavy();
    const key = t ? `${t.statementMs}/${t.idleInTransactionMs}${serial ? '/serial' : ''}` : '';
    if ((conn.__formaTimeouts ?? '') === key) return undefined;
    return this.setTimeouts(conn, t, serial, key);
  }

  private async setTimeouts(
    conn: PgConnection,
    t: DbTimeouts | undefined,
    serial: boolean,
    key: string,
  ): Promise<void> {
    // Session settings outside any transaction (knex begins only after the checkout), so they stick;
    // RESET goes back to the connection's start-up values for work that is not a request's.
    await conn.query(
      t
        ? `set statement_timeout = ${Math.floor(t.statementMs)}; set idle_in_transaction_session_timeout = ${Math.floor(t.idleInTransactionMs)}; ${serial ? 'set max_parallel_workers_per_gather = 0' : 'reset max_parallel_workers_per_gather'}`
        : 'reset statement_timeout; reset idle_in_transaction_session_timeout; reset max_parallel_workers_per_gather',
    );
    conn.__formaTimeouts = key;
  }
}

export { defaultAdmissionConfig, type AdmissionConfig, type DbLane, type GoneSignal };
