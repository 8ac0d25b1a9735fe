import { createHash } from 'node:crypto';
import type { Logger } from '../logger';
import { type ProcessOutcome, type SandboxCall, type SandboxOutcome, SandboxProcess } from './sandbox-process';
import type { SandboxConfig } from './scripts-config';

/** How long a refused caller is told to wait: the queue ahead of it drains in well under this. */
const BUSY_RETRY_MS = 1000;
/** Past this many tenants held in the low-priority child (or shards remembered), the oldest are forgotten. */
const MAX_SLOW_TENANTS = 10_000;

export type PoolOutcome =
  | SandboxOutcome
  /** The tenant already has a running call and a full queue: refused at once. */
  | { ok: false; kind: 'busy'; message: string; retryInMs: number };

export interface PoolCall extends SandboxCall {
  /**
   * Asked when the call's turn comes, after waiting behind the tenant's earlier calls: an outcome
   * refuses it there and then (e.g. the tenant's breaker opened meanwhile).
   */
  admit?: () => SandboxOutcome | undefined;
  /** Told the outcome before the tenant's next call is let through (so a breaker it opens applies to that one). */
  settled?: (outcome: SandboxOutcome) => void;
}

interface Lane {
  running: boolean;
  waiting: Array<() => void>;
  /** The running call outlived the child's quick attempt (a runaway, or a heavy script). */
  long: boolean;
  /** Saves held before their transaction while the running call is long (`afterLongCall`). */
  held: Array<() => void>;
}

/**
 * Tenants spread over several sandbox children (tenant hash → child), so one tenant's runaway or
 * crash never reaches the calls of tenants on the other children, and a crash's retriable calls are
 * run again. Each tenant has one lane: one running call, a short queue, and the rest refused at
 * once, so a tenant flooding the sandbox waits on itself, not on everyone.
 *
 * One more child runs at low priority (`slowLane`): a call whose scripts use more CPU than a save's
 * rules ever need is moved there, and the tenant's calls stay there for a while. On a machine with
 * few cores a runaway then takes only CPU nobody else wants while its timeout runs, instead of a
 * core the quiet tenants' saves need. Quiet tenants are never sent there.
 */
export class SandboxPool {
  private readonly children: SandboxProcess[];
  private readonly slow: SandboxProcess | undefined;
  /** Tenants whose calls go to the low-priority child, until when (performance.now()). */
  private readonly slowUntil = new Map<string, number>();
  private readonly lanes = new Map<string, Lane>();
  /** Tenant → its shard, so a call does not hash the tenant id again (bounded: cleared when full). */
  private readonly shards = new Map<string, number>();

  constructor(private readonly opts: { config: SandboxConfig; maxIsolates: number; logger: Logger }) {
    const count = Math.max(1, Math.floor(opts.config.children));
    this.children = Array.from(
      { length: count },
      (_, index) =>
        new SandboxProcess({
          maxIsolates: opts.maxIsolates,
          logger: opts.logger,
          heartbeat: opts.config.heartbeat,
          watchdogSlackMs: opts.config.watchdogSlackMs,
          index,
          onSlow: (tenant) => this.hold(tenant),
        }),
    );
    const lane = opts.config.slowLane;
    if (lane && lane.afterCpuMs > 0) {
      this.slow = new SandboxProcess({
        maxIsolates: opts.maxIsolates,
        logger: opts.logger,
        heartbeat: opts.config.heartbeat,
        watchdogSlackMs: opts.config.watchdogSlackMs,
        index: count,
        nice: lane.nice,
        onSlow: (tenant) => this.hold(tenant),
      });
    }
  }

  /** The tenant's calls go to the low-priority child for `slowLane.holdMs` from now. */
  private hold(tenant: string): void {
    if (this.opts.config.slowLane.holdMs <= 0) return;
    const now = performance.now();
    this.slowUntil.delete(tenant);
    if (this.slowUntil.size >= MAX_SLOW_TENANTS) {
      for (const [t, until] of this.slowUntil) if (until <= now) this.slowUntil.delete(t);
      // Still full of live holds: the oldest goes back to its normal child early.
      if (this.slowUntil.size >= MAX_SLOW_TENANTS) this.slowUntil.delete(this.slowUntil.keys().next().value!);
    }
    this.slowUntil.set(tenant, now + this.opts.config.slowLane.holdMs);
  }

  /** The tenant's calls go to the low-priority child now (one of its calls used too much CPU lately). */
  isSlow(tenant: string): boolean {
    const until = this.slowUntil.get(tenant);
    if (until === undefined) return false;
    if (until > performance.now()) return true;
    this.slowUntil.delete(tenant);
    return false;
  }

  /** Process id of the low-priority child, if running. */
  get slowPid(): number | undefined {
    return this.slow?.pid;
  }

  /** Index of the child a tenant's calls run in: a stable hash of the tenant id. */
  shardOf(tenant: string): number {
    if (this.children.length === 1) return 0;
    let shard = this.shards.get(tenant);
    if (shard === undefined) {
      if (this.shards.size >= MAX_SLOW_TENANTS) this.shards.clear();
      shard = tenantShard(tenant, this.children.length);
      this.shards.set(tenant, shard);
    }
    return shard;
  }

  /** The child a tenant's calls run in now: its shard's, or the low-priority one while it is held there. */
  childOf(tenant: string): SandboxProcess {
    if (this.slow && this.isSlow(tenant)) return this.slow;
    return this.children[this.shardOf(tenant)]!;
  }

  /** The tenant's lane now: whether a call of it runs, and how many wait behind it. */
  load(tenant: string): { running: boolean; waiting: number } {
    const lane = this.lanes.get(tenant);
    return { running: lane?.running ?? false, waiting: (lane?.waiting.length ?? 0) + (lane?.held.length ?? 0) };
  }

  /** The tenant's running call has outlived the child's quick attempt. */
  runsLong(tenant: string): boolean {
    return this.lanes.get(tenant)?.long === true;
  }

  /**
   * Where a save waits before it opens its transaction: nowhere (undefined) unless the tenant's
   * running call is long; then until that call settles, so a runaway's next saves wait holding no
   * database connection or admission slot, and once its timeout opens the breaker they are refused
   * before any transaction (in the bench each held a connection for the whole timeout and was rolled
   * back with the others at once). Counted in the tenant's queue: past it, `busy`.
   */
  afterLongCall(tenant: string): Promise<void> | PoolOutcome | undefined {
    const lane = this.lanes.get(tenant);
    if (!lane?.long) return undefined;
    if (lane.waiting.length + lane.held.length >= this.opts.config.queue) return this.busy(lane);
    return new Promise<void>((resolve) => lane.held.push(resolve));
  }

  private busy(lane: Lane): PoolOutcome {
    const n = lane.waiting.length + lane.held.length;
    return {
      ok: false,
      kind: 'busy',
      message: `This tenant already has ${n + 1} script calls running or waiting`,
      retryInMs: BUSY_RETRY_MS,
    };
  }

  /** Process id of the child serving `tenant`, or of the first child. */
  pid(tenant?: string): number | undefined {
    return (tenant === undefined ? this.children[0] : this.childOf(tenant))?.pid;
  }

  private all(): SandboxProcess[] {
    return this.slow ? [...this.children, this.slow] : this.children;
  }

  async start(): Promise<void> {
    await Promise.all(this.all().map((c) => c.start()));
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((c) => c.close()));
  }

  async call(call: PoolCall): Promise<PoolOutcome> {
    let lane = this.lanes.get(call.tenant);
    if (!lane) {
      lane = { running: false, waiting: [], long: false, held: [] };
      this.lanes.set(call.tenant, lane);
    }
    if (lane.running) {
      if (lane.waiting.length + lane.held.length >= this.opts.config.queue) return this.busy(lane);
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    }
    lane.running = true;
    const own = lane;
    try {
      const refused = call.admit?.();
      if (refused) return refused;
      const outcome = await this.run({
        ...call,
        onStarted: () => {
          own.long = true;
          call.onStarted?.();
        },
      });
      call.settled?.(outcome);
      return outcome;
    } finally {
      // The saves held before their transaction go on (or are refused by the breaker this call opened).
      lane.long = false;
      for (const release of lane.held.splice(0)) release();
      const next = lane.waiting.shift();
      if (next) next();
      else {
        lane.running = false;
        this.lanes.delete(call.tenant);
      }
    }
  }

  /**
   * One call in the tenant's child; moved to the low-priority child when its scripts pass the CPU
   * threshold there, with what is left of its wall clock (so it still ends within its timeout of
   * when it first started, plus the move itself).
   */
  private async run(call: SandboxCall): Promise<SandboxOutcome> {
    const slow = this.slow;
    if (!slow) return settledOutcome(await this.children[this.shardOf(call.tenant)]!.call(call));
    const afterCpuMs = this.opts.config.slowLane.afterCpuMs;
    if (this.isSlow(call.tenant)) return settledOutcome(await slow.call({ ...call, slowAfterCpuMs: afterCpuMs }));
    // Started with the first normal child, so the first call ever moved does not wait for it to load.
    if (slow.pid === undefined) void slow.start().catch(() => {});
    const first = await this.children[this.shardOf(call.tenant)]!.call({
      ...call,
      slowAfterCpuMs: afterCpuMs,
      movable: true,
    });
    if (first.ok || first.kind !== 'moved') return first;
    const deadlineAt = performance.now() - first.ranMs + call.limits.timeoutMs;
    const left = Math.floor(call.limits.timeoutMs - first.ranMs);
    if (left <= 0) return { ok: false, kind: 'timeout', message: 'Wall-clock limit reached' };
    const moved = await slow.call({
      ...call,
      limits: { ...call.limits, timeoutMs: left },
      slowAfterCpuMs: afterCpuMs,
      deadlineAt,
    });
    return settledOutcome(moved);
  }
}

/** The shard (child index) of a tenant among `children`: a stable hash of the tenant id. */
export function tenantShard(tenant: string, children: number): number {
  return children <= 1 ? 0 : createHash('sha1').update(tenant).digest().readUInt32BE(0) % children;
}

/** Only a `movable` call is answered `moved`, and the pool sends none but to the normal children. */
function settledOutcome(outcome: ProcessOutcome): SandboxOutcome {
  if (!outcome.ok && outcome.kind === 'moved')
    return { ok: false, kind: 'internal', message: 'The sandbox moved a call twice' };
  return outcome;
}
