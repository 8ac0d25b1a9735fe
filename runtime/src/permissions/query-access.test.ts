import type { MetadataDocument } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import type { Ctx } from '../ctx';
import { loadModel } from '../model/load-model';
import { fullAccess, type ObjectAccess, type PermissionEngine } from './object-access';
import { queryAccessFor, reachableObjects } from './query-access';

const ref = (target: string) => ({ type: 'string', format: 'uuid', 'x-ref': target });
const doc = {
  objects: {
    region: { type: 'object', properties: { name: { type: 'string' }, country: ref('country') } },
    country: { type: 'object', properties: { name: { type: 'string' }, planet: ref('planet') } },
    planet: { type: 'object', properties: { name: { type: 'string' } } },
    account: { type: 'object', properties: { name: { type: 'string' }, region: ref('region') } },
    quote: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        account: ref('account'),
        parent: ref('quote'),
        rep: ref('user'),
        lines: { type: 'array', 'x-children': { object: 'quote_line' } },
      },
    },
    quote_line: { type: 'object', properties: { qty: { type: 'number' }, quote: ref('quote') } },
  },
} as unknown as MetadataDocument;
const model = loadModel(doc, 1);
const ctx = { schema: 't_x', tenant: 'x' } as Ctx;

function engine(readable: (o: string) => boolean): PermissionEngine & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async objectAccess(_ctx, object) {
      asked.push(object);
      const a = fullAccess(object);
      return readable(object) ? a : ({ ...a, can: { ...a.can, read: false } } as ObjectAccess);
    },
  };
}

describe('reachableObjects', () => {
  it('follows lookups two levels deep, adds line-item objects, never users or the object itself', () => {
    expect([...reachableObjects(model, model.object('quote'))].sort()).toEqual(['account', 'quote_line', 'region']);
    expect([...reachableObjects(model, model.object('account'))].sort()).toEqual(['country', 'region']);
  });
});

describe('queryAccessFor', () => {
  it('gives the access of the object and of every object a query can reach, for every channel alike', async () => {
    const e = engine(() => true);
    const qa = await queryAccessFor(ctx, model, model.object('quote'), e);
    expect(qa.schema).toBe('t_x');
    expect(qa.access.object).toBe('quote');
    // Line items are part of it: lists (children), import/export/aggregates used to differ here.
    expect([...qa.related.keys()].sort()).toEqual(['account', 'quote_line', 'region']);
    expect(e.asked.sort()).toEqual(['account', 'quote', 'quote_line', 'region']);
  });

  it('an object the user may not read does not exist for them (404), unless the caller only creates', async () => {
    const e = engine((o) => o !== 'quote');
    await expect(queryAccessFor(ctx, model, model.object('quote'), e)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Unknown object: quote',
    });
    const qa = await queryAccessFor(ctx, model, model.object('quote'), e, { mustRead: false });
    expect(qa.access.can.read).toBe(false);
  });

  it('keeps unreadable targets with their refusal, so filters through them match nothing', async () => {
    const qa = await queryAccessFor(
      ctx,
      model,
      model.object('quote'),
      engine((o) => o !== 'account'),
    );
    expect(qa.related.get('account')?.can.read).toBe(false);
    expect(qa.related.get('region')?.can.read).toBe(true);
  });
});
