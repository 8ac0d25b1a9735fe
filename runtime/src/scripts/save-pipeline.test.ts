import type { MetadataDocument } from '@forma/metadata';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../ctx';
import { AppError } from '../errors';
import { loadModel } from '../model/load-model';
import type { TxCtx } from '../tx/unit-of-work';
import { assertNoScriptErrors } from './record-scripts';
import { AFTER_SAVE_TOPIC, SavePipeline } from './save-pipeline';
import { ScriptEngine } from './script-engine';
import { defaultScriptsConfig } from './scripts-config';

let runner: ScriptEngine;
beforeAll(async () => {
  runner = new ScriptEngine({ ...defaultScriptsConfig, timeoutMs: 2000 });
  await runner.warmUp();
});
afterAll(() => runner?.close());

const user = { id: 'u1', email: 'rep@acme.test', name: 'Rep', roles: ['sales_rep'], manager: null, locale: null };
const doc = {
  objects: {
    deal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        amount: { type: 'number' },
        discount: { type: 'number' },
        stage: { type: 'string' },
        net: { type: 'number', 'x-formula': 'record.amount * (1 - (record.discount || 0) / 100)' },
      },
    },
    note: { type: 'object', additionalProperties: false, properties: { text: { type: 'string' } } },
  },
  scripts: {
    discount: {
      object: 'deal',
      event: 'validate',
      code: "if (record.discount > 20 && !user.roles.includes('sales_manager')) error('discount', 'Needs a manager');",
    },
    stage: { object: 'deal', event: 'beforeSave', code: "if (!record.stage) set('stage', 'new');" },
    notify: {
      object: 'deal',
      event: 'afterSave',
      code: "const same = await query('deal', { stage: { eq: record.stage } });\nlog(same.length, old?.stage);",
    },
    broken: { object: 'deal', event: 'afterSave', code: "throw new Error('boom');", order: -1 },
  },
} as unknown as MetadataDocument;
const model = loadModel(doc, 4);
const ctx = { tenant: 'pipeline_a', schema: 't_pipeline_a', user, isAdmin: false, db: {} } as unknown as Ctx;
const query = vi.fn(async () => [{ id: 'd1', stage: 'won' }]);
const host = { query };
const enqueue = vi.fn(async () => {});
const pipeline = () => new SavePipeline({ runner, outbox: { enqueue } });

describe('the save pipeline', () => {
  it('runRecordSave runs validate, beforeSave and formulas of the object', async () => {
    const refused = await pipeline().runRecordSave(ctx, model, 'deal', { amount: 100, discount: 30 }, null, host);
    expect(refused.errors).toEqual({ discount: 'Needs a manager' });
    expect(() => assertNoScriptErrors(refused)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    const fine = await pipeline().runRecordSave(ctx, model, 'deal', { amount: 100, discount: 10 }, null, host);
    expect(fine).toMatchObject({ errors: {}, changes: { stage: 'new', net: 90 } });
  });

  it('runRecordSave makes no sandbox call for an object without scripts or formulas', async () => {
    expect(await pipeline().runRecordSave(ctx, model, 'note', { text: 'x' }, null, host)).toEqual({
      errors: {},
      changes: {},
      logs: [],
      ms: 0,
    });
  });

  it('runFormulas runs only the formulas given, on the stored row', async () => {
    const changes = await pipeline().runFormulas(
      ctx,
      model,
      'deal',
      { amount: 50, discount: 30 },
      {
        net: 'record.amount * 2',
      },
    );
    expect(changes).toEqual({ net: 100 });
  });

  it('queueAfterSave records an outbox event only for objects with afterSave scripts', async () => {
    const tx = { ...ctx, uow: {} } as unknown as TxCtx;
    expect(await pipeline().queueAfterSave(tx, model, 'note', { text: 'x' }, null)).toBe(false);
    expect(await pipeline().queueAfterSave(tx, model, 'deal', { id: 'd1' }, { id: 'd1', stage: 'new' })).toBe(true);
    expect(enqueue.mock.calls).toEqual([
      [tx, AFTER_SAVE_TOPIC, { object: 'deal', record: { id: 'd1' }, old: { id: 'd1', stage: 'new' } }],
    ]);
  });

  it('runAfterSave runs every afterSave script; one that throws does not stop the others', async () => {
    const results = await pipeline().runAfterSave(
      ctx,
      model,
      { object: 'deal', record: { id: 'd1', stage: 'won' }, old: { id: 'd1', stage: 'new' } },
      host,
    );
    expect(results.map((r) => r.logs)).toEqual([['[notify] 1 new']]);
    expect(query).toHaveBeenLastCalledWith('deal', { stage: { eq: 'won' } }, { limit: 50 });
    expect(await pipeline().runAfterSave(ctx, model, { object: 'gone', record: {}, old: null }, host)).toEqual([]);
  });

  it('runAfterSave throws a timeout, so the outbox retries the event', async () => {
    const spinning = loadModel(
      { ...doc, scripts: { spin: { object: 'deal', event: 'afterSave', code: 'while (true) {}' } } } as never,
      5,
    );
    runner.setTenantLimits('pipeline_a', { timeoutMs: 50 });
    try {
      const e = await pipeline()
        .runAfterSave(ctx, spinning, { object: 'deal', record: {}, old: null }, host)
        .catch((err: unknown) => err);
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).details).toMatchObject({ reason: 'timeout', script: 'spin' });
    } finally {
      runner.setTenantLimits('pipeline_a', undefined);
    }
  });
});

describe('formulas computed in the server process', () => {
  // Its own tenant: the timeout test above leaves pipeline_a's sandbox suspended for a while.
  const ctx = { tenant: 'pipeline_b', schema: 't_pipeline_b', user, isAdmin: false, db: {} } as unknown as Ctx;
  const LINE_FIELDS = {
    name: { type: 'string' },
    qty: { type: 'number' },
    price: { type: 'number' },
    due: { type: 'string', format: 'date' },
    amount: { type: 'number', 'x-formula': 'Math.round((record.qty || 0) * (record.price || 0) * 100) / 100' },
    size: { type: 'string', 'x-formula': "record.amount >= 100 ? 'big' : 'small'" },
    overdue_days: { type: 'number', 'x-formula': 'days_since(record.due)' },
  };
  const lineModel = (extra: Record<string, unknown> = {}) =>
    loadModel(
      {
        objects: { line: { type: 'object', additionalProperties: false, properties: { ...LINE_FIELDS, ...extra } } },
      } as unknown as MetadataDocument,
      1,
    );
  const declarativeOnly = lineModel();
  const withMethodCall = lineModel({ shout: { type: 'string', 'x-formula': 'record.name.toUpperCase()' } });
  const noSandbox = () => {
    const runSave = vi.fn(async () => {
      throw new Error('no sandbox call expected');
    });
    return {
      runSave,
      pipeline: new SavePipeline({
        runner: { runSave, runScript: vi.fn(), suspendedRefusal: vi.fn() },
        outbox: { enqueue },
      }),
    };
  };

  it('a save with declarative formulas and no scripts makes no sandbox call, in dependency order', async () => {
    const { runSave, pipeline: p } = noSandbox();
    const out = await p.runRecordSave(ctx, declarativeOnly, 'line', { qty: 3, price: 33.335, due: null }, null, host);
    expect(out.errors).toEqual({});
    expect(out.changes).toEqual({ amount: 100.01, size: 'big', overdue_days: null });
    // Roll-ups that moved recompute their formulas the same way.
    const moved = await p.runFormulas(
      ctx,
      declarativeOnly,
      'line',
      { qty: 1, price: 2 },
      { amount: 'record.qty * record.price' },
    );
    expect(moved).toEqual({ amount: 2 });
    expect(runSave).not.toHaveBeenCalled();
  });

  it('gives what the sandbox gives for the same formulas and records', async () => {
    const formulas = {
      amount: 'Math.round((record.qty || 0) * (record.price || 0) * 100) / 100',
      size: "record.amount >= 100 ? 'big' : 'small'",
      overdue_days: 'days_since(record.due)',
      span: 'days_between(record.due, record.until)',
      ratio: 'record.qty / record.price',
      missing: 'record.nope',
      joined: "record.name + ' x' + record.qty",
      flag: '!record.name && record.qty > 0',
      either: "record.name ?? 'none'",
    };
    const records = [
      { qty: 3, price: 33.335, due: '2026-01-01', until: '2026-03-01', name: 'A' },
      { qty: 0, price: 0, due: 'not a date', name: null },
      { qty: -2, price: 4.5, due: '2026-12-31T23:00:00Z', until: '2027-01-01' },
      {},
    ];
    const { runSave, pipeline: here } = noSandbox();
    for (const record of records) {
      const mine = await here.runFormulas(ctx, declarativeOnly, 'line', record, formulas);
      const sandbox = await runner.runSave({
        tenant: ctx.tenant,
        version: 1,
        object: 'line',
        validate: [],
        beforeSave: [],
        formulas,
        record,
        old: null,
        user,
      });
      expect(mine).toEqual(sandbox.changes);
    }
    expect(runSave).not.toHaveBeenCalled();
  });

  it('a formula that is not declarative, or a script on the object, still runs in the sandbox', async () => {
    const { runSave, pipeline: p } = noSandbox();
    await expect(p.runRecordSave(ctx, withMethodCall, 'line', { name: 'x' }, null, host)).rejects.toThrow(
      'no sandbox call expected',
    );
    // The deal's formula is declarative, but the deal has validate and beforeSave scripts: one call for all.
    await expect(p.runRecordSave(ctx, model, 'deal', { amount: 1 }, null, host)).rejects.toThrow(
      'no sandbox call expected',
    );
    expect(runSave).toHaveBeenCalledTimes(2);
    const real = await pipeline().runRecordSave(
      ctx,
      withMethodCall,
      'line',
      { name: 'x', qty: 1, price: 2 },
      null,
      host,
    );
    expect(real.changes).toMatchObject({ amount: 2, size: 'small', shout: 'X' });
  });
});
