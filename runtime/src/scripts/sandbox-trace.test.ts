import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallTrace } from './sandbox-process';
import { ScriptEngine } from './script-engine';
import type { SaveInput } from './script-types';
import { defaultScriptsConfig } from './scripts-config';

let engine: ScriptEngine;

beforeAll(async () => {
  engine = new ScriptEngine({ ...defaultScriptsConfig, timeoutMs: 2000 });
  await engine.warmUp();
});
afterAll(() => engine?.close());

const user = { id: 'u1', email: 'rep@acme.test', name: 'Rep', roles: ['sales_rep'], manager: null };
const save = (over: Partial<SaveInput> = {}): SaveInput => ({
  tenant: 'trace_a',
  version: 1,
  object: 'deal',
  validate: [{ name: 'amount', code: "if (record.amount <= 0) error('amount', 'Must be positive');" }],
  beforeSave: [],
  formulas: { net: 'record.amount * 2' },
  record: { amount: 5 },
  old: null,
  user,
  ...over,
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thread ids of a process (Linux). */
function threadsOf(pid: number): Set<string> {
  return new Set(fs.readdirSync(`/proc/${pid}/task`));
}

describe('runSave trace', () => {
  it('says where a call the child completed at once spent its time, and changes nothing of its result', async () => {
    const trace: CallTrace = {};
    const traced = await engine.runSave(save(), undefined, trace);
    const plain = await engine.runSave(save());
    expect({ ...traced, ms: 0 }).toEqual({ ...plain, ms: 0 });
    expect(traced.changes).toEqual({ net: 10 });
    const { startedAt, sentAt, answeredAt, endedAt, child } = trace;
    for (const mark of [startedAt, sentAt, answeredAt, endedAt]) expect(mark).toEqual(expect.any(Number));
    // Marks of one clock, in the order the call passes them.
    expect(startedAt!).toBeLessThanOrEqual(sentAt!);
    expect(sentAt!).toBeLessThanOrEqual(answeredAt!);
    expect(answeredAt!).toBeLessThanOrEqual(endedAt!);
    expect(child).toEqual({
      toIsolateMs: expect.any(Number),
      runMs: expect.any(Number),
      takeMs: expect.any(Number),
      totalMs: expect.any(Number),
    });
    for (const span of Object.values(child!)) expect(span).toBeGreaterThanOrEqual(0);
  });

  it('has no child part for a call that had to wait for the host (it ran the usual way)', async () => {
    const trace: CallTrace = {};
    const r = await engine.runSave(
      save({ validate: [{ name: 'asks', code: "const rows = await query('deal', {}); log(rows.length);" }] }),
      { query: async () => [{ id: 'r1' }] },
      trace,
    );
    expect(r.logs).toEqual(['[asks] 1']);
    expect(trace.child).toBeUndefined();
    expect(trace.endedAt).toEqual(expect.any(Number));
  });

  it('errors and refusals are reported as without a trace', async () => {
    const trace: CallTrace = {};
    const r = await engine.runSave(save({ record: { amount: -1 } }), undefined, trace);
    expect(r.errors).toEqual({ amount: 'Must be positive' });
    await expect(
      engine.runSave(save({ validate: [{ name: 'boom', code: "throw new Error('no');" }] }), undefined, {}),
    ).rejects.toMatchObject({ code: 'SCRIPT_FAILED' });
  });
});

describe('the time limit of a call after a pause', () => {
  it('starts no new thread per call in the sandbox child: isolated-vm’s timer thread is kept between calls', async () => {
    await engine.runSave(save());
    const pid = engine.sandboxPidOf('trace_a')!;
    const started = new Set<string>();
    const calls = 6;
    for (let i = 0; i < calls; i++) {
      // Longer than a call's first-attempt limit (5 ms): without the kept marks its timer thread is
      // gone by the next call, and each call starts one.
      await pause(15);
      const before = threadsOf(pid);
      await engine.runSave(save());
      for (const tid of threadsOf(pid)) if (!before.has(tid)) started.add(tid);
    }
    // A thread the process starts for its own reasons now and then is not one per call.
    expect(started.size).toBeLessThanOrEqual(1);
  });

  it('still stops a runaway at its limit, and the next call of the tenant runs', async () => {
    engine.setTenantLimits('trace_b', { timeoutMs: 200 });
    try {
      await pause(15);
      await expect(
        engine.runSave(save({ tenant: 'trace_b', validate: [{ name: 'spin', code: 'while (true) {}' }] })),
      ).rejects.toMatchObject({ code: 'SCRIPT_FAILED', details: { reason: 'timeout' } });
    } finally {
      engine.setTenantLimits('trace_b', undefined);
    }
  });
});
