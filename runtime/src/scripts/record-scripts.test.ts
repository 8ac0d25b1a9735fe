import type { MetadataDocument } from '@forma/metadata';
import { describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../ctx';
import { AppError } from '../errors';
import { loadModel } from '../model/load-model';
import {
  assertNoScriptErrors,
  formulasFor,
  hasSaveWork,
  saveInputFor,
  scriptHostFor,
  scriptsFor,
  scriptUserOf,
} from './record-scripts';

const document = {
  objects: {
    deal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        amount: { type: 'number' },
        discount: { type: 'number' },
        // Written before the formula it reads: the model orders formulas by dependency.
        gross: { type: 'number', 'x-formula': 'record.net * 1.2' },
        net: { type: 'number', 'x-formula': 'record.amount * (1 - (record.discount || 0) / 100)' },
      },
    },
    note: { type: 'object', additionalProperties: false, properties: { text: { type: 'string' } } },
  },
  scripts: {
    z_check: { object: 'deal', event: 'validate', code: "error('z');" },
    a_check: { object: 'deal', event: 'validate', code: "error('a');", language: 'ts' },
    early: { object: 'deal', event: 'validate', code: "error('early');", order: -1 },
    off: { object: 'deal', event: 'validate', code: "error('off');", active: false },
    stamp: { object: 'deal', event: 'beforeSave', code: "set('amount', 1);" },
    after: { object: 'deal', event: 'afterSave', code: "log('saved');" },
    other: { object: 'note', event: 'validate', code: "error('note');", active: false },
  },
} as unknown as MetadataDocument;

const model = loadModel(document, 12);
const ctx = {
  tenant: 'acme',
  schema: 't_acme',
  user: { id: 'u1', email: 'a@acme.test', name: 'A', roles: ['sales_rep'], manager: null, locale: 'en' },
  isAdmin: false,
  db: {},
} as unknown as Ctx;

describe('scriptsFor', () => {
  it('lists the active scripts of one object and event by order, then name', () => {
    expect(scriptsFor(model, 'deal', 'validate')).toEqual([
      { name: 'early', code: "error('early');", language: 'js' },
      { name: 'a_check', code: "error('a');", language: 'ts' },
      { name: 'z_check', code: "error('z');", language: 'js' },
    ]);
    expect(scriptsFor(model, 'deal', 'afterSave').map((s) => s.name)).toEqual(['after']);
    expect(scriptsFor(model, 'note', 'validate')).toEqual([]);
    expect(scriptsFor(model, 'nothing', 'action')).toEqual([]);
  });
});

describe('per-model answers', () => {
  it('works out the scripts and formulas of an object once per metadata version, frozen', () => {
    expect(scriptsFor(model, 'deal', 'validate')).toBe(scriptsFor(model, 'deal', 'validate'));
    expect(formulasFor(model, 'deal')).toBe(formulasFor(model, 'deal'));
    expect(Object.isFrozen(scriptsFor(model, 'deal', 'validate'))).toBe(true);
    expect(Object.isFrozen(formulasFor(model, 'deal'))).toBe(true);
    // Another event or object is its own answer, and a new version starts afresh.
    expect(scriptsFor(model, 'deal', 'beforeSave')).not.toBe(scriptsFor(model, 'deal', 'validate'));
    const next = loadModel(document, 13);
    expect(scriptsFor(next, 'deal', 'validate')).not.toBe(scriptsFor(model, 'deal', 'validate'));
    expect(scriptsFor(next, 'deal', 'validate')).toEqual(scriptsFor(model, 'deal', 'validate'));
  });
});

describe('formulasFor', () => {
  it('gives the formulas in dependency order', () => {
    expect(Object.entries(formulasFor(model, 'deal'))).toEqual([
      ['net', 'record.amount * (1 - (record.discount || 0) / 100)'],
      ['gross', 'record.net * 1.2'],
    ]);
    expect(formulasFor(model, 'note')).toEqual({});
  });

  it('answers 404 for an unknown object', () => {
    expect(() => formulasFor(model, 'nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('saveInputFor / hasSaveWork', () => {
  it('builds one save of an object with the model version and the user as scripts see it', () => {
    const input = saveInputFor(ctx, model, 'deal', { amount: 5 }, { amount: 4 });
    expect(input).toMatchObject({
      tenant: 'acme',
      version: 12,
      object: 'deal',
      record: { amount: 5 },
      old: { amount: 4 },
      user: { id: 'u1', email: 'a@acme.test', name: 'A', roles: ['sales_rep'], manager: null },
    });
    expect(input.user).not.toHaveProperty('locale');
    expect(input.validate.map((s) => s.name)).toEqual(['early', 'a_check', 'z_check']);
    expect(input.beforeSave.map((s) => s.name)).toEqual(['stamp']);
    expect(Object.keys(input.formulas)).toEqual(['net', 'gross']);
  });

  it('knows when a save has nothing to run', () => {
    expect(hasSaveWork(model, 'deal')).toBe(true);
    expect(hasSaveWork(model, 'note')).toBe(false);
  });

  it('copies the roles, so a script host cannot change the session', () => {
    const user = scriptUserOf(ctx);
    user.roles.push('admin');
    expect(ctx.user.roles).toEqual(['sales_rep']);
  });
});

describe('assertNoScriptErrors', () => {
  it('passes when no script called error()', () => {
    expect(() => assertNoScriptErrors({ errors: {} })).not.toThrow();
  });

  it('refuses with 400 VALIDATION_FAILED and the errors by field', () => {
    const one = (() => {
      try {
        assertNoScriptErrors({ errors: { discount: 'Needs a manager' } });
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(one).toBeInstanceOf(AppError);
    expect(one?.toJSON()).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Needs a manager',
      fields: { discount: 'Needs a manager' },
      details: { fieldErrors: { discount: { code: 'script', params: { message: 'Needs a manager' } } } },
    });
    expect(() => assertNoScriptErrors({ errors: { a: 'x', _: 'y' } })).toThrow(
      expect.objectContaining({ status: 400, fields: { a: 'x', _: 'y' } }),
    );
  });
});

describe('scriptHostFor', () => {
  it('runs query() through the records engine as the caller, with the default limit', async () => {
    const query = vi.fn(async () => [{ id: 'r1' }]);
    const host = scriptHostFor(ctx, query);
    expect(await host.query('account', { name: { eq: 'x' } }, { sort: '-name', limit: 5 })).toEqual([{ id: 'r1' }]);
    await host.query('account', {}, {});
    expect(query.mock.calls).toEqual([
      [ctx, 'account', { filter: { name: { eq: 'x' } }, sort: '-name', limit: 5 }],
      [ctx, 'account', { filter: {}, limit: 50 }],
    ]);
  });
});
