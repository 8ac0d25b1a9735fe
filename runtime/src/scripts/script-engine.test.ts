import { DATE_FUNCTION_CASES } from '@forma/metadata/formula-dates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { AppError, forbidden } from '../errors';
import { ScriptEngine } from './script-engine';
import { ScriptLimitsStore } from './script-limits-store';
import type { SaveInput, ScriptHost } from './script-types';
import { defaultScriptsConfig } from './scripts-config';

const clock = new ManualClock('2030-01-01T00:00:00Z');
let engine: ScriptEngine;

beforeAll(async () => {
  engine = new ScriptEngine({ ...defaultScriptsConfig, timeoutMs: 2000 }, { clock });
  await engine.warmUp();
});
afterAll(() => engine?.close());

const user = { id: 'u1', email: 'rep@acme.test', name: 'Rep', roles: ['sales_rep'], manager: null };
const save = (over: Partial<SaveInput>): SaveInput => ({
  tenant: 'engine_a',
  version: 1,
  object: 'deal',
  validate: [],
  beforeSave: [],
  formulas: {},
  record: {},
  old: null,
  user,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a SCRIPT_FAILED error');
}

describe('runSave', () => {
  it('does no sandbox call when there is nothing to run', async () => {
    expect(await engine.runSave(save({}))).toEqual({ errors: {}, changes: {}, logs: [], ms: 0 });
  });

  it('runs every validate script, collecting errors, and then stops', async () => {
    const r = await engine.runSave(
      save({
        validate: [
          { name: 'discount', code: "if (record.discount > 20) error('discount', 'Needs a manager');" },
          { name: 'name', code: "if (!record.name) error('name', 'Required');\nerror('discount', 'second message');" },
          { name: 'whole', code: "error('The deal is inconsistent');" },
        ],
        beforeSave: [{ name: 'never', code: "set('stage', 'won');" }],
        formulas: { net: 'record.amount' },
        record: { discount: 30, amount: 5 },
      }),
    );
    expect(r.errors).toEqual({ discount: 'Needs a manager', name: 'Required', _: 'The deal is inconsistent' });
    expect(r.changes).toEqual({});
  });

  it('applies beforeSave changes in order, then the formulas on the result', async () => {
    const r = await engine.runSave(
      save({
        beforeSave: [
          { name: 'tier', code: "set('tier', record.points >= 1000 ? 'gold' : 'silver');" },
          { name: 'label', code: "set('label', record.tier + '/' + old.tier);" },
        ],
        formulas: { total: 'record.qty * record.price', with_tax: 'Math.round(record.total * 1.2 * 100) / 100' },
        record: { points: 1500, qty: 3, price: 9.99 },
        old: { tier: 'silver' },
      }),
    );
    expect(r.errors).toEqual({});
    expect(r.changes).toEqual({ tier: 'gold', label: 'gold/silver', total: 29.97, with_tax: 35.96 });
    expect(r.ms).toBeGreaterThan(0);
  });

  it('gives scripts read-only inputs', async () => {
    const e = await failure(
      engine.runSave(
        save({ validate: [{ name: 'mutate', code: '// try\nrecord.amount = 1;' }], record: { amount: 2 } }),
      ),
    );
    expect(e.code).toBe('SCRIPT_FAILED');
    expect(e.message).toMatch(/^Script "mutate" failed at line 2, column 15: TypeError: Cannot assign to read only/);
    expect(e.details).toMatchObject({ reason: 'error', script: 'mutate', line: 2, column: 15 });
  });

  it('refuses set() in a validate script and bad set() arguments', async () => {
    const inValidate = await failure(engine.runSave(save({ validate: [{ name: 'v', code: "set('a', 1);" }] })));
    expect(inValidate.message).toMatch(/set\(\) is only available in beforeSave and action scripts/);
    for (const code of ["set('Bad Name', 1);", "set('__proto__', {});", "set('a', () => 1);", "set('a', 10n);"]) {
      const e = await failure(engine.runSave(save({ beforeSave: [{ name: 'b', code }] })));
      expect(e.details?.reason).toBe('error');
    }
  });

  it('names the formula that failed', async () => {
    const e = await failure(engine.runSave(save({ formulas: { net: 'record.lines.length' }, record: {} })));
    expect(e.message).toMatch(/^The formula of field "net" failed at line 1, column 14: TypeError/);
  });

  it('turns formula results into JSON values', async () => {
    const r = await engine.runSave(
      save({
        formulas: { a: 'record.x / 0', b: 'undefined', c: "new Date('2030-01-02T00:00:00Z')" },
        record: { x: 1 },
      }),
    );
    expect(r.changes).toEqual({ a: null, b: null, c: '2030-01-02T00:00:00.000Z' });
  });

  it('reports a syntax error of a stored script without running anything', async () => {
    const e = await failure(engine.runSave(save({ validate: [{ name: 'broken', code: 'if (' }] })));
    expect(e.details).toMatchObject({ reason: 'syntax', script: 'broken', line: 1 });
  });

  it('refuses invalid script names and formula fields', async () => {
    await expect(engine.runSave(save({ validate: [{ name: 'a b"', code: '1' }] }))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(engine.runSave(save({ formulas: { 'x;drop': '1' } }))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(engine.runSave(save({ tenant: 'Bad Tenant', formulas: { a: '1' } }))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});

describe('compiled-script cache', () => {
  it('compiles a script anew when the metadata version or its source changes', async () => {
    const rule = (code: string, version: number) => save({ version, validate: [{ name: 'cached_rule', code }] });
    expect((await engine.runSave(rule("error('v1');", 1))).errors).toEqual({ _: 'v1' });
    expect((await engine.runSave(rule("error('v2');", 2))).errors).toEqual({ _: 'v2' });
    // The same version with another source (a revert, another process's view) is not served stale.
    expect((await engine.runSave(rule("error('v1 again');", 2))).errors).toEqual({ _: 'v1 again' });
    expect((await engine.runSave(rule("error('v2');", 2))).errors).toEqual({ _: 'v2' });
  });

  it('keeps two tenants’ scripts of the same name and version apart', async () => {
    for (let i = 0; i < 3; i++) {
      for (const tenant of ['engine_a', 'engine_b']) {
        const r = await engine.runSave(
          save({
            tenant,
            version: 1,
            validate: [{ name: 'same_name', code: `error('${tenant}');` }],
            formulas: { f: `'${tenant}'` },
          }),
        );
        expect(r.errors).toEqual({ _: tenant });
      }
    }
  });

  it('a formula is recompiled when its expression changes under the same field', async () => {
    const f = (expression: string, version: number) =>
      save({ version, formulas: { net: expression }, record: { a: 2 } });
    expect((await engine.runSave(f('record.a * 2', 1))).changes).toEqual({ net: 4 });
    expect((await engine.runSave(f('record.a * 3', 2))).changes).toEqual({ net: 6 });
  });
});

describe('logs', () => {
  it('formats values and prefixes the script name', async () => {
    const r = await engine.runSave(
      save({ validate: [{ name: 'l', code: "log('a', 1, { b: [true, null] }, undefined);" }] }),
    );
    expect(r.logs).toEqual(['[l] a 1 {"b":[true,null]} undefined']);
  });

  it('caps the number of lines, their length and their total size', async () => {
    const many = await engine.runSave(
      save({ validate: [{ name: 'many', code: "for (let i = 0; i < 1000; i++) log('line', i);" }] }),
    );
    expect(many.logs).toHaveLength(101);
    expect(many.logs[100]).toBe('… 900 more log lines dropped');
    const long = await engine.runSave(
      save({ validate: [{ name: 'flood', code: "for (let i = 0; i < 1000; i++) log('x'.repeat(5000));" }] }),
    );
    expect(long.logs[0]!.length).toBeLessThanOrEqual(2000 + 10);
    // Logs take at most a quarter of the output limit (256000 characters).
    expect(long.logs.join('').length).toBeLessThanOrEqual(64_000 + 2100);
    expect(long.logs.at(-1)).toMatch(/^… \d+ more log lines dropped$/);
  });
});

describe('query', () => {
  const calls: unknown[][] = [];
  const host: ScriptHost = {
    async query(object, filter, options) {
      calls.push([object, filter, options]);
      if (object === 'secret') throw forbidden('You may not read secret');
      return [{ id: 'r1', amount: 10 }];
    },
  };

  it('returns records through the host with the options given', async () => {
    const r = await engine.runScript(
      {
        tenant: 'engine_a',
        version: 1,
        object: 'deal',
        event: 'action',
        script: {
          name: 'q',
          code: "const rows = await query('deal', { amount: { gt: 5 } }, { sort: '-amount', limit: 3 });\nrows.push(1);\nreturn rows;",
        },
        record: {},
        old: null,
        user,
      },
      host,
    );
    expect(r.result).toEqual([{ id: 'r1', amount: 10 }, 1]);
    expect(calls.at(-1)).toEqual(['deal', { amount: { gt: 5 } }, { sort: '-amount', limit: 3 }]);
  });

  it('defaults the limit and refuses bad arguments with a catchable error', async () => {
    const code = [
      "await query('deal');",
      'const out = [];',
      "for (const args of [['Bad'], ['deal', [1]], ['deal', {}, { limit: 0 }], ['deal', {}, { limit: 1000 }], ['deal', {}, { sort: 'a b' }], ['deal', {}, { x: 1 }], ['secret', {}]]) {",
      '  try { await query(...args); out.push("ok"); } catch (e) { out.push(e.message); }',
      '}',
      'return out;',
    ].join('\n');
    const r = await engine.runScript(
      {
        tenant: 'engine_a',
        version: 1,
        object: 'deal',
        event: 'action',
        script: { name: 'args', code },
        record: {},
        old: null,
        user,
      },
      host,
    );
    expect(calls.at(-1)).toEqual(['secret', {}, { limit: 50 }]);
    expect(r.result).toEqual([
      'query(object, filter, options?): object must be an object name',
      'query(\'deal\'): the filter must be an object such as {"stage":{"eq":"won"}}',
      "query('deal'): limit must be an integer from 1 to 200",
      "query('deal'): limit must be an integer from 1 to 200",
      'query(\'deal\'): sort must look like "-amount,name"',
      'query(\'deal\'): unknown option "x" (sort, limit)',
      "query('secret'): You may not read secret",
    ]);
  });

  it('holds a per-call query budget', async () => {
    engine.setTenantLimits('engine_b', { queryBudget: 2 });
    const e = await failure(
      engine.runSave(
        save({
          tenant: 'engine_b',
          validate: [{ name: 'many', code: "for (let i = 0; i < 3; i++) await query('deal', {});" }],
        }),
        host,
      ),
    );
    expect(e.message).toMatch(
      /^Script "many" failed at line 1, column \d+: Error: query\(\): at most 2 queries per call/,
    );
    engine.setTenantLimits('engine_b', undefined);
  });

  it('answers that queries are unavailable without a host', async () => {
    const e = await failure(engine.runSave(save({ validate: [{ name: 'nohost', code: "await query('deal', {});" }] })));
    expect(e.message).toMatch(/queries are not available/);
  });
});

describe('runScript', () => {
  const run = (code: string, event: 'action' | 'afterSave' = 'action') =>
    engine.runScript({
      tenant: 'engine_a',
      version: 1,
      object: 'deal',
      event,
      script: { name: 'act', code },
      record: { amount: 1 },
      old: null,
      user,
      params: { factor: 3 },
    });

  it('returns the action result, its changes and params', async () => {
    const r = await run("set('amount', record.amount * params.factor);\nreturn { done: true };");
    expect(r).toMatchObject({ changes: { amount: 3 }, result: { done: true }, errors: {} });
  });

  it('refuses set() after the save and a return value that is not JSON', async () => {
    expect((await failure(run("set('a', 1);", 'afterSave'))).message).toMatch(/only available in beforeSave/);
    expect((await failure(run('const a = {}; a.self = a; return a;'))).message).toMatch(/not JSON data/);
  });

  it('reports what a script throws, whatever it is', async () => {
    expect((await failure(run("throw 'plain string';"))).message).toBe('Script "act" failed: Uncaught plain string');
    expect((await failure(run('throw new RangeError("too far");'))).message).toBe(
      'Script "act" failed at line 1, column 7: RangeError: too far',
    );
  });
});

describe('evaluate', () => {
  it('evaluates conditions to plain values', async () => {
    expect(await engine.evaluate('engine_a', 1, 'record.amount > 100000', { record: { amount: 200000 } })).toBe(true);
    expect(
      await engine.evaluateAll('engine_a', 1, ['record.amount > 500000', "user.roles.includes('director')", 'old'], {
        record: { amount: 1 },
        user,
      }),
    ).toEqual([false, false, null]);
  });

  it('has the date functions of formulas, with the same answers as the browser evaluator', async () => {
    const got = await Promise.all(
      DATE_FUNCTION_CASES.map(([expression, record]) => engine.evaluate('engine_a', 1, expression, { record })),
    );
    expect(got).toEqual(DATE_FUNCTION_CASES.map(([, , expected]) => expected));
    // Frozen like the rest of the global environment: one tenant's code cannot redefine them for the next.
    const before = new Date().toISOString().slice(0, 10);
    const value = await engine.evaluate(
      'engine_a',
      1,
      '(() => { try { globalThis.today = () => 1; } catch { } return today(); })()',
      {},
    );
    expect([before, new Date().toISOString().slice(0, 10)]).toContain(value);
  });

  it('refuses statements in an expression', async () => {
    const e = await failure(engine.evaluate('engine_a', 1, '1); while (true) {} (', {}));
    expect(e.details?.reason).toBe('syntax');
  });

  it('copies values out as JSON: undefined, NaN and Infinity become null', async () => {
    expect(
      await engine.evaluateAll('engine_a', 1, ['record.nope', 'record.a / 0', '0 / 0', '({ a: [1, "x"] })', "'s'"], {
        record: { a: 1 },
      }),
    ).toEqual([null, null, null, { a: [1, 'x'] }, 's']);
    expect(await engine.evaluateAll('engine_a', 1, [], {})).toEqual([]);
  });

  it('sees record, old and user only: no script API, no params', async () => {
    expect(
      await engine.evaluateAll(
        'engine_a',
        1,
        ['old.stage', 'user.id', 'typeof query', 'typeof set', 'typeof params', 'typeof error'],
        { record: {}, old: { stage: 'new' }, user },
      ),
    ).toEqual(['new', 'u1', 'undefined', 'undefined', 'undefined', 'undefined']);
    expect(await engine.evaluate('engine_a', 1, 'record === null || Object.keys(record).length', {})).toBe(0);
  });

  it('names the expression that threw, with the reason', async () => {
    const e = await failure(engine.evaluate('engine_a', 1, 'record.lines.length > 2', { record: {} }));
    expect(e.message).toMatch(/^Expression `record.lines.length > 2` failed at line 1, column \d+: TypeError/);
    expect(e.details).toMatchObject({ reason: 'error', line: 1 });
  });

  it('refuses await, assignments to inputs and code generation', async () => {
    expect((await failure(engine.evaluate('engine_a', 1, 'await 1', {}))).details?.reason).toBe('syntax');
    expect(
      (await failure(engine.evaluate('engine_a', 1, '(record.a = 2)', { record: { a: 1 } }))).details?.reason,
    ).toBe('error');
    expect((await failure(engine.evaluate('engine_a', 1, "Function('return 1')()", {}))).message).toMatch(
      /Generating code from strings is not allowed/,
    );
  });

  it('times out a runaway expression', async () => {
    engine.setTenantLimits('engine_expr', { timeoutMs: 50 });
    try {
      const e = await failure(engine.evaluate('engine_expr', 1, '(() => { for (;;) {} })()', {}));
      expect(e.message).toBe('Expression `(() => { for (;;) {} })()` timed out after 50 ms');
    } finally {
      engine.setTenantLimits('engine_expr', undefined);
    }
  });
});

describe('limits and circuit breaker', () => {
  it('applies per-tenant timeouts and suspends a tenant from its first timeout', async () => {
    engine.setTenantLimits('engine_slow', { timeoutMs: 50 });
    const spin = save({ tenant: 'engine_slow', validate: [{ name: 'spin', code: 'while (true) {}' }] });
    const e = await failure(engine.runSave(spin));
    expect(e.message).toBe('Script "spin" timed out after 50 ms');
    const suspended = await failure(engine.runSave(spin));
    expect(suspended.details).toMatchObject({ reason: 'suspended' });
    expect(suspended.message).toMatch(/suspended for 30 s/);
    // Other tenants are not affected.
    expect((await engine.runSave(save({ formulas: { a: '1 + 1' } }))).changes).toEqual({ a: 2 });
    clock.advance(30_000);
    engine.setTenantLimits('engine_slow', undefined);
    expect((await engine.runSave({ ...spin, validate: [], formulas: { a: '2' } })).changes).toEqual({ a: 2 });
  });

  it('calls of a runaway tenant running at once: the first timeout suspends the rest and the next ones', async () => {
    // The bench's noisy neighbour: its concurrent calls ended "aborted" after the first timeouts and
    // each reset the breaker, so it never opened. Now they wait their turn and are refused then.
    engine.setTenantLimits('engine_flood', { timeoutMs: 50 });
    try {
      const spin = save({ tenant: 'engine_flood', validate: [{ name: 'spin', code: 'while (true) {}' }] });
      const outcomes = await Promise.all(Array.from({ length: 6 }, () => failure(engine.runSave(spin))));
      const reasons = outcomes.map((o) => o.details?.reason);
      expect(reasons.filter((r) => r === 'timeout')).toHaveLength(1);
      expect(reasons.filter((r) => r === 'suspended')).toHaveLength(5);
      expect((await failure(engine.runSave(spin))).details).toMatchObject({ reason: 'suspended' });
    } finally {
      engine.setTenantLimits('engine_flood', undefined);
      clock.advance(30_000);
    }
  });

  it('refuses a tenant’s calls at once with 429 SCRIPT_BUSY past one running and a short queue', async () => {
    const local = new ScriptEngine({
      ...defaultScriptsConfig,
      timeoutMs: 5000,
      sandbox: { ...defaultScriptsConfig.sandbox, children: 1, queue: 2 },
    });
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const host: ScriptHost = { query: () => gate.then(() => []) };
      const slow = save({ tenant: 'engine_busy', validate: [{ name: 'wait', code: "await query('deal', {});" }] });
      const calls = Array.from({ length: 5 }, () =>
        local.runSave(slow, host).then(
          () => 'ok',
          (e: AppError) => e,
        ),
      );
      // Refused without waiting for the running call (which waits for `release`).
      const refused = await Promise.all(calls.slice(3));
      for (const e of refused) {
        expect(e).toMatchObject({ code: 'SCRIPT_BUSY', status: 429, headers: { 'retry-after': '1' } });
      }
      expect(refused).toHaveLength(2);
      // Another tenant is not held up by the busy one.
      expect((await local.runSave(save({ tenant: 'engine_calm', formulas: { a: '1' } }))).changes).toEqual({ a: 1 });
      release();
      expect(await Promise.all(calls.slice(0, 3))).toEqual(['ok', 'ok', 'ok']);
    } finally {
      await local.close();
    }
  });
});

describe('limits from the store', () => {
  it('runs a tenant under the limits its store reads before the first call', async () => {
    const config = { ...defaultScriptsConfig, settingsTtlMs: 1000 };
    const limits = new ScriptLimitsStore(config, {
      clock,
      store: { read: async () => ({ timeoutMs: 50 }), write: async () => {} },
    });
    const local = new ScriptEngine(config, { clock, limits });
    try {
      const e = await failure(
        local.runSave(save({ tenant: 'engine_store', validate: [{ name: 'spin', code: 'while (true) {}' }] })),
      );
      expect(e.message).toBe('Script "spin" timed out after 50 ms');
      expect(local.limits).toBe(limits);
    } finally {
      await local.close();
    }
  });
});
