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
