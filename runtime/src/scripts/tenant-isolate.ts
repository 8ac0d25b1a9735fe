import fs from 'node:fs';
import ivm from 'isolated-vm';
import type { SourceDef } from './sandbox-protocol';

const PRELUDE = fs.readFileSync(new URL('./sandbox-prelude.js', import.meta.url), 'utf8');
/**
 * Setup runs only host code (the prelude, defining already-checked units), so this is a guard
 * against a bug, not a budget: on a busy machine it must never be what fails a call.
 */
const SETUP_TIMEOUT_MS = 30_000;
/** Compiled units kept per isolate before it is replaced by a fresh one (old metadata versions pile up). */
const MAX_UNITS = 2000;

export type QueryForwarder = (callId: number, object: string, filter: string, options: string) => Promise<string>;

/**
 * The author's code becomes a function of the script API; the wrapper takes the first line only, and
 * `lineOffset: -1` makes stack traces count lines as the author does.
 */
export function wrapSource(def: SourceDef): string {
  return def.kind === 'script'
    ? `(async function (record, old, user, error, set, log, query, params, adjust) {'use strict';\n${def.code}\n})`
    : `(function (record, old, user) {'use strict'; return (\n${def.code}\n);})`;
}

export function fileNameOf(def: SourceDef): string {
  return `${def.kind}:${def.name}`;
}

/** A unit that V8 refused to compile (the parent's checks let through what only V8 rejects). */
export class CompileFailure extends Error {
  constructor(
    message: string,
    readonly unit: string,
  ) {
    super(message);
  }
}

/** `moved`: ended to run again in the low-priority child (its scripts used too much CPU). */
export type StopReason = 'timeout' | 'evicted' | 'recycled' | 'moved';

/**
 * One tenant's isolate: a single context reused for every call (a context per call is slow and its
 * memory is reclaimed too lazily), the prelude's runner, and the units compiled into it.
 */
export class TenantIsolate {
  private readonly loaded = new Set<string>();
  private inflight = 0;
  private retiring = false;
  calls = 0;
  /** Set when the child disposed the isolate on purpose, to tell the calls that died with it why. */
  stopReason: StopReason | undefined;

  private constructor(
    readonly tenant: string,
    readonly memoryMb: number,
    private readonly isolate: ivm.Isolate,
    private readonly defineRef: ivm.Reference,
    private readonly runRef: ivm.Reference,
    private readonly runNowRef: ivm.Reference,
    private readonly takeRef: ivm.Reference,
    private readonly context: ivm.Context,
    private readonly progress: Int32Array,
  ) {}

  static async create(
    tenant: string,
    memoryMb: number,
    forwardQuery: QueryForwarder,
    onCatastrophe: (message: string) => void,
  ): Promise<TenantIsolate> {
    const isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError: onCatastrophe });
    try {
      const context = await isolate.createContext();
      const prelude = await isolate.compileScript(PRELUDE, { filename: 'sandbox-prelude' });
      const preludeFn = await prelude.run(context, { reference: true, timeout: SETUP_TIMEOUT_MS });
      prelude.release();
      const progress = new Int32Array(new SharedArrayBuffer(8));
      const api = (await preludeFn.apply(
        undefined,
        [new ivm.Reference(forwardQuery), new ivm.ExternalCopy(progress.buffer).copyInto()],
        { result: { reference: true }, timeout: SETUP_TIMEOUT_MS },
      )) as ivm.Reference<{ define: unknown; run: unknown; runNow: unknown; take: unknown }>;
      preludeFn.release();
      const defineRef = await api.get('define', { reference: true });
      const runRef = await api.get('run', { reference: true });
      const runNowRef = await api.get('runNow', { reference: true });
      const takeRef = await api.get('take', { reference: true });
      api.release();
      return new TenantIsolate(tenant, memoryMb, isolate, defineRef, runRef, runNowRef, takeRef, context, progress);
    } catch (e) {
      if (!isolate.isDisposed) isolate.dispose();
      throw e;
    }
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  get usable(): boolean {
    return !this.retiring && !this.isolate.isDisposed;
  }

  has(key: string): boolean {
    return this.loaded.has(key);
  }

  hasAll(keys: string[]): boolean {
    for (const key of keys) if (!this.loaded.has(key)) return false;
    return true;
  }

  /** Compiles the units of `keys` this isolate does not hold yet. */
  async ensure(keys: string[], sourceOf: (key: string) => SourceDef | undefined): Promise<void> {
    for (const key of keys) {
      if (this.loaded.has(key)) continue;
      const def = sourceOf(key);
      if (!def) throw new Error(`Source ${key} is missing`);
      let script: ivm.Script;
      try {
        script = await this.isolate.compileScript(wrapSource(def), { filename: fileNameOf(def), lineOffset: -1 });
      } catch (e) {
        throw new CompileFailure(e instanceof Error ? e.message : String(e), def.name);
      }
      const fn = await script.run(this.context, { reference: true, timeout: SETUP_TIMEOUT_MS });
      script.release();
      await this.defineRef.apply(undefined, [key, def.name, fileNameOf(def), fn.derefInto({ release: true })], {
        timeout: SETUP_TIMEOUT_MS,
      });
      this.loaded.add(key);
    }
    if (this.loaded.size > MAX_UNITS) this.retire('recycled');
  }

  /** Runs one job; the isolate's own timeout stops a spinning script without losing the isolate. */
  run(callId: number, job: string, timeoutMs: number): Promise<string> {
    return this.runRef.apply(undefined, [callId, job], {
      result: { promise: true },
      timeout: timeoutMs,
    }) as Promise<string>;
  }

  /**
   * Runs one job on this thread, for at most `budgetMs`: its outcome, or undefined when the job
   * needs more (it waits for the host, or runs past the budget: the isolate's timeout stops it and
   * keeps the isolate) or failed in a way the usual run reports better. Compute-only jobs then never
   * cross to the isolate's own thread and back. Blocks this process for up to the budget, so the
   * budget is a few milliseconds. `trace` (a traced call) is given the time after each of the two steps.
   */
  runNow(callId: number, job: string, budgetMs: number, trace?: number[]): string | undefined {
    try {
      this.runNowRef.applySync(undefined, [callId, job], { timeout: budgetMs });
      trace?.push(performance.now());
      const out = this.takeRef.applySync(undefined, [], { timeout: budgetMs });
      trace?.push(performance.now());
      return typeof out === 'string' ? out : undefined;
    } catch (e) {
      // Past the budget (the isolate's timeout stopped it), or anything else this first attempt ran
      // into: the usual run does it again and reports what it finds. Only a lost isolate is final.
      if (this.isolate.isDisposed) throw e;
      return undefined;
    }
  }

  /**
   * CPU time spent in this isolate so far, in ms (NaN once disposed). While a script runs, its
   * current stretch is counted by the wall clock (isolated-vm's own way).
   */
  cpuMs(): number {
    try {
      return Number(this.isolate.cpuTime) / 1e6;
    } catch {
      return Number.NaN;
    }
  }

  /** Index of the unit the call was running, when it was the last to report progress. */
  positionOf(callId: number): number | undefined {
    return Atomics.load(this.progress, 0) === callId ? Atomics.load(this.progress, 1) : undefined;
  }

  /** Share of the memory limit in use, to replace isolates that keep growing. */
  async heapUse(): Promise<number> {
    const s = await this.isolate.getHeapStatistics();
    return (s.used_heap_size + s.externally_allocated_size) / (this.memoryMb * 1024 * 1024);
  }

  enter(): void {
    this.inflight += 1;
    this.calls += 1;
  }

  leave(): void {
    this.inflight -= 1;
    if (this.retiring && this.inflight === 0) this.dispose();
  }

  /** Disposes the isolate once its running calls are done. */
  retire(reason: StopReason): void {
    this.retiring = true;
    this.stopReason ??= reason;
    if (this.inflight === 0) this.dispose();
  }

  /** Disposes the isolate now, ending whatever runs in it. */
  kill(reason: StopReason): void {
    this.retiring = true;
    this.stopReason = reason;
    this.dispose();
  }

  private dispose(): void {
    if (this.isolate.isDisposed) return;
    try {
      this.isolate.dispose();
    } catch {
      // Already being torn down by isolated-vm (memory limit): nothing left to release.
    }
  }
}
