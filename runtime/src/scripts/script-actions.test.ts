import type { MetadataDocument } from '@forma/metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../ctx';
import { AppError, notFound } from '../errors';
import { loadModel, type Model } from '../model/load-model';
import { ScriptActions } from './script-actions';
import { ScriptEngine } from './script-engine';
import type { RecordData } from './script-types';
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
      properties: { amount: { type: 'number' }, stage: { type: 'string' } },
    },
    note: { type: 'object', additionalProperties: false, properties: { text: { type: 'string' } } },
  },
  scripts: {
    discount: { object: 'deal', event: 'validate', code: "if (record.discount > 20) error('discount', 'Too much');" },
    close: {
      object: 'deal',
      event: 'action',
      code: "if (params.reason === 'none') error('reason', 'Give a reason');\nset('stage', 'won');\nreturn { was: record.stage };",
    },
    peek: { object: 'deal', event: 'action', code: 'return record.amount;' },
    count: { object: 'deal', event: 'action', code: "return (await query('deal', {})).length;" },
    off: { object: 'deal', event: 'action', code: 'return 1;', active: false },
  },
} as unknown as MetadataDocument;

let model: Model = loadModel(doc, 4);
const ctx = { tenant: 'actions_a', schema: 't_actions_a', user, isAdmin: false, db: {} } as unknown as Ctx;
const query = vi.fn(async () => [{ id: 'd1' }, { id: 'd2' }]);
const records = {
  get: vi.fn(async (_ctx: Ctx, _object: string, id: string) => {
    if (id !== 'd1') throw notFound('Not found');
    return { id: 'd1', amount: 10, stage: 'new', version: 3 };
  }),
  update: vi.fn(async (_ctx: Ctx, _object: string, id: string, changes: RecordData, opts: { version?: number }) => ({
    id,
    amount: 10,
    ...changes,
    version: (opts.version ?? 0) + 1,
  })),
  scriptHost: () => ({ query }),
};
const actions = () => new ScriptActions({ runner, meta: { model: async () => model }, records });

beforeEach(() => {
  model = loadModel(doc, 4);
  records.update.mockClear();
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an error');
}

describe('runAction', () => {
  it('reads the record, runs the action and saves what it set through the records engine, as an action', async () => {
    const r = await actions().runAction(ctx, 'deal', 'd1', 'close', { reason: 'signed' });
    expect(r).toMatchObject({
      result: { was: 'new' },
      changes: { stage: 'won' },
      record: { stage: 'won', version: 4 },
    });
    expect(records.update).toHaveBeenLastCalledWith(
      { ...ctx, cause: { kind: 'action', text: 'action close', ref: { script: 'close' } } },
      'deal',
      'd1',
      { stage: 'won' },
      { version: 3 },
    );
    records.update.mockClear();
    const peek = await actions().runAction(ctx, 'deal', 'd1', 'peek');
    expect(peek).toMatchObject({ result: 10, record: { id: 'd1', version: 3 } });
    expect(records.update).not.toHaveBeenCalled();
  });

  it('keeps the cause of the context it runs in (an automation rule)', async () => {
    const cause = { kind: 'automation' as const, text: 'automation rule r', ref: { rule: 'r' } };
    await actions().runAction({ ...ctx, cause }, 'deal', 'd1', 'close', {});
    expect(records.update.mock.calls[0]?.[0]).toMatchObject({ cause });
  });

  it('answers query() through the records engine as the caller', async () => {
    expect((await actions().runAction(ctx, 'deal', 'd1', 'count')).result).toBe(2);
    expect(query).toHaveBeenLastCalledWith('deal', {}, { limit: 50 });
  });

  it('refuses with 400 when the action calls error(), and saves nothing', async () => {
    const e = await failure(actions().runAction(ctx, 'deal', 'd1', 'close', { reason: 'none' }));
    expect(e).toMatchObject({ code: 'VALIDATION_FAILED', fields: { reason: 'Give a reason' } });
    expect(records.update).not.toHaveBeenCalled();
  });

  it('answers 404 for unknown, inactive, non-action or other objects’ scripts and unknown records', async () => {
    for (const [object, name] of [
      ['deal', 'nope'],
      ['deal', 'off'],
      ['deal', 'discount'],
      ['note', 'close'],
      ['deal', '../x'],
    ] as const) {
      await expect(actions().runAction(ctx, object, 'd1', name), name).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    await expect(actions().runAction(ctx, 'deal', 'd2', 'peek')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('test (the test route’s service)', () => {
  const admin = { ...ctx, user: { ...user, roles: ['admin'] }, isAdmin: true } as Ctx;

  it('runs an inline definition by its event', async () => {
    const validate = await actions().test(admin, {
      name: 'discount',
      script: { object: 'deal', event: 'validate', code: "if (record.discount > 20) error('discount', 'Too much');" },
      record: { discount: 25 },
    });
    expect(validate.errors).toEqual({ discount: 'Too much' });
    const before = await actions().test(admin, {
      name: 'tier',
      script: { object: 'member', event: 'beforeSave', code: "set('tier', 'gold'); log(user.roles);" },
      record: {},
    });
    expect(before).toMatchObject({ changes: { tier: 'gold' }, logs: ['[tier] ["admin"]'] });
  });

  it('refuses an inline definition that does not compile, with positions', async () => {
    const e = await failure(
      actions().test(admin, {
        name: 'x',
        script: { object: 'deal', event: 'validate', code: 'const a: number = "s";', language: 'ts' },
        record: {},
      }),
    );
    expect(e).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { code: expect.stringMatching(/^line 1, column 7: /) },
    });
  });

  it('loads a saved script by name from the metadata', async () => {
    await expect(actions().test(admin, { name: 'saved', record: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    model = loadModel(
      { ...doc, scripts: { saved: { object: 'deal', event: 'action', code: 'return record.a * 2;' } } } as never,
      7,
    );
    expect((await actions().test(admin, { name: 'saved', record: { a: 21 } })).result).toBe(42);
    await expect(actions().test(admin, { name: 'other', record: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
