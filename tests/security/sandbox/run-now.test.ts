/**
 * A sandbox call first runs on the child's own thread for a few milliseconds and is abandoned when it
 * needs more (sandbox-child.ts, `TenantIsolate.runNow`): the abandoned attempt must leave no trace —
 * nothing asked of the host, no log line, no error — and the call's answer is the full run's.
 */
import type { ScriptEngine, ScriptHost } from '@forma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, runAction, startEngine, user } from './sandbox-fixture';

const TENANT = 'sbx_runnow';
let engine: ScriptEngine;
const asked: string[] = [];

const host: ScriptHost = {
  async query(object) {
    asked.push(object);
    return [{ id: 'd1', amount: 10 }];
  },
};

beforeAll(async () => {
  // Roomy: the calls below spin past the first attempt's budget on purpose, not past their timeout.
  engine = await startEngine({ timeoutMs: 10_000 });
});
afterAll(() => engine?.close());

describe('the first attempt of a call on the child thread', () => {
  it('asks the host nothing: a script querying once reaches the host once', async () => {
    const before = asked.length;
    const r = await runAction(engine, TENANT, "const rows = await query('deal', {});\nreturn rows.length;", { host });
    expect(r).toBe(1);
    expect(asked.slice(before)).toEqual(['deal']);
  });

  it('cannot be fooled by a script catching what the host could not answer', async () => {
    const r = await runAction(
      engine,
      TENANT,
      "try { const rows = await query('deal', {}); return 'rows ' + rows.length; } catch (e) { return 'caught'; }",
      { host },
    );
    expect(r).toBe('rows 1');
  });

  it('a script running past the budget completes with its answer and logs once', async () => {
    const r = await engine.runScript(
      {
        tenant: TENANT,
        version: 1,
        object: 'deal',
        event: 'action',
        script: {
          name: 'slow',
          code: "log('start');\nconst until = Date.now() + 30; let n = 0; while (Date.now() < until) n++;\nlog('end');\nreturn 'done';",
        },
        record: {},
        old: null,
        user,
      },
      host,
    );
    expect(r.result).toBe('done');
    expect(r.logs).toEqual(['[slow] start', '[slow] end']);
  });

  it('a save past the budget reports the errors the full run finds', async () => {
    const r = await engine.runSave({
      tenant: TENANT,
      version: 1,
      object: 'deal',
      validate: [
        {
          name: 'slow_rule',
          code: "const until = Date.now() + 30; while (Date.now() < until) {}\nif (record.amount > 10) error('amount', 'too big');",
        },
      ],
      beforeSave: [],
      formulas: { double: 'record.amount * 2' },
      record: { amount: 40 },
      old: null,
      user,
    });
    expect(r.errors).toEqual({ amount: 'too big' });
    await expectHealthy(engine, TENANT);
  });
});
