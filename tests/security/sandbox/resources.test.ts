import type { ScriptEngine, ScriptHost } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, failureOf, runAction, startEngine, user, waitFor } from './sandbox-fixture';

const TENANT = 'sbx_resources';
/** For the attempts that are about stack and output, not time: a busy machine must not time them out. */
const ROOMY = 'sbx_roomy';
let engine: ScriptEngine;

beforeAll(async () => {
  engine = await startEngine({
    timeoutMs: 300,
    maxOutputChars: 50_000,
    tenants: { sbx_memory: { memoryMb: 16, timeoutMs: 20_000 }, [ROOMY]: { timeoutMs: 20_000 } },
  });
});
afterAll(() => engine?.close());

const run = (code: string, host?: ScriptHost) => runAction(engine, TENANT, code, host ? { host } : {});
const runRoomy = (code: string) => runAction(engine, ROOMY, code);

describe('time', () => {
  it.each([
    ['an infinite loop', 'while (true) {}'],
    ['a loop after an await', 'await null;\nfor (;;) {}'],
    ['a loop in a microtask the script does not wait for', 'Promise.resolve().then(() => { for (;;) {} });\nreturn 1;'],
    ['a never-resolving promise', 'await new Promise(() => {});'],
    ['a promise chain that never ends', 'const again = () => Promise.resolve().then(again);\nawait again();'],
    ['catastrophic regular expression backtracking', "return /^(a+)+$/.test('a'.repeat(40) + 'b');"],
  ])('%s times out with a clear error', async (_label, code) => {
    const e = await failureOf(run(code));
    expect(e.message).toBe('Script "hostile" timed out after 300 ms');
    expect(e.details).toMatchObject({ reason: 'timeout', script: 'hostile' });
    await expectHealthy(engine, TENANT);
  });

  it('names the script of a save that was running when time ran out', async () => {
    const e = await failureOf(
      engine.runSave({
        tenant: TENANT,
        version: 1,
        object: 'deal',
        validate: [
          { name: 'fine', code: 'log(1);' },
          { name: 'slow_rule', code: 'while (true) {}' },
        ],
        beforeSave: [],
        formulas: {},
        record: {},
        old: null,
        user,
      }),
    );
    expect(e.message).toBe('Script "slow_rule" timed out after 300 ms');
  });

  it('work left pending by a finished call never runs later', async () => {
    let answered = false;
    const slowHost: ScriptHost = {
      query: () =>
        new Promise((resolve) =>
          setTimeout(() => {
            answered = true;
            resolve([]);
          }, 50),
        ),
    };
    // The script returns at once; its query continuation would spin forever if it ever ran.
    expect(
      await run("query('deal', {}).then(() => { for (;;) {} }, () => { for (;;) {} });\nreturn 'done';", slowHost),
    ).toBe('done');
    await waitFor(() => answered);
    // The isolate is not stuck in a loop: the tenant's next calls run at normal speed.
    for (let i = 0; i < 3; i++) await expectHealthy(engine, TENANT);
  });
});

describe('stack and memory', () => {
  it('deep recursion ends in a RangeError, not a crash', async () => {
    const e = await failureOf(runRoomy('const f = (n) => f(n + 1) + 1;\nf(0);'));
    expect(e.message).toMatch(
      /^Script "hostile" failed at line 1, column \d+: RangeError: Maximum call stack size exceeded/,
    );
    await expectHealthy(engine, ROOMY);
  });

  it('a memory bomb disposes the tenant’s isolate, and the next call gets a new one', async () => {
    const e = await failureOf(
      runAction(
        engine,
        'sbx_memory',
        'const a = [];\nwhile (true) a.push({ n: a.length, s: "x".repeat(100) + a.length });',
      ),
    );
    expect(e.details).toMatchObject({ reason: 'memory', script: 'hostile' });
    expect(e.message).toMatch(/ran out of memory \(limit 16 MB\)/);
    await expectHealthy(engine, 'sbx_memory');
    // Other tenants never noticed.
    await expectHealthy(engine, TENANT);
  });

  it.each([
    ['doubling a string', 'let s = "x";\nwhile (true) s = s + s + "y";'],
    ['huge typed arrays', 'const buffers = [];\nwhile (true) buffers.push(new Float64Array(1024 * 1024));'],
    ['a map of strings', 'const m = new Map();\nfor (let i = 0; ; i++) m.set(i, String(i).repeat(50));'],
  ])('%s ends in a clear error and a healthy sandbox', async (_label, code) => {
    const e = await failureOf(runAction(engine, 'sbx_memory', code));
    expect(['memory', 'error']).toContain(e.details?.reason);
    expect(e.message).toMatch(/memory|allocation failed|Invalid string length|Invalid array length/i);
    await expectHealthy(engine, 'sbx_memory');
  });
});

describe('output', () => {
  it('refuses a huge return value', async () => {
    const e = await failureOf(runRoomy("return 'x'.repeat(1_000_000);"));
    expect(e.details?.reason).toBe('output');
    expect(e.message).toMatch(/more than the limit of 50000/);
    await expectHealthy(engine, ROOMY);
  });

  it('refuses huge set() values and error() floods', async () => {
    const big = await failureOf(runRoomy("for (let i = 0; i < 100; i++) set('f' + i, 'x'.repeat(1000));"));
    expect(big.details?.reason).toBe('output');
    const errors = await failureOf(runRoomy("for (let i = 0; i < 10000; i++) error('f' + i, 'bad ' + i);"));
    expect(errors.details?.reason).toBe('output');
  });

  it('caps a log flood', async () => {
    const r = await engine.runScript({
      tenant: ROOMY,
      version: 1,
      object: 'deal',
      event: 'action',
      // Far past every cap, yet light enough to finish well within the time limit on a busy machine.
      script: {
        name: 'flood',
        code: "const y = 'y'.repeat(10000);\nfor (let i = 0; i < 20000; i++) log('line', i, y);",
      },
      record: {},
      old: null,
      user,
    });
    // At most maxLogLines lines of maxLogLineChars each, within a quarter of the output limit.
    expect(r.logs.length).toBeLessThanOrEqual(101);
    expect(r.logs.at(-1)).toMatch(/^… \d+ more log lines dropped$/);
    expect(r.logs[0]!.length).toBeLessThan(2100);
    expect(r.logs.join('').length).toBeLessThan(50_000 / 4 + 2100 + 100);
  });

  it('a log of a value that cannot be printed does not fail the script', async () => {
    const r = await engine.runScript({
      tenant: ROOMY,
      version: 1,
      object: 'deal',
      event: 'action',
      script: {
        name: 'odd',
        code: 'const c = {}; c.c = c;\nlog(c, Symbol("s"), 10n, new Proxy({}, { ownKeys() { throw 1; } }));',
      },
      record: {},
      old: null,
      user,
    });
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]).toMatch(/^\[odd\] /);
  });
});
