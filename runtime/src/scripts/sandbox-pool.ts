import { createHash } from 'node:crypto';
import type { Logger } from '../logger';
import { type SandboxCall, type SandboxOutcome, SandboxProcess } from './sandbox-process';
import type { SandboxConfig } from './scripts-config';

/** How long a refused caller is told to wait: the queue ahead of it drains in well under this. */
const BUSY_RETRY_MS = 1000;

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
}

/**
 * Tenants spread over several sandbox children (tenant hash → child), so one tenant's runaway or
 * crash never reaches the calls of tenants on the other children, and a crash's retriable calls are
 * run again. Each tenant has one lane: one running call, a short queue, and the rest refused at
 * once, so a tenant flooding the sandbox waits on itself, not on everyone.
 */
export class SandboxPool {
  private readonly children: SandboxProcess[];
  private readonly lanes = new Map<string, Lane>();

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
        }),
    );
  }

  /** Index of the child a tenant's calls run in: a stable hash of the tenant id. */
  shardOf(tenant: string): number {
    if (this.children.length === 1) return 0;
    return createHash('sha1').update(tenant).digest().readUInt32BE(0) % this.children.length;
  }

  /** The child a tenant's calls run in. */
  childOf(tenant: string): SandboxProcess {
    return this.children[this.shardOf(tenant)]!;
  }

  /** The tenant's lane now: whether a call of it runs, and how many wait behind it. */
  load(tenant: string): { running: boolean; waiting: number } {
    const lane = this.lanes.get(tenant);
    return { running: lane?.running ?? false, waiting: lane?.waiting.length ?? 0 };
  }

  /** Process id of the child serving `tenant`, or of the first child. */
  pid(tenant?: string): number | undefined {
    return (tenant === undefined ? this.children[0] : this.childOf(tenant))?.pid;
  }

  async start(): Promise<void> {
    await Promise.all(this.children.map((c) => c.start()));
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => c.close()));
  }

  async call(call: PoolCall): Promise<PoolOutcome> {
    let lane = this.lanes.get(call.tenant);
    if (!lane) {
      lane = { running: false, waiting: [] };
      this.lanes.set(call.tenant, lane);
    }
    if (lane.running) {
      if (lane.waiting.length >= this.opts.config.queue) {
        return {
          ok: false,
          kind: 'busy',
          message: `This tenant already has ${lane.waiting.length + 1} script calls running or waiting`,
          retryInMs: BUSY_RETRY_MS,
        };
      }
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    }
    lane.running = true;
    try {
      const refused = call.admit?.();
      if (refused) return refused;
      const outcome = await this.childOf(call.tenant).call(call);
      call.settled?.(outcome);
      return outcome;
    } finally {
      const next = lane.waiting.shift();
      if (next) next();
      else {
        lane.running = false;
        this.lanes.delete(call.tenant);
      }
    }
  }
}
