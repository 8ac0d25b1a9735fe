/** Limits every script call runs under; defaults in `RuntimeConfig.scripts`, overridable per tenant. */
export interface ScriptLimits {
  /** Wall-clock limit of one sandbox call (a whole save: all its scripts and formulas), queries included. */
  timeoutMs: number;
  /** Heap limit of the tenant's isolate, in MB (isolated-vm's minimum is 8). */
  memoryMb: number;
  /** `query()` calls allowed per sandbox call. */
  queryBudget: number;
  /** Largest `limit` a `query()` may ask for (and the default when it asks for none is 50). */
  maxQueryRows: number;
  /** Largest JSON a `query()` may bring back into the sandbox, in characters. */
  maxQueryChars: number;
  /** Largest JSON result (errors, changes, logs, return value) a call may produce, in characters. */
  maxOutputChars: number;
  maxLogLines: number;
  maxLogLineChars: number;
}

export interface ScriptsConfig extends ScriptLimits {
  /** Tenant isolates each sandbox child keeps alive at once (least recently used ones are disposed). */
  maxIsolates: number;
  /**
   * Per-tenant circuit breaker: `failures` timeouts/out-of-memory/crashes of the tenant's own calls
   * within `windowMs` → its calls are refused for `coolDownMs` (a neighbour's crash does not count).
   */
  breaker: { failures: number; windowMs: number; coolDownMs: number };
  sandbox: SandboxConfig;
  /** Per-tenant overrides of the limits above (deployment configuration). */
  tenants: Record<string, Partial<ScriptLimits>>;
  /** How long a process trusts the overrides it read from a tenant's settings before reading again. */
  settingsTtlMs: number;
}

/** The sandbox child processes: how tenants are spread over them, and how their health is judged. */
export interface SandboxConfig {
  /** Child processes; each tenant always runs in the same one (tenant hash → child). */
  children: number;
  /** Calls of one tenant that may wait behind its running call; past that they are refused (429 SCRIPT_BUSY). */
  queue: number;
  /**
   * A busy child is pinged every `intervalMs` and answers from its own event loop; only silence for
   * `windowMs` (a stuck child, not a slow one on a busy machine) gets it killed and replaced.
   */
  heartbeat: { intervalMs: number; windowMs: number };
  /**
   * The parent answers a running call's caller this long past its timeout when the child has not
   * (a child starved of CPU or held up): the call is ended, the child is kept. The child's own answer
   * names the script that was running; the watchdog's names every script of the call.
   */
  watchdogSlackMs: number;
  /**
   * The low-priority child. A call whose scripts use more than `afterCpuMs` of CPU in a normal child
   * is ended there and run again (from the start, with what is left of its wall clock) in one more
   * child whose threads all run at `nice`; calls that may not run twice (actions, afterSave) finish
   * where they are; either way the tenant's calls then go to that child for `holdMs` (default 0:
   * each call starts in its normal child, so a tenant's quick calls never wait behind a busy
   * machine at nice 19 — there a heavy script gets almost no CPU and times out). A runaway burns
   * only CPU nobody else wants during its timeout, and quiet tenants, which never get there, keep
   * the normal children to themselves. `afterCpuMs: 0` turns it off.
   */
  slowLane: { afterCpuMs: number; nice: number; holdMs: number };
}

export const defaultScriptsConfig: ScriptsConfig = {
  timeoutMs: 1000,
  memoryMb: 64,
  queryBudget: 20,
  maxQueryRows: 200,
  maxQueryChars: 1_000_000,
  maxOutputChars: 256_000,
  maxLogLines: 100,
  maxLogLineChars: 2000,
  maxIsolates: 32,
  breaker: { failures: 1, windowMs: 60_000, coolDownMs: 30_000 },
  sandbox: {
    children: 2,
    queue: 16,
    heartbeat: { intervalMs: 1000, windowMs: 30_000 },
    watchdogSlackMs: 35,
    // Off by default: at nice 19 a legitimately heavy save on a saturated machine gets almost no
    // CPU, times out and suspends its tenant (slowness turned into failure). Operators opt in.
    slowLane: { afterCpuMs: 0, nice: 19, holdMs: 0 },
  },
  tenants: {},
  settingsTtlMs: 30_000,
};

const MIN_MEMORY_MB = 8;

/** The limits of one tenant: defaults, then the tenant's overrides, clamped to what can work. */
export function limitsFor(config: ScriptsConfig, overrides: Partial<ScriptLimits> | undefined): ScriptLimits {
  const pick = <K extends keyof ScriptLimits>(k: K): ScriptLimits[K] => overrides?.[k] ?? config[k];
  return {
    timeoutMs: Math.max(1, pick('timeoutMs')),
    memoryMb: Math.max(MIN_MEMORY_MB, pick('memoryMb')),
    queryBudget: Math.max(0, pick('queryBudget')),
    maxQueryRows: Math.max(1, pick('maxQueryRows')),
    maxQueryChars: Math.max(1000, pick('maxQueryChars')),
    maxOutputChars: Math.max(1000, pick('maxOutputChars')),
    maxLogLines: Math.max(0, pick('maxLogLines')),
    maxLogLineChars: Math.max(10, pick('maxLogLineChars')),
  };
}
