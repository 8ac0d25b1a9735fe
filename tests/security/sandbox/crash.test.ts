import type { ScriptEngine, ScriptHost } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, failureOf, runAction, startEngine, user, waitFor } from './sandbox-fixture';

let engine: ScriptEngine;

beforeAll(async () => {
  engine = await startEngine({
    timeoutMs: 500,
    tenants: { sbx_spinner: { timeoutMs: 4000 }, sbx_victim: { timeoutMs: 4000 } },
  });
});
afterAll(() => engine?.close());

/** `count` tenant ids whose calls run in the same sandbox child as `tenant` (or, with `other`, in another one). */
function tenantsBeside(tenant: string, count: number, other = false): string[] {
  const pid = engine.sandboxPidOf(tenant);
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    const id = `sbx_n${i}`;
    if (id !== tenant && (engine.sandboxPidOf(id) === pid) !== other) found.push(id);
  }
  return found;
}

/** Gives `tenants` a time limit no wait in these tests comes near, for the duration of `body`. */
async function roomy<T>(tenants: string[], body: () => Promise<T>): Promise<T> {
  for (const t of tenants) engine.setTenantLimits(t, { timeoutMs: 30_000 });
  try {
    return await body();
  } finally {
    for (const t of tenants) engine.setTenantLimits(t, undefined);
  }
}

/** A save of `tenant` whose validate rule waits for the host's answer to its query. */
function waitingSave(tenant: string, host: ScriptHost) {
  return engine.runSave(
    {
      tenant,
      version: 1,
      object: 'deal',
      validate: [{ name: 'asks', code: "const r = await query('deal', {});\nif (r.length) error('x', 'no');" }],
      beforeSave: [],
      formulas: { double: 'record.amount * 2' },
      record: { amount: 2 },
      old: null,
      user,
    },
    host,
  );
}

describe('a crashed sandbox process', () => {
  it('fails the action calls in flight clearly (an action is not run twice), and the next call gets a new process', async () => {
    await expectHealthy(engine, 'sbx_victim');
    const before = engine.sandboxPidOf('sbx_victim')!;
    let asked!: () => void;
    const reached = new Promise<void>((resolve) => (asked = resolve));
    const host: ScriptHost = {
      query: () => {
        asked();
        return new Promise(() => {});
      },
    };
    const inFlight = failureOf(runAction(engine, 'sbx_victim', "await query('deal', {});", { name: 'waiting', host }));
    await reached;
    process.kill(before, 'SIGKILL');
    const e = await inFlight;
    expect(e.details).toMatchObject({ reason: 'crash' });
    expect(e.message).toBe('The script sandbox failed while running script "waiting"; it was restarted');
    await expectHealthy(engine, 'sbx_victim');
    expect(engine.sandboxPidOf('sbx_victim')).not.toBe(before);
  });

  it('runs the saves it was serving again on a fresh process: none of them fails', async () => {
    const tenants = ['sbx_victim', ...tenantsBeside('sbx_victim', 3)];
    for (const t of tenants) await expectHealthy(engine, t);
    const before = engine.sandboxPidOf('sbx_victim')!;
    let first = true;
    let waiting = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const host: ScriptHost = {
      // The first child never answers (it is killed meanwhile); the fresh one gets its answers at once.
      query: () => {
        if (!first) return Promise.resolve([]);
        waiting += 1;
        return gate.then(() => []);
      },
    };
    const saves = tenants.map((t) => waitingSave(t, host));
    await waitFor(() => waiting === tenants.length);
    first = false;
    process.kill(before, 'SIGKILL');
    const results = await Promise.all(saves);
    release();
    for (const r of results) expect(r).toMatchObject({ errors: {}, changes: { double: 4 } });
    expect(engine.sandboxPidOf('sbx_victim')).not.toBe(before);
  });

  it('runs a save again only once: a save that kills its process every time fails with a clear crash', async () => {
    const host: ScriptHost = {
      async query() {
        process.kill(engine.sandboxPidOf('sbx_victim')!, 'SIGKILL');
        return [];
      },
    };
    const e = await failureOf(waitingSave('sbx_victim', host));
    expect(e.details?.reason).toBe('crash');
    expect(e.message).toMatch(/^The script sandbox failed while running .*asks.*; it was restarted$/);
    await expectHealthy(engine, 'sbx_victim');
  });

  it('survives a crash in the middle of a query', async () => {
    const host: ScriptHost = {
      async query() {
        process.kill(engine.sandboxPidOf('sbx_victim')!, 'SIGKILL');
        return [];
      },
    };
    const e = await failureOf(runAction(engine, 'sbx_victim', "await query('deal', {});\nreturn 1;", { host }));
    expect(e.details?.reason).toBe('crash');
    await expectHealthy(engine, 'sbx_victim');
  });

  it('a crash of one child never reaches the tenants of the other child', async () => {
    const [elsewhere] = tenantsBeside('sbx_victim', 1, true);
    let asked!: () => void;
    const reached = new Promise<void>((resolve) => (asked = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const host: ScriptHost = {
      query: () => {
        asked();
        return gate.then(() => []);
      },
    };
    await roomy([elsewhere!], async () => {
      // An action (never run twice) of a tenant on the other child is in flight during the crash.
      const action = runAction(engine, elsewhere!, "await query('deal', {});\nreturn 'fine';", { host });
      await reached;
      process.kill(engine.sandboxPidOf('sbx_victim')!, 'SIGKILL');
      await expectHealthy(engine, 'sbx_victim');
      release();
      expect(await action).toBe('fine');
    });
  });
});

describe('one tenant spinning does not stall the others', () => {
  it('serves other tenants, on its child and on the other, while a script spins', async () => {
    let spinnerDone = false;
    const others = [...tenantsBeside('sbx_spinner', 2), ...tenantsBeside('sbx_spinner', 2, true)];
    await roomy(['sbx_spinner'], async () => {
      const spinner = failureOf(runAction(engine, 'sbx_spinner', 'while (true) {}')).finally(() => {
        spinnerDone = true;
      });
      for (let i = 0; i < 20; i++) await expectHealthy(engine, others[i % others.length]!);
      // Its 30 s are far from over: end it by ending its process.
      expect(spinnerDone).toBe(false);
      process.kill(engine.sandboxPidOf('sbx_spinner')!, 'SIGKILL');
      expect((await spinner).details?.reason).toBe('crash');
    });
    await expectHealthy(engine, 'sbx_spinner');
  });

  it('a runaway tenant’s timeouts abort none of the other tenants’ calls in flight', async () => {
    const others = [...tenantsBeside('sbx_spinner', 3), ...tenantsBeside('sbx_spinner', 3, true)];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let waiting = 0;
    const host: ScriptHost = {
      query: () => {
        waiting += 1;
        return gate.then(() => []);
      },
    };
    const results = await roomy(others, async () => {
      const inFlight = others.map((t) => waitingSave(t, host));
      await waitFor(() => waiting === others.length);
      engine.setTenantLimits('sbx_runaway', { timeoutMs: 100 });
      try {
        const runaway = await Promise.all(
          Array.from({ length: 4 }, () => failureOf(runAction(engine, 'sbx_runaway', 'while (true) {}'))),
        );
        expect(runaway.map((e) => e.details?.reason)).toContain('timeout');
      } finally {
        engine.setTenantLimits('sbx_runaway', undefined);
      }
      release();
      return Promise.all(inFlight);
    });
    for (const r of results) expect(r).toMatchObject({ errors: {}, changes: { double: 4 } });
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
