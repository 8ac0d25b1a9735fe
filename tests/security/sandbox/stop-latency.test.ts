import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { defaultScriptsConfig, type ScriptEngine } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf, runAction, startEngine } from './sandbox-fixture';

/**
 * How long after its timeout a runaway's caller hears (issue 27: within timeout + 50 ms). Measured
 * and logged, never asserted: on a shared machine the figure is the machine's as much as ours. What
 * is asserted is that each call ends as a timeout, from the isolate's own limit (a spinning loop) or
 * from the child's deadline (a script awaiting what never comes).
 */
const TIMEOUT_MS = 1000;
const RUNS = 4;
let engine: ScriptEngine;

beforeAll(async () => {
  // The parent's watchdog as configured by default: it is part of what is measured.
  engine = await startEngine({
    timeoutMs: TIMEOUT_MS,
    sandbox: { watchdogSlackMs: defaultScriptsConfig.sandbox.watchdogSlackMs },
  });
});
afterAll(() => engine?.close());

/** Past the timeout: as the caller heard it, and in the sandbox (`details.elapsedMs`, from the call's turn). */
async function overruns(tenant: string, code: string): Promise<{ caller: number[]; sandbox: number[] }> {
  const caller: number[] = [];
  const sandbox: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const e = await failureOf(runAction(engine, tenant, code));
    caller.push(Math.round(performance.now() - t0 - TIMEOUT_MS));
    expect(e.details).toMatchObject({ reason: 'timeout', timeoutMs: TIMEOUT_MS });
    expect(e.details?.elapsedMs).toEqual(expect.any(Number));
    sandbox.push((e.details?.elapsedMs as number) - TIMEOUT_MS);
  }
  const sorted = (ms: number[]) => ms.sort((a, b) => a - b);
  return { caller: sorted(caller), sandbox: sorted(sandbox) };
}

describe('a runaway script stops at its timeout', () => {
  it('measures how long after the timeout its caller hears (logged)', async () => {
    const spin = await overruns('sbx_stop_spin', 'while (true) {}');
    const wait = await overruns('sbx_stop_wait', 'await new Promise(() => {});');
    const range = (ms: number[]) => `+${ms[0]} / +${ms[Math.floor(ms.length / 2)]} / +${ms[ms.length - 1]} ms`;
    const show = (o: { caller: number[]; sandbox: number[] }) =>
      `${range(o.caller)} (in the sandbox ${range(o.sandbox)})`;
    console.log(
      `runaway stop latency past a ${TIMEOUT_MS} ms timeout (min / median / max of ${RUNS}, isolate cold on the first): ` +
        `spinning ${show(spin)}; awaiting forever ${show(wait)}; load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
  }, 120_000);
});
