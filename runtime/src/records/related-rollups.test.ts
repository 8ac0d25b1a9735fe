import type { MetadataDocument } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { affectedParents, emptyRelatedRollups, relatedRollupsOf } from './related-rollups';

const doc = {
  objects: {
    campaign: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 100 },
        revenue: {
          type: 'number',
          'x-rollup': { object: 'deal', via: 'campaign', op: 'sum', field: 'amount', filter: { stage: { eq: 'won' } } },
        },
        deals: { type: 'integer', 'x-rollup': { object: 'deal', via: 'campaign', op: 'count' } },
        best: { type: 'number', 'x-rollup': { object: 'deal', via: 'campaign', op: 'max', field: 'amount' } },
      },
    },
    deal: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 100 },
        amount: { type: 'number' },
        stage: { type: 'string', enum: ['open', 'won'] },
        note: { type: 'string', maxLength: 100 },
        campaign: { type: 'string', format: 'uuid', 'x-ref': 'campaign' },
      },
    },
  },
} as unknown as MetadataDocument;

const model = loadModel(doc, 1);
const deal = model.object('deal');
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const row = (over: Record<string, unknown> = {}) => ({
  id: 'd1',
  campaign: A,
  amount: '10.00',
  stage: 'won',
  note: 'x',
  deleted_at: null,
  ...over,
});
const moved = (writes: Parameters<typeof affectedParents>[2]) =>
  Object.fromEntries(
    [...affectedParents(model, deal, writes).values()].map((e) => [
      e.parent.name,
      { fields: e.fields.map((f) => f.name).sort(), ids: [...e.ids].sort() },
    ]),
  );

describe('related roll-ups', () => {
  it('indexes roll-ups by child object, with the fields each reads', () => {
    expect(relatedRollupsOf(model, 'deal').map((r) => r.field.name)).toEqual(['revenue', 'deals', 'best']);
    expect(relatedRollupsOf(model, 'campaign')).toEqual([]);
    expect(model.object('campaign').field('revenue').rollup?.reads).toEqual(['campaign', 'amount', 'stage']);
    expect(model.object('campaign').field('deals').rollup?.reads).toEqual(['campaign']);
  });

  it('finds the parents a write moves: old and new via, only for the fields it reads', () => {
    const all = ['best', 'deals', 'revenue'];
    expect(moved([{ old: null, row: row() }])).toEqual({ campaign: { fields: all, ids: [A] } });
    expect(moved([{ old: row(), row: row({ note: 'changed' }) }])).toEqual({});
    expect(moved([{ old: row(), row: row({ stage: 'open' }) }])).toEqual({
      campaign: { fields: ['revenue'], ids: [A] },
    });
    expect(moved([{ old: row(), row: row({ amount: '11.00' }) }])).toEqual({
      campaign: { fields: ['best', 'revenue'], ids: [A] },
    });
    expect(moved([{ old: row(), row: row({ campaign: B }) }])).toEqual({ campaign: { fields: all, ids: [A, B] } });
    expect(moved([{ old: row(), row: row({ deleted_at: new Date() }) }])).toEqual({
      campaign: { fields: all, ids: [A] },
    });
    expect(moved([{ old: row(), row: null }])).toEqual({ campaign: { fields: all, ids: [A] } });
    expect(moved([{ old: null, row: row({ campaign: null }) }])).toEqual({});
    // A batch names each parent once.
    expect(
      moved([
        { old: null, row: row() },
        { old: null, row: row({ id: 'd2' }) },
      ]).campaign?.ids,
    ).toEqual([A]);
  });

  it('gives a new parent 0 for sums and counts, null otherwise', () => {
    expect(emptyRelatedRollups(model.object('campaign'))).toEqual({ revenue: 0, deals: 0, best: null });
  });
});
