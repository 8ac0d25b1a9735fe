import type { ScriptEngine, ScriptHost } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, failureOf, runAction, startEngine } from './sandbox-fixture';

let engine: ScriptEngine;

beforeAll(async () => {
  engine = await startEngine({
    timeoutMs: 500,
    tenants: { sbx_spinner: { timeoutMs: 4000 }, sbx_victim: { timeoutMs: 4000 } },
  });
});
afterAll(() => engine?.close());

describe('a crashed sandbox process', () => {
  it('fails the calls in flight clearly, and the next call gets a new process', async () => {
    await expectHealthy(engine, 'sbx_victim');
    const before = engine.sandboxPid!;
    const spinning = failureOf(runAction(engine, 'sbx_victim', 'while (true) {}', { name: 'busy' }));
    const alsoInFlight = failureOf(
      runAction(engine, 'sbx_spinner', 'await new Promise(() => {});', { name: 'waiting' }),
    );
    // Let both calls reach the child before killing it.
    await expectHealthy(engine, 'sbx_crash_other');
    process.kill(before, 'SIGKILL');
    const [a, b] = await Promise.all([spinning, alsoInFlight]);
    expect(a.details).toMatchObject({ reason: 'crash' });
    expect(a.message).toBe('The script sandbox failed while running script "busy"; it was restarted');
    expect(b.details).toMatchObject({ reason: 'crash' });
    await expectHealthy(engine, 'sbx_victim');
    expect(engine.sandboxPid).not.toBe(before);
  });

  it('survives a crash in the middle of a query', async () => {
    const host: ScriptHost = {
      async query() {
        process.kill(engine.sandboxPid!, 'SIGKILL');
        return [];
      },
    };
    const e = await failureOf(runAction(engine, 'sbx_victim', "await query('deal', {});\nreturn 1;", { host }));
    expect(e.details?.reason).toBe('crash');
    await expectHealthy(engine, 'sbx_victim');
  });
});

describe('one tenant spinning does not stall the others', () => {
  it('serves other tenants while a script spins', async () => {
    let spinnerDone = false;
    const spinner = failureOf(runAction(engine, 'sbx_spinner', 'while (true) {}')).finally(() => {
      spinnerDone = true;
    });
    for (let i = 0; i < 20; i++) await expectHealthy(engine, `sbx_other_${i % 4}`);
    expect(spinnerDone).toBe(false);
    expect((await spinner).details?.reason).toBe('timeout');
    await expectHealthy(engine, 'sbx_spinner');
  });

  it('keeps the host event loop free while a script spins', async () => {
    const spinner = failureOf(runAction(engine, 'sbx_spinner', 'for (;;) {}'));
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        ticks += 1;
        if (ticks === 5) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    expect(ticks).toBe(5);
    await spinner;
  });
});
