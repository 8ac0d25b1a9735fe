import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger';
import { answerQuery } from './answer-query';
import type { ChildMessage, ChildTrace, FailureKind, RunMessage, SourceDef } from './sandbox-protocol';
import type { SandboxConfig, ScriptLimits } from './scripts-config';
import type { ScriptHost } from './script-types';

const BOOT = fileURLToPath(new URL('./sandbox-boot.mjs', import.meta.url));
/** Compiled JavaScript runs as is; TypeScript sources are loaded through tsx by the boot script. */
const CHILD_ENTRY = new URL(`./sandbox-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
/** Past this many keys the parent forgets what it sent (the child asks again for what it lacks). */
const MAX_SHIPPED = 20_000;
/** A call runs at most this many times: once, and once more on a fresh child if the first one died. */
const MAX_ATTEMPTS = 2;
/**
 * Silence allowed while a child starts: loading Node, tsx and isolated-vm blocks the child's event
 * loop in stretches (about a second on a quiet machine, many times that on a loaded one).
 */
const START_WINDOW_MS = 120_000;
/** A heartbeat answered later than this is logged: the machine is busy (not a failure). */
const SLOW_PONG_MS = 5000;

export interface SandboxCall {
  tenant: string;
  limits: ScriptLimits;
  keys: string[];
  job: string;
  sourceOf(key: string): SourceDef;
  host: ScriptHost | undefined;
  /**
   * The call has no effect outside its answer (formulas, validate, beforeSave compute, expressions):
   * when the child dies under it, it runs once more on a fresh child instead of failing.
   */
  retriable?: boolean;
  /** RunMessage.slowAfterCpuMs: the child says when the call's scripts use more CPU than this. */
  slowAfterCpuMs?: number;
  /** RunMessage.movable: the child then ends the call, answered `moved` (only for retriable calls). */
  movable?: boolean;
  /**
   * A call moved from another child: its wall clock ends here (performance.now()), counted from when
   * its scripts first started. The watchdog is set from the moment it is sent, so neither the move
   * nor a slow start in this child lets its caller wait past its timeout + `watchdogSlackMs`.
   */
  deadlineAt?: number;
  /** Filled in for a call the child completes at once (`runNow`): where its time went. */
  trace?: CallTrace;
  /** The child says the call outlived its quick attempt on the child's own thread (a long call). */
  onStarted?: () => void;
}

/**
 * Where one sandbox call's time went (ScriptEngine.runSave's `trace`), in ms. The parent's marks are
 * its own clock (`performance.now()`); the child's part is spans of the child's clock, so the two
 * clocks are never compared: the crossings are the round trip less the child's own time.
 */
export interface CallTrace {
  /** runSave called. */
  startedAt?: number;
  /** The run message handed to the channel. */
  sentAt?: number;
  /** The child's answer read. */
  answeredAt?: number;
  /** runSave about to return. */
  endedAt?: number;
  child?: ChildTrace;
}

export type SandboxOutcome =
  | { ok: true; out: string }
  | {
      ok: false;
      kind: FailureKind | 'crash';
      message: string;
      position?: number;
      name?: string;
      /** For a crash: `other` when another tenant's isolate brought the child down. */
      blame?: 'self' | 'other' | 'unknown';
    };

/**
 * What a child answers: an outcome, or (a `movable` call only) that it ended the call after its
 * scripts ran `ranMs` past the CPU threshold, for the pool to run it again in the low-priority child.
 */
export type ProcessOutcome = SandboxOutcome | { ok: false; kind: 'moved'; ranMs: number };

interface Pending {
  call: SandboxCall;
  child: ChildProcess;
  resolve(outcome: ProcessOutcome): void;
  resent: boolean;
  /** When the child said the call's scripts started (performance.now()). */
  startedAt?: number;
  attempts: number;
  /** Set once the child says the call's scripts run: the parent's deadline for it. */
  watchdog?: NodeJS.Timeout;
}

interface Health {
  /** When the child was last heard from (any message), in ms. */
  heardAt: number;
  lastPing: number;
  pingSentAt: Map<number, number>;
  timer: NodeJS.Timeout;
  /** The tenant whose isolate reported a catastrophic error, when the child said so before exiting. */
  culprit?: string;
  /** The child has loaded and said it is ready. */
  started: boolean;
}

/**
 * The parent's handle on one sandbox child process: starts it on first use, watches it with a
 * heartbeat while it is busy, restarts it after it dies (running the calls it was serving once more
 * when they are retriable), and forwards scripts' queries to their caller's host.
 */
export class SandboxProcess {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly health = new Map<ChildProcess, Health>();
  private shipped = new Set<string>();
  private lastId = 0;
  private closed = false;

  constructor(
    private readonly opts: {
      maxIsolates: number;
      logger: Logger;
      heartbeat: SandboxConfig['heartbeat'];
      /** SandboxConfig.watchdogSlackMs: a runaway's caller hears within its timeout + this (+ a message). */
      watchdogSlackMs: number;
      /** Which child this is, for the logs. */
      index?: number;
      /** Every thread of the child runs at this nice value (the low-priority child); 0 or absent: as the server. */
      nice?: number;
      /** A call of `tenant` used more CPU than its `slowAfterCpuMs` (moved or not). */
      onSlow?: (tenant: string) => void;
    },
  ) {}

  /** Process id of the running child (tests kill or pause it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child now rather than on the first call. */
  async start(): Promise<void> {
    await this.ensureChild();
  }

  call(call: SandboxCall): Promise<ProcessOutcome> {
    return new Promise<ProcessOutcome>((resolve) => {
      void this.dispatch({ call, resolve, attempts: 0, resent: false, child: undefined as unknown as ChildProcess });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // An idle child is unref'd: without this the process could end before the exit is seen.
      child.ref();
      child.kill('SIGKILL');
      await exited;
    }
    for (const id of [...this.pending.keys()])
      this.settle(id, { ok: false, kind: 'aborted', message: 'Shutting down' });
  }

  /** Sends the call to a running child, starting one first when needed. */
  private async dispatch(entry: Pending): Promise<void> {
    entry.attempts += 1;
    let child: ChildProcess;
    try {
      child = this.child?.connected ? this.child : await this.ensureChild();
    } catch (e) {
      // Never sent: running it on the next child cannot do anything twice.
      if (!this.closed && entry.attempts < MAX_ATTEMPTS) return this.dispatch(entry);
      entry.resolve({ ok: false, kind: 'crash', message: (e as Error).message });
      return;
    }
    this.lastId += 1;
    const id = this.lastId;
    entry.child = child;
    entry.resent = false;
    this.pending.set(id, entry);
    this.refresh();
    const deadlineAt = entry.call.deadlineAt;
    if (deadlineAt !== undefined) {
      clearTimeout(entry.watchdog);
      entry.watchdog = setTimeout(
        () => this.expire(child, id),
        Math.max(0, deadlineAt + this.opts.watchdogSlackMs - performance.now()),
      );
    }
    this.post(
      entry,
      id,
      entry.call.keys.filter((key) => !this.shipped.has(key)),
    );
  }

  private post(entry: Pending, id: number, send: string[]): void {
    const message: RunMessage = {
      t: 'run',
      id,
      tenant: entry.call.tenant,
      limits: entry.call.limits,
      keys: entry.call.keys,
      job: entry.call.job,
    };
    if (entry.call.slowAfterCpuMs !== undefined && entry.call.slowAfterCpuMs > 0) {
      message.slowAfterCpuMs = entry.call.slowAfterCpuMs;
      message.movable = entry.call.movable === true && entry.call.retriable === true;
    }
    if (send.length > 0) {
      message.sources = {};
      for (const key of send) message.sources[key] = entry.call.sourceOf(key);
    }
    // A child that is going away: its exit runs the call again or fails it, as for any call it held.
    if (!entry.child.connected) return;
    if (entry.call.trace) {
      message.trace = true;
      entry.call.trace.sentAt = performance.now();
    }
    entry.child.send(message);
    if (this.shipped.size + send.length > MAX_SHIPPED) this.shipped = new Set();
    for (const key of send) this.shipped.add(key);
  }

  private settle(id: number, outcome: ProcessOutcome): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.watchdog);
    entry.resolve(outcome);
    this.refresh();
  }

  /** An idle child must not keep the server process alive; a busy one must. */
  private refresh(): void {
    const child = this.child;
    if (!child) return;
    if (this.pending.size > 0) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }

  private busy(child: ChildProcess): boolean {
    if (child !== this.child) return true;
    for (const entry of this.pending.values()) if (entry.child === child) return true;
    return false;
  }

  /**
   * Pings a busy child (or one still starting) and kills it only after `windowMs` of silence: a child
   * starved of CPU answers late, a stuck one never does. An idle child is not judged.
   */
  private beat(child: ChildProcess): void {
    const health = this.health.get(child);
    if (!health) return;
    const now = performance.now();
    if (!this.busy(child)) {
      health.heardAt = now;
      return;
    }
    const silent = now - health.heardAt;
    const window = health.started
      ? this.opts.heartbeat.windowMs
      : Math.max(START_WINDOW_MS, this.opts.heartbeat.windowMs);
    if (silent > window) {
      this.opts.logger.error(
        { child: this.opts.index, pid: child.pid, silentMs: Math.round(silent) },
        'script sandbox process missed its heartbeats; killing it',
      );
      clearInterval(health.timer);
      child.kill('SIGKILL');
      return;
    }
    if (!child.connected) return;
    health.lastPing += 1;
    health.pingSentAt.set(health.lastPing, now);
    child.send({ t: 'ping', n: health.lastPing });
  }

  private heard(child: ChildProcess, m: ChildMessage): void {
    const health = this.health.get(child);
    if (!health) return;
    const now = performance.now();
    health.heardAt = now;
    if (m.t !== 'pong') return;
    const sentAt = health.pingSentAt.get(m.n);
    for (const n of health.pingSentAt.keys()) if (n <= m.n) health.pingSentAt.delete(n);
    if (sentAt !== undefined && now - sentAt > SLOW_PONG_MS) {
      this.opts.logger.warn(
        { child: this.opts.index, pid: child.pid, lagMs: Math.round(now - sentAt) },
        'script sandbox process answers slowly (the machine is busy); its calls wait',
      );
    }
  }

  private onMessage(child: ChildProcess, m: ChildMessage): void {
    this.heard(child, m);
    if (m.t === 'ready' || m.t === 'pong') return;
    if (m.t === 'fatal') {
      const health = this.health.get(child);
      if (health && typeof m.tenant === 'string') health.culprit = m.tenant;
      return;
    }
    const entry = this.pending.get(m.id);
    if (!entry || entry.child !== child) {
      if (m.t === 'query') child.send({ t: 'queryResult', q: m.q, answer: '{"ok":false,"error":"The call is over"}' });
      return;
    }
    switch (m.t) {
      case 'started':
        entry.startedAt = performance.now();
        entry.call.onStarted?.();
        if (entry.call.deadlineAt !== undefined) return;
        clearTimeout(entry.watchdog);
        entry.watchdog = setTimeout(
          () => this.expire(child, m.id),
          entry.call.limits.timeoutMs + this.opts.watchdogSlackMs,
        );
        return;
      case 'done':
        if (entry.call.trace) {
          entry.call.trace.answeredAt = performance.now();
          entry.call.trace.child = readTrace(m.trace);
        }
        this.settle(m.id, { ok: true, out: m.out });
        return;
      case 'slow':
        this.opts.onSlow?.(entry.call.tenant);
        // The child has ended it: whatever it still says about this id is ignored.
        if (m.moved) {
          this.settle(m.id, {
            ok: false,
            kind: 'moved',
            ranMs: entry.startedAt === undefined ? 0 : performance.now() - entry.startedAt,
          });
        }
        return;
      case 'fail': {
        const { t: _t, id: _id, ...failure } = m;
        this.settle(m.id, { ok: false, ...failure });
        return;
      }
      case 'missing':
        if (entry.resent) {
          this.settle(m.id, { ok: false, kind: 'internal', message: 'The sandbox lost a script source' });
          return;
        }
        entry.resent = true;
        this.post(
          entry,
          m.id,
          m.keys.filter((key) => entry.call.keys.includes(key)),
        );
        return;
      case 'query':
        void answerQuery(entry.call.host, entry.call.limits, m.object, m.filter, m.options, this.opts.logger).then(
          (answer) => {
            if (child.connected) child.send({ t: 'queryResult', q: m.q, answer });
          },
        );
        return;
    }
  }

  /**
   * A call's wall clock ran out and its child has not said so: its caller is answered now, and the
   * child is asked to end the call. The child is not judged by this (only its heartbeat is): a late
   * answer is the machine's load as often as a stuck child.
   */
  private expire(child: ChildProcess, id: number): void {
    const entry = this.pending.get(id);
    if (!entry || entry.child !== child) return;
    this.opts.logger.warn(
      { child: this.opts.index, pid: child.pid, tenant: entry.call.tenant, timeoutMs: entry.call.limits.timeoutMs },
      'script sandbox call ran out of time before its process answered; answered by the watchdog',
    );
    if (child.connected) child.send({ t: 'stop', id });
    this.settle(id, { ok: false, kind: 'timeout', message: 'Wall-clock limit reached' });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const health = this.health.get(child);
    if (health) clearInterval(health.timer);
    this.health.delete(child);
    if (this.child === child) {
      this.child = undefined;
      this.shipped = new Set();
    }
    const culprit = health?.culprit;
    const served = [...this.pending.entries()].filter(([, entry]) => entry.child === child);
    const again: Pending[] = [];
    for (const [id, entry] of served) {
      const innocent = culprit !== undefined && entry.call.tenant !== culprit;
      if (!this.closed && entry.attempts < MAX_ATTEMPTS && (entry.call.retriable || innocent)) {
        this.pending.delete(id);
        clearTimeout(entry.watchdog);
        entry.watchdog = undefined;
        again.push(entry);
        continue;
      }
      this.settle(id, {
        ok: false,
        kind: 'crash',
        message: `The script sandbox stopped (${signal ?? `exit ${code}`})`,
        blame: culprit === undefined ? 'unknown' : innocent ? 'other' : 'self',
      });
    }
    if (!this.closed) {
      this.opts.logger.error(
        { child: this.opts.index, code, signal, culprit, inFlight: served.length, retried: again.length },
        'script sandbox process exited; it restarts on the next call',
      );
    }
    for (const entry of again) void this.dispatch(entry);
  }

  private ensureChild(): Promise<ChildProcess> {
    if (this.closed) return Promise.reject(new Error('The script sandbox is closed'));
    if (this.child?.connected) return Promise.resolve(this.child);
    this.starting ??= this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * No deadline on starting: the boot script answers heartbeats from the first moment, so only a
   * child that falls silent is given up on, however long a busy machine takes to load it.
   */
  private spawn(): Promise<ChildProcess> {
    return new Promise<ChildProcess>((resolve, reject) => {
      const child = fork(BOOT, [CHILD_ENTRY, String(this.opts.maxIsolates)], {
        // The compiled server's `--conditions` makes the child load the compiled packages too.
        execArgv: ['--no-node-snapshot', ...process.execArgv.filter((a) => a.startsWith('--conditions='))],
        // Nothing of the server's environment (database URL, tokens) is the sandbox's business.
        env: childEnv(this.opts.nice),
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'json',
      });
      const timer = setInterval(() => this.beat(child), this.opts.heartbeat.intervalMs);
      timer.unref();
      this.health.set(child, { heardAt: performance.now(), lastPing: 0, pingSentAt: new Map(), timer, started: false });
      child.on('message', (m: ChildMessage) => {
        if (m.t === 'ready' && this.child !== child) {
          const health = this.health.get(child);
          if (health) health.started = true;
          this.child = child;
          this.refresh();
          resolve(child);
        }
        this.onMessage(child, m);
      });
      child.once('exit', (code, signal) => {
        reject(new Error(`The script sandbox stopped while starting (${signal ?? `exit ${code}`})`));
        this.onExit(child, code, signal);
      });
      child.on('error', (err) => this.opts.logger.error({ err }, 'script sandbox process error'));
    });
  }
}

/** The child's figures, kept only when they are what they claim to be (they are only ever shown). */
function readTrace(trace: unknown): ChildTrace | undefined {
  if (typeof trace !== 'object' || trace === null) return undefined;
  const t = trace as Record<string, unknown>;
  const spans = [t.toIsolateMs, t.runMs, t.takeMs, t.totalMs];
  if (!spans.every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
  const [toIsolateMs, runMs, takeMs, totalMs] = spans as number[];
  return { toIsolateMs: toIsolateMs!, runMs: runMs!, takeMs: takeMs!, totalMs: totalMs! };
}

function childEnv(nice: number | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['NODE_ENV', 'TZ', 'LANG', 'PATH']) if (process.env[key] !== undefined) env[key] = process.env[key];
  // Read by sandbox-boot.mjs before it loads anything.
  if (nice !== undefined && nice > 0) env.FORMA_SANDBOX_NICE = String(nice);
  return env;
}
