/**
 * Entry point of the sandbox child process (forked by sandbox-process.ts). It owns the tenant
 * isolates and only uses isolated-vm's asynchronous calls, so a script spinning in one tenant's
 * isolate never blocks this process's event loop or other tenants' calls. If isolated-vm aborts
 * (out-of-memory paths it cannot recover from), only this process dies and the parent starts another.
 */
import ivm from 'isolated-vm';
import { LRUCache } from 'lru-cache';
import { IsolatePool } from './isolate-pool';
import type { ChildMessage, ChildTrace, FailureKind, ParentMessage, RunMessage, SourceDef } from './sandbox-protocol';
import { CompileFailure, TenantIsolate } from './tenant-isolate';

/**
 * The child's own deadline runs a little after the isolate's (which stops sync loops by itself and
 * keeps the isolate), and ends what the isolate's cannot: a script awaiting something that never
 * comes. Small, so a runaway's caller hears within its timeout + a few tens of ms.
 */
const GRACE_MS = 15;
/** Calls between two checks of an isolate's heap; one using over half its limit is replaced. */
const HEAP_CHECK_EVERY = 200;
/**
 * How long a call may first run on this process's own thread (`TenantIsolate.runNow`): rules take
 * microseconds, and the hop to the isolate's thread and back costs hundreds of them when the cores
 * sleep between calls. A call that needs longer (or waits for `query()`) runs again the usual way,
 * so this is also the longest a runaway holds up the other tenants of this process.
 */
const RUN_NOW_BUDGET_MS = 5;
const MAX_SOURCES = 20_000;
/**
 * isolated-vm runs every call's time limit on a timer thread, and starts a new thread when no running
 * one wakes before the new limit: after a gap longer than `RUN_NOW_BUDGET_MS` between calls, each
 * call paid a thread's start (and its exit later), on a busy two-core machine ~50–100 µs of the call.
 * After each call the child leaves limit-less marks on that thread every `KEEP_STEP_MS` for the next
 * `KEEP_FOR_MS` (an empty function in an isolate of its own, no tenant code), so a call within that
 * window finds a thread waking before its limit. Must stay below RUN_NOW_BUDGET_MS.
 */
const KEEP_STEP_MS = 4;
const KEEP_FOR_MS = 48;

interface ActiveCall {
  id: number;
  tenant: string;
  budget: number;
  queries: number;
  pending: Set<number>;
  /** Ends the call now as out of time (the parent's watchdog asked: its caller was already answered). */
  expire?: () => void;
}

/** argv: the boot script, this entry, then the isolate limit (sandbox-boot.mjs). */
const maxIsolates = Number(process.argv[3]) || 32;
const sources = new LRUCache<string, SourceDef>({ max: MAX_SOURCES });
const calls = new Map<number, ActiveCall>();
/** The running calls by the parent's id, for the parent's `stop`. */
const byParentId = new Map<number, ActiveCall>();
const queryReplies = new Map<number, { resolve: (answer: string) => void; call: ActiveCall }>();
let lastCallId = 0;
let lastQueryId = 0;

function send(message: ChildMessage): void {
  if (!process.connected) process.exit(0);
  process.send?.(message);
}

function refusal(error: string): string {
  return JSON.stringify({ ok: false, error });
}

/**
 * isolated-vm cannot recover: the process must end. The parent is told whose isolate it was first,
 * so the other tenants' calls it was serving are run again elsewhere and only this tenant's fail.
 */
function catastrophe(tenant: string, message: string): void {
  process.stderr.write(`forma sandbox: isolated-vm reported a catastrophic error, restarting: ${message}\n`);
  const exit = () => process.exit(70);
  setTimeout(exit, 1000).unref();
  if (process.connected) process.send?.({ t: 'fatal', tenant } satisfies ChildMessage, exit);
  else exit();
}

/** `query()` from a script: checked against the call it belongs to, then answered by the parent. */
function forwardQuery(tenant: string, callId: number, object: string, filter: string, options: string) {
  const call = calls.get(callId);
  if (!call || call.tenant !== tenant) {
    return Promise.resolve(refusal('query() is not available after the script has finished'));
  }
  if (typeof object !== 'string' || typeof filter !== 'string' || typeof options !== 'string') {
    return Promise.resolve(refusal('query(): invalid arguments'));
  }
  call.queries += 1;
  if (call.queries > call.budget) {
    return Promise.resolve(refusal(`query(): at most ${call.budget} queries per call`));
  }
  lastQueryId += 1;
  const q = lastQueryId;
  return new Promise<string>((resolve) => {
    queryReplies.set(q, { resolve, call });
    call.pending.add(q);
    send({ t: 'query', id: call.id, q, object, filter, options });
  });
}

const pool = new IsolatePool(maxIsolates, (tenant, memoryMb) =>
  TenantIsolate.create(
    tenant,
    memoryMb,
    (callId, object, filter, options) => forwardQuery(tenant, callId, object, filter, options),
    (message) => catastrophe(tenant, message),
  ),
);

/** An empty function in an isolate that never runs tenant code: what `keepTimerThread` calls. */
const keeper = (() => {
  try {
    const isolate = new ivm.Isolate({ memoryLimit: 8 });
    return isolate.createContextSync().evalSync('(function () {})', { reference: true }) as ivm.Reference;
  } catch {
    return undefined;
  }
})();
/** Until when (performance.now()) isolated-vm's timer thread has a mark to wake for. */
let keptUntil = 0;

/** Extends the marks on isolated-vm's timer thread to `KEEP_FOR_MS` from now (see KEEP_STEP_MS). */
function keepTimerThread(): void {
  if (!keeper) return;
  const now = performance.now();
  const from = Math.max(keptUntil, now);
  for (let at = from + KEEP_STEP_MS; at <= now + KEEP_FOR_MS; at += KEEP_STEP_MS) {
    const ms = Math.max(1, Math.round(at - now));
    try {
      // Returns at once: the mark stays on the timer thread, as a limit that never fires on anything.
      keeper.applySync(undefined, [], { timeout: ms });
    } catch {
      return;
    }
    keptUntil = now + ms;
  }
}

class WallClockExpired extends Error {}
/** The call was ended to run again in the low-priority child: the parent was told, nothing more is sent. */
class MovedAway extends Error {}

/**
 * Watches a running call's CPU (RunMessage.slowAfterCpuMs) and calls `over` once its scripts have
 * used more than the threshold. The isolate's CPU time counts the wall clock of its current run, so a
 * script starved of CPU on a busy machine would look heavy too: the process must also have used
 * half the threshold meanwhile before the call counts as heavy.
 */
function watchCpu(isolate: TenantIsolate, thresholdMs: number, over: (cpuMs: number) => void): () => void {
  const isolate0 = isolate.cpuMs();
  const process0 = process.cpuUsage();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const used = isolate.cpuMs() - isolate0;
    if (!(used >= thresholdMs)) {
      if (!isolate.disposed) timer = setTimeout(check, Math.max(1, thresholdMs - used));
      return;
    }
    const spent = process.cpuUsage(process0);
    if ((spent.user + spent.system) / 1000 < thresholdMs / 2) {
      timer = setTimeout(check, Math.max(1, thresholdMs / 2));
      return;
    }
    over(Math.round(used));
  };
  timer = setTimeout(check, thresholdMs);
  return () => clearTimeout(timer);
}

function classify(error: unknown, isolate: TenantIsolate): { kind: FailureKind; message: string; name?: string } {
  if (error instanceof CompileFailure) return { kind: 'syntax', message: error.message, name: error.unit };
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message)) return { kind: 'timeout', message };
  if (/memory limit/i.test(message)) return { kind: 'memory', message };
  if (/disposed/i.test(message)) {
    return isolate.stopReason === 'timeout' || isolate.stopReason === 'moved'
      ? { kind: 'aborted', message: 'Stopped because another script of this tenant ran out of time' }
      : { kind: 'memory', message };
  }
  return { kind: 'internal', message };
}

/** Spans of a traced call (`RunMessage.trace`); `marks`: the runner's end and the answer read (`runNow`). */
function childTrace(receivedAt: number, enteredAt: number, marks: number[]): ChildTrace {
  const [ranAt = enteredAt, tookAt = ranAt] = marks;
  return {
    toIsolateMs: enteredAt - receivedAt,
    runMs: ranAt - enteredAt,
    takeMs: tookAt - ranAt,
    totalMs: performance.now() - receivedAt,
  };
}

async function recycleIfGrown(tenant: string, isolate: TenantIsolate): Promise<void> {
  if (isolate.calls % HEAP_CHECK_EVERY !== 0 || !isolate.usable) return;
  const use = await isolate.heapUse().catch(() => 0);
  if (use > 0.5) {
    pool.drop(tenant, isolate);
    isolate.retire('recycled');
  }
}

async function onRun(m: RunMessage, receivedAt: number): Promise<void> {
  for (const [key, def] of Object.entries(m.sources ?? {})) sources.set(key, def);
  let isolate = pool.ready(m.tenant, m.limits.memoryMb);
  if (!isolate) {
    try {
      isolate = await pool.acquire(m.tenant, m.limits.memoryMb);
    } catch (e) {
      send({ t: 'fail', id: m.id, kind: 'internal', message: `Cannot start the sandbox: ${(e as Error).message}` });
      return;
    }
  }
  const target = isolate;
  const missing = m.keys.filter((key) => !isolate.has(key) && !sources.has(key));
  if (missing.length > 0) {
    send({ t: 'missing', id: m.id, keys: missing });
    return;
  }
  lastCallId = lastCallId >= 0x7fffffff ? 1 : lastCallId + 1;
  const callId = lastCallId;
  const call: ActiveCall = { id: m.id, tenant: m.tenant, budget: m.limits.queryBudget, queries: 0, pending: new Set() };
  calls.set(callId, call);
  isolate.enter();
  let timer: NodeJS.Timeout | undefined;
  let unwatch: (() => void) | undefined;
  let work: Promise<string> | undefined;
  try {
    // Compiling units has its own time limit; the script's wall clock starts when it runs, so a
    // cold isolate on a busy machine does not eat into the script's budget.
    if (!target.hasAll(m.keys)) await target.ensure(m.keys, (key) => sources.get(key));
    const startedAt = performance.now();
    const trace: number[] | undefined = m.trace ? [] : undefined;
    const now = target.runNow(callId, m.job, Math.min(RUN_NOW_BUDGET_MS, m.limits.timeoutMs), trace);
    if (now !== undefined) {
      // Done within the budget: one answer, and the parent never needed a watchdog for it.
      if (!trace) send({ t: 'done', id: m.id, out: now });
      else send({ t: 'done', id: m.id, out: now, trace: childTrace(receivedAt, startedAt, trace) });
      return;
    }
    // What the first attempt used counts against the call's wall clock.
    const timeoutMs = Math.max(1, Math.round(m.limits.timeoutMs - (performance.now() - startedAt)));
    // The parent's watchdog counts from here too, in case this process is too slow to answer.
    send({ t: 'started', id: m.id });
    work = target.run(callId, m.job, timeoutMs);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WallClockExpired()), timeoutMs + GRACE_MS);
      // Disposed here and now, not in the catch below: the tenant's next call may be in the same batch
      // of messages as the `stop`, and must not start on the isolate about to be disposed.
      call.expire = () => {
        pool.drop(m.tenant, target);
        target.kill('timeout');
        reject(new WallClockExpired());
      };
      const threshold = m.slowAfterCpuMs;
      if (threshold !== undefined && threshold > 0) {
        unwatch = watchCpu(target, threshold, (cpuMs) => {
          send({ t: 'slow', id: m.id, cpuMs, moved: m.movable === true });
          if (!m.movable) return;
          // Ended here and now (as for a `stop`): it runs again from the start in the low-priority child.
          pool.drop(m.tenant, target);
          target.kill('moved');
          reject(new MovedAway());
        });
      }
    });
    byParentId.set(m.id, call);
    const out = await Promise.race([work, deadline]);
    send({ t: 'done', id: m.id, out });
  } catch (e) {
    const position = isolate.positionOf(callId);
    if (e instanceof MovedAway) {
      work?.catch(() => {});
    } else if (e instanceof WallClockExpired) {
      // Waiting (never-settling promise, slow query) rather than spinning: only disposing ends it.
      work?.catch(() => {});
      pool.drop(m.tenant, isolate);
      isolate.kill('timeout');
      send({ t: 'fail', id: m.id, kind: 'timeout', message: 'Wall-clock limit reached', position });
    } else {
      const failure = classify(e, isolate);
      if (failure.kind === 'memory' || isolate.disposed) pool.drop(m.tenant, isolate);
      send({ t: 'fail', id: m.id, ...failure, ...(position !== undefined ? { position } : {}) });
    }
  } finally {
    clearTimeout(timer);
    unwatch?.();
    calls.delete(callId);
    if (byParentId.get(m.id) === call) byParentId.delete(m.id);
    for (const q of call.pending) {
      queryReplies.get(q)?.resolve(refusal('query() is not available after the script has finished'));
      queryReplies.delete(q);
    }
    isolate.leave();
    void recycleIfGrown(m.tenant, isolate);
    // After the answer is sent: off the call's path.
    keepTimerThread();
  }
}

process.on('message', (m: ParentMessage) => {
  if (m.t === 'run') {
    void onRun(m, performance.now());
  } else if (m.t === 'queryResult') {
    const waiting = queryReplies.get(m.q);
    if (!waiting) return;
    queryReplies.delete(m.q);
    waiting.call.pending.delete(m.q);
    waiting.resolve(typeof m.answer === 'string' ? m.answer : refusal('query(): invalid answer'));
  } else if (m.t === 'stop') {
    byParentId.get(m.id)?.expire?.();
  }
});
// The parent is gone: nobody will ever read an answer.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
