import type { Clock } from '../clock';

export interface BreakerOptions {
  /** Failures within `windowMs` that open the breaker. */
  failures: number;
  windowMs: number;
  /** How long an open breaker refuses calls before letting one through again. */
  coolDownMs: number;
}

interface State {
  failures: number[];
  openUntil?: number;
  /** Cool-down over: the next failure reopens at once, a success closes. */
  halfOpen?: boolean;
}

/**
 * Per-key (tenant) circuit breaker: a tenant whose scripts keep timing out, running out of memory or
 * crashing the sandbox is refused at once for a while instead of tying up sandbox threads. It is a
 * per-process guard; every server process protects its own sandbox.
 */
export class CircuitBreaker {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly opts: BreakerOptions,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until calls are allowed again, or 0 when they are. */
  retryIn(key: string): number {
    const state = this.states.get(key);
    if (state?.openUntil === undefined) return 0;
    const left = state.openUntil - this.clock.now().getTime();
    if (left > 0) return left;
    state.openUntil = undefined;
    state.halfOpen = true;
    state.failures = [];
    return 0;
  }

  /**
   * A call that went well closes the breaker, unless it is open: calls that were already running
   * when it opened finish afterwards, and must not undo it (in the bench's noisy-neighbour run they
   * did, each time, so the breaker never refused anything). Only its cool-down ends an open breaker.
   */
  success(key: string): void {
    const state = this.states.get(key);
    if (!state) return;
    if (state.openUntil !== undefined && state.openUntil > this.clock.now().getTime()) return;
    this.states.delete(key);
  }

  failure(key: string): void {
    const now = this.clock.now().getTime();
    const state = this.states.get(key) ?? { failures: [] };
    this.states.set(key, state);
    state.failures = state.failures.filter((at) => now - at < this.opts.windowMs);
    state.failures.push(now);
    if (state.halfOpen || state.failures.length >= this.opts.failures) {
      state.openUntil = now + this.opts.coolDownMs;
      state.halfOpen = false;
      state.failures = [];
    }
  }
}
