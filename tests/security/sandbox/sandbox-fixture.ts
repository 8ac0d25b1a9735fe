import {
  AppError,
  type DeepPartial,
  ScriptEngine,
  type ScriptHost,
  type ScriptsConfig,
  defaultScriptsConfig,
} from '@forma/runtime';
import { mergeConfig } from '@forma/runtime';
import { expect } from 'vitest';

export const user = { id: 'u-1', email: 'rep@sandbox.test', name: 'Rep', roles: ['sales_rep'], manager: null };

/**
 * An engine with its own sandbox children; the breaker is relaxed unless a test is about it, and so
 * is the parent's watchdog: on a loaded machine it may answer a timeout before the child does, naming
 * every script of the call rather than the one that ran (starved.test.ts tests the watchdog).
 */
export async function startEngine(config: DeepPartial<ScriptsConfig> = {}): Promise<ScriptEngine> {
  const engine = new ScriptEngine(
    mergeConfig(defaultScriptsConfig, {
      timeoutMs: 500,
      breaker: { failures: 10_000 },
      ...config,
      sandbox: { watchdogSlackMs: 5000, ...config.sandbox },
    }),
  );
  await engine.warmUp();
  return engine;
}

/** Resolves once `condition()` holds, checking every few milliseconds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('waitFor: the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs `code` as an action script and gives back what it returned. */
export async function runAction(
  engine: ScriptEngine,
  tenant: string,
  code: string,
  opts: { record?: Record<string, unknown>; host?: ScriptHost; name?: string } = {},
): Promise<unknown> {
  const r = await engine.runScript(
    {
      tenant,
      version: 1,
      object: 'deal',
      event: 'action',
      script: { name: opts.name ?? 'hostile', code },
      record: opts.record ?? {},
      old: null,
      user,
    },
    opts.host,
  );
  return r.result;
}

/** The SCRIPT_FAILED error a call ends with. */
export async function failureOf(p: Promise<unknown>): Promise<AppError> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error, 'the call should have failed').toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe('SCRIPT_FAILED');
  expect(appError.status).toBe(422);
  // Clear for the person who wrote the script, and nothing of the host leaks out.
  expect(appError.message).not.toMatch(/node_modules|\/work\/|at Object\.|isolated-vm/);
  return appError;
}

/**
 * A normal call of the tenant still works: the sandbox and the tenant's isolate are healthy. It runs
 * under a roomy time limit: the check is about health, and a busy CI machine must not fail it.
 */
export async function expectHealthy(engine: ScriptEngine, tenant: string): Promise<void> {
  engine.setTenantLimits(tenant, { timeoutMs: 10_000 });
  try {
    await healthyCall(engine, tenant);
  } finally {
    engine.setTenantLimits(tenant, undefined);
  }
}

async function healthyCall(engine: ScriptEngine, tenant: string): Promise<void> {
  const r = await engine.runSave({
    tenant,
    version: 1,
    object: 'deal',
    validate: [{ name: 'ok', code: "if (record.amount > 10) error('amount', 'too big');" }],
    beforeSave: [],
    formulas: { double: 'record.amount * 2' },
    record: { amount: 4 },
    old: null,
    user,
  });
  expect(r).toMatchObject({ errors: {}, changes: { double: 8 } });
}
