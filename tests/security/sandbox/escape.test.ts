import fs from 'node:fs';
import type { ScriptEngine } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, failureOf, runAction, startEngine } from './sandbox-fixture';

const TENANT = 'sbx_escape';
const MARKER = 'forma-sandbox-secret-marker';
let engine: ScriptEngine;

beforeAll(async () => {
  // Something secret in the server's environment, which the sandbox must never see.
  process.env.FORMA_TEST_SECRET = MARKER;
  engine = await startEngine();
});
afterAll(async () => {
  await engine?.close();
  delete process.env.FORMA_TEST_SECRET;
});

const run = (code: string, record?: Record<string, unknown>) =>
  runAction(engine, TENANT, code, record ? { record } : {});

describe('nothing of Node is reachable', () => {
  it.each([
    ['process', 'return typeof process;'],
    ['require', 'return typeof require;'],
    ['module', 'return typeof module;'],
    ['Buffer', 'return typeof Buffer;'],
    ['setTimeout', 'return typeof setTimeout;'],
    ['setInterval', 'return typeof setInterval;'],
    ['queueMicrotask', 'return typeof queueMicrotask;'],
    ['fetch', 'return typeof fetch;'],
    ['console', 'return typeof console;'],
    ['globalThis.process', 'return typeof globalThis.process;'],
  ])('%s is undefined', async (_name, code) => {
    expect(await run(code)).toBe('undefined');
  });

  it('refuses dynamic import()', async () => {
    const r = await run(
      "try { await import('node:fs'); return 'imported'; } catch (e) { return 'refused: ' + e.message; }",
    );
    expect(r).toMatch(/^refused/);
  });

  it('a require() call fails with a clear error naming the line', async () => {
    const e = await failureOf(run("// read a file\nconst fs = require('fs');"));
    expect(e.message).toBe('Script "hostile" failed at line 2, column 12: ReferenceError: require is not defined');
  });

  it('does not run with the server’s environment', () => {
    const pid = engine.sandboxPid;
    expect(pid).toBeTypeOf('number');
    // Linux only (as CI): a missing /proc fails the probe rather than passing it unchecked.
    expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(MARKER);
  });
});

describe('constructor chains end inside the sandbox', () => {
  it.each([
    ['record.constructor.constructor', "return record.constructor.constructor('return process')();"],
    ['a script API function', "return error.constructor('return this')();"],
    ['query', "return query.constructor('return globalThis')();"],
    ['an async function', "return (async () => {}).constructor('return process')();"],
    ['a generator', "return Object.getPrototypeOf(function* () {}).constructor('yield process')().next();"],
    ['Function directly', "return Function('return this')();"],
    ['eval', "return eval('typeof process');"],
    ['indirect eval', "return (0, eval)('1 + 1');"],
  ])('via %s: code generation is refused', async (_label, code) => {
    const e = await failureOf(run(code));
    expect(e.message).toMatch(/EvalError: Generating code from strings is not allowed in scripts/);
  });

  it('the global object is the sandbox’s own, and frozen', async () => {
    const r = await run(
      [
        'const g = (function () { return this; })();',
        'const names = Object.getOwnPropertyNames(globalThis);',
        'return { sloppyThis: g === undefined, frozen: Object.isFrozen(globalThis), names };',
      ].join('\n'),
    );
    const out = r as { sloppyThis: boolean; frozen: boolean; names: string[] };
    expect(out.sloppyThis).toBe(true);
    expect(out.frozen).toBe(true);
    for (const gone of ['SharedArrayBuffer', 'Atomics', 'WebAssembly', 'FinalizationRegistry', 'WeakRef', 'console']) {
      expect(out.names).not.toContain(gone);
    }
  });
});

describe('SharedArrayBuffer, Atomics.wait and WebAssembly are gone', () => {
  it.each([
    ['SharedArrayBuffer', 'new SharedArrayBuffer(8)'],
    ['Atomics.wait', 'Atomics.wait(new Int32Array(4), 0, 0, 10000)'],
    ['WebAssembly shared memory', 'new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true })'],
  ])('%s fails clearly', async (_label, expression) => {
    const e = await failureOf(run(`return ${expression};`));
    expect(e.message).toMatch(/ReferenceError: \w+ is not defined/);
    await expectHealthy(engine, TENANT);
  });
});

describe('no state survives a call', () => {
  it.each([
    ['a global', 'globalThis.leak = 1;'],
    ['an undeclared variable', 'leak = 1;'],
    ['Object.prototype', 'Object.prototype.leak = 1;'],
    ['Array.prototype.push', 'Array.prototype.push = function () {};'],
    ['JSON.stringify', 'JSON.stringify = () => "{}";'],
    ['Error.prepareStackTrace', 'Error.prepareStackTrace = (e, frames) => frames;'],
    ['Promise.prototype.then', 'Promise.prototype.then = function () {};'],
    ['the iterator prototype', 'Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).leak = 1;'],
  ])('writing %s is refused', async (_label, code) => {
    const e = await failureOf(run(code));
    expect(e.details?.reason).toBe('error');
    expect(e.message).toMatch(/TypeError|ReferenceError/);
    expect(
      await run('return typeof globalThis.leak + typeof ({}).leak + typeof [].leak + JSON.stringify({ a: 1 });'),
    ).toBe('undefinedundefinedundefined{"a":1}');
  });

  it('the last regular expression match of one call is not visible to the next', async () => {
    await run('/(\\d{3})-(\\d{4})/.exec(record.ssn); return 1;', { ssn: '123-4567' });
    expect(await run('return [typeof RegExp.$1, typeof RegExp.lastMatch, typeof RegExp.input];')).toEqual([
      'undefined',
      'undefined',
      'undefined',
    ]);
  });

  it('the script API functions are fresh per call', async () => {
    expect(await run('error.stash = record.secret; return error.stash;', { secret: 's3cret' })).toBe('s3cret');
    expect(await run('return typeof error.stash;')).toBe('undefined');
  });

  it('one tenant cannot see another tenant’s isolate', async () => {
    await runAction(engine, 'sbx_escape_a', 'try { globalThis.shared = record.secret; } catch {} return 1;', {
      record: { secret: 'tenant a' },
    });
    expect(await runAction(engine, 'sbx_escape_b', 'return typeof globalThis.shared;')).toBe('undefined');
  });
});

describe('values copied in and out', () => {
  it('a __proto__ key in the input stays a plain key', async () => {
    const record = JSON.parse('{"__proto__": {"polluted": true}, "amount": 1}');
    const r = await run(
      'return [({}).polluted === undefined, record.polluted === undefined, Object.keys(record).includes("__proto__")];',
      record,
    );
    expect(r).toEqual([true, true, true]);
  });

  it('a __proto__ key in the output does not pollute the host', async () => {
    const r = await engine.runScript({
      tenant: TENANT,
      version: 1,
      object: 'deal',
      event: 'action',
      script: {
        name: 'pollute',
        code: [
          'const evil = JSON.parse(\'{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}\');',
          "set('payload', evil);",
          'return evil;',
        ].join('\n'),
      },
      record: {},
      old: null,
      user: { id: 'u', roles: [] },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.result)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(r.changes.payload)).toBe(Object.prototype);
    expect((r.result as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('error() and set() refuse field names like __proto__ and constructor chains', async () => {
    for (const code of ["error('__proto__', 'x');", "set('__proto__', 1);", "set('constructor.prototype', 1);"]) {
      const e = await failureOf(run(code));
      expect(e.message).toMatch(/must be a field name/);
    }
  });

  it('getters on returned values run inside the sandbox and only data comes out', async () => {
    const r = await run(
      'return { plain: 1, get computed() { return typeof process; }, fn() {}, toJSONless: new Date(0) };',
    );
    expect(r).toEqual({ plain: 1, computed: 'undefined', toJSONless: '1970-01-01T00:00:00.000Z' });
  });

  it('a getter that throws or spins fails the call and nothing else', async () => {
    const thrown = await failureOf(run("return { get a() { throw new Error('gotcha'); } };"));
    expect(thrown.message).toMatch(/not JSON data/);
    const spins = await failureOf(run('return { get a() { for (;;) {} } };'));
    expect(spins.details?.reason).toBe('timeout');
    await expectHealthy(engine, TENANT);
  });

  it('a Proxy returned or set is read inside the sandbox, never handed to the host', async () => {
    const r = await run(
      "set('p', new Proxy({}, { ownKeys: () => ['x'], getOwnPropertyDescriptor: () => ({ value: 'trap', enumerable: true, configurable: true }), get: () => 'trap' }));\nreturn new Proxy([], { get: (t, k) => (k === 'length' ? 2 : 'trap') });",
    );
    expect(r).toEqual(['trap', 'trap']);
    const spins = await failureOf(run('return new Proxy({}, { ownKeys() { for (;;) {} } });'));
    expect(spins.details?.reason).toBe('timeout');
    await expectHealthy(engine, TENANT);
  });

  it('toJSON tricks only produce data', async () => {
    expect(await run("return { toJSON() { return 'just a string'; } };")).toBe('just a string');
  });

  it('a thrown Proxy or object with hostile getters still gives a clear error', async () => {
    const e = await failureOf(
      run("throw new Proxy(new Error('x'), { get() { throw new Error('no'); }, getPrototypeOf() { throw 1; } });"),
    );
    expect(e.message).toMatch(/^Script "hostile" failed/);
    await expectHealthy(engine, TENANT);
  });
});

describe('the stack trace machinery', () => {
  it('Error.prepareStackTrace cannot be set, and errors still name the script line', async () => {
    const e = await failureOf(
      run('// line 1\nError.prepareStackTrace = (err, frames) => frames.map((f) => f.getThis());'),
    );
    expect(e.message).toMatch(/^Script "hostile" failed at line 2, column \d+: TypeError/);
  });

  it('Error.captureStackTrace exposes nothing of the host', async () => {
    const r = (await run('const o = {}; Error.captureStackTrace(o); return o.stack;')) as string;
    expect(r).not.toMatch(/node_modules|\/work\/|node:internal/);
  });
});
