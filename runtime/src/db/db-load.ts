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
import { canDefer, holdBegin, sendBegin, type PipelinableConnection, withBegin } from './deferred-begin';
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

interface PgConnection extends PipelinableConnection {
  /** With `secretKey`, what a cancel request names (behind PgBouncer: PgBouncer's key, not a backend pid). */
  processID?: number;
  secretKey?: number;
  query(...args: unknown[]): unknown;
  /** 'I' idle, 'T' in a transaction, 'E' in a failed one (node-postgres, from ReadyForQuery). */
  getTransactionStatus?(): string | null;
  /** The driver's own `query`, before DbLoad wrapped it (see `scopeQueries`). */
  __formaQuery?: (...args: unknown[]) => unknown;
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
      // Admission.run inlined: the usual case (a free slot) takes it without a promise of its own.
      const release = this.admission.admitNow(req) ?? (await this.admission.acquire(req));
      try {
        return await this.scope.run(scope, fn);
      } finally {
        release();
      }
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

  /**
   * Cancels the statements running for `scope` with the protocol's cancel request: the connection's
   * own (process id, secret key) pair, sent over a socket of its own, as psql's Ctrl-C does. Never
   * `pg_cancel_backend(pid)`: behind a transaction-mode pooler the connection's "pid" is the pooler's
   * key, which may be any backend's pid, running another client's statement. PgBouncer forwards a
   * cancel request to the server connection its client is linked to, and drops it when the client
   * has none (its transaction is over).
   */
  private async cancel(scope: WorkScope): Promise<boolean> {
    scope.cancelled = true;
    const held = [...scope.held].filter((c) => c.__formaScope === scope);
    // A niced backend on a busy machine gets so little CPU that it would notice the cancel late:
    // back to normal priority first, so it stops at once. Its nice values change at once; its
    // scheduling policy (a child process, slow on a loaded machine) alongside the cancel, and the
    // connection goes back to the pool (after this promise) only once both are done.
    const restored = held.map((c) => this.restorePriority(c));
    const keyed = held.filter((c) => typeof c.processID === 'number' && typeof c.secretKey === 'number');
    if (!keyed.length) {
      await Promise.all(restored);
      return true;
    }
    const settings = (this.db.client as { connectionSettings?: pg.ClientConfig }).connectionSettings ?? {};
    try {
      // Bounded: the gone request's connections wait for this cancel before they go back to the pool.
      await Promise.all(keyed.map((c) => sendCancel(settings, c.processID as number, c.secretKey as number)));
      this.cancelledCount += keyed.length;
      return true;
    } catch (err) {
      this.logger.warn({ err }, 'could not cancel the statements of a request whose client went away');
      return false;
    } finally {
      await Promise.all(restored);
    }
  }

  /**
   * Hooks the knex client's connection checkout: measures the wait, answers 503 when the pool has
   * no connection in time (instead of knex's timeout error, a 500), has the checked-out connection's
   * statements run under the timeouts of the request it now works for, and remembers it for cancelling.
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
      this.scopeQueries(conn);
      try {
        // Awaited only when there is something to do: the usual checkout (not heavy) goes through
        // without promises of its own (issue 27).
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
      // A transaction that never sent its BEGIN (and then never ended) leaves nothing behind.
      conn.__formaBegin = undefined;
      // The cancel names this backend by its key and arrives over another connection: back in the pool
      // before it lands, the backend would be running the next request's statement and stop that
      // one instead (a 503 for an innocent request). Once it has landed on an idle backend, it is void.
      // A cancel that failed midway may still arrive: that backend is not used again.
      if (scope?.cancelling && !(await scope.cancelling)) conn.__formaDiscard = true;
      if (conn.__formaNice || conn.__formaIdle) await this.restorePriority(conn);
      const status = conn.getTransactionStatus?.();
      if ((status === 'T' || status === 'E') && !conn.__formaDiscard) await this.endTransaction(conn);
      return release(conn);
    };
  }

  /**
   * A connection goes back to the pool outside any transaction. knex gives a connection back as it
   * is when its COMMIT fails, and a COMMIT can fail before it has ended the transaction: a gone
   * client's cancel landing on it (CI saw it). The next request would find every statement refused
   * ("current transaction is aborted"), or (a healthy open transaction) its writes never committed.
   * After the cancel has landed (the caller waits for it), so the ROLLBACK is not the one it stops.
   */
  private async endTransaction(conn: PgConnection): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // Bounded like a cancel: a connection that does not answer is dropped, not waited for.
      await Promise.race([
        (conn.__formaQuery ?? conn.query.bind(conn))('rollback'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer to ROLLBACK')), CANCEL_TIMEOUT_MS);
        }),
      ]);
    } catch {
      // Fall through: a connection that is still not idle is never handed out again.
    } finally {
      clearTimeout(timer);
    }
    if (conn.getTransactionStatus?.() !== 'I') conn.__formaDiscard = true;
  }

  /**
   * A local backend working for a heavy request runs niced (and under SCHED_IDLE). Parallel workers
   * are processes of their own, started at the normal priority, so such a session plans without
   * them (localSettings).
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

  /**
   * A request's timeouts (and a local heavy backend's serial plans) are transaction-local: `SET
   * LOCAL`, never a session `SET`. Behind a transaction-mode pooler (PgBouncer) a session setting
   * stays on the server connection for whichever client gets it next (a heavy request's 5-minute
   * timeout on someone's list), and the request's later statements may run on other server
   * connections without it. So the settings ride in the same message as the request's `BEGIN` (no
   * extra round trip), and a statement outside a transaction whose lane wants other settings than
   * the connection's own runs in a transaction of its own (BEGIN and SET LOCAL in one message, the
   * statement, COMMIT). The interactive lane's statement timeout is the connection's start-up one
   * (platform/src/server.ts), so lists and reads, the hot path, go as they are.
   */
  private scopeQueries(conn: PgConnection): void {
    if (conn.__formaQuery) return;
    const original = conn.query.bind(conn) as (...args: unknown[]) => unknown;
    conn.__formaQuery = original;
    conn.query = (config: unknown, values?: unknown, callback?: unknown) => {
      const scope = conn.__formaScope;
      const submittable = typeof (config as { submit?: unknown })?.submit === 'function';
      // Streams and COPY (submittables) run as sent: inside a request's transaction they have its settings.
      if (!scope || submittable) {
        sendBegin(conn, original);
        return original(config, values, callback);
      }
      const cb = typeof values === 'function' ? values : callback;
      const vals = typeof values === 'function' ? undefined : values;
      const done = this.scoped(conn, original, scope.lane, config, vals);
      if (typeof cb !== 'function') return done;
      done.then(
        (r) => cb(null, r),
        (e) => cb(e),
      );
      return undefined;
    };
  }

  private async scoped(
    conn: PgConnection,
    original: (...args: unknown[]) => unknown,
    lane: DbLane,
    config: unknown,
    values: unknown,
  ): Promise<unknown> {
    const text = typeof config === 'string' ? config : ((config as { text?: string })?.text ?? '');
    const params = (values ?? (config as { values?: unknown[] })?.values ?? []) as unknown[];
    if (BEGIN.test(text) && !params.length && !(config as { name?: string })?.name) {
      // One simple-protocol message: the transaction and its settings start together.
      const merged = `${text.trim().replace(/;$/, '')}; ${this.localSettings(lane)}`;
      // Sent with the transaction's first statement, in one write (db/deferred-begin.ts).
      if (canDefer(conn)) return holdBegin(conn, merged);
      const r = await original(typeof config === 'string' ? merged : { ...(config as object), text: merged }, values);
      return Array.isArray(r) ? r[0] : r;
    }
    if (conn.__formaBegin !== undefined) return withBegin(conn, original, text, config, values);
    if (conn.getTransactionStatus?.() !== 'I' || !this.needsOwnTransaction(lane) || NO_TRANSACTION.test(text))
      return original(config, values);
    // Built only here and with BEGIN: most statements (lists, reads) need no settings of their own.
    await original(`begin; ${this.localSettings(lane)}`);
    let r: unknown;
    try {
      r = await original(config, values);
    } catch (e) {
      await (original('rollback') as Promise<unknown>).catch(() => undefined);
      throw e;
    }
    await original('commit');
    return r;
  }

  /** `SET LOCAL` of the lane's timeouts, for the start of a transaction. */
  private localSettings(lane: DbLane): string {
    const t = this.cfg.timeouts[lane];
    const serial = lane === 'heavy' && this.nicesHeavy();
    return `set local statement_timeout = ${Math.floor(t.statementMs)}; set local idle_in_transaction_session_timeout = ${Math.floor(t.idleInTransactionMs)}${serial ? '; set local max_parallel_workers_per_gather = 0' : ''}`;
  }

  /** A statement of `lane` outside a transaction needs settings the connection does not start with. */
  private needsOwnTransaction(lane: DbLane): boolean {
    const settings = (this.db.client as { connectionSettings?: { statement_timeout?: number } }).connectionSettings;
    const own = Number(settings?.statement_timeout ?? 0);
    return this.cfg.timeouts[lane].statementMs !== own || (lane === 'heavy' && this.nicesHeavy());
  }
}

/** A statement that opens a transaction (knex: `BEGIN;`, `BEGIN TRANSACTION ISOLATION LEVEL …;`). */
const BEGIN = /^\s*begin\b/i;
/** Statements PostgreSQL refuses inside a transaction block: they run under the connection's own settings. */
const NO_TRANSACTION = /\bconcurrently\b|^\s*(vacuum|create\s+database|drop\s+database|alter\s+system|reindex)\b/i;

/**
 * Sends the protocol's cancel request for (processID, secretKey) to the server `settings` name and
 * waits until the server has taken it (it closes the socket then), at most CANCEL_TIMEOUT_MS.
 */
function sendCancel(settings: pg.ClientConfig, processID: number, secretKey: number): Promise<void> {
  const client = new pg.Client(settings) as unknown as {
    host: string;
    port: number;
    connection: {
      stream?: { destroy(): void };
      connect(port: number | string, host?: string): void;
      cancel(processID: number, secretKey: number): void;
      on(event: string, fn: (arg?: unknown) => void): void;
    };
  };
  const con = client.connection;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      con.stream?.destroy();
      reject(new Error('the cancel request timed out'));
    }, CANCEL_TIMEOUT_MS);
    timer.unref?.();
    con.on('connect', () => con.cancel(processID, secretKey));
    con.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    con.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (client.host?.startsWith('/')) con.connect(`${client.host}/.s.PGSQL.${client.port}`);
    else con.connect(client.port, client.host);
  });
}

export { defaultAdmissionConfig, type AdmissionConfig, type DbLane, type GoneSignal };
