import { describe, expect, it } from 'vitest';
import type { AppMeta } from '../meta/meta-types';
import { cardSpec, defaultView, parseSort, sortParam, viewsFor } from './list-view';

const deal = {
  'x-label-field': 'title',
  properties: {
    amount: { type: 'number' },
    title: { type: 'string' },
    notes: { type: 'string', 'x-kind': 'textarea' },
    lines: { type: 'array', 'x-children': 'line' },
    secret: { type: 'string', 'x-access': 'none' },
    a: { type: 'string' },
    b: { type: 'string' },
    c: { type: 'string' },
    d: { type: 'string' },
    e: { type: 'string' },
  },
};

describe('defaultView', () => {
  it('puts the label field first, leaves out long text, line items and hidden fields, at most six', () => {
    const v = defaultView(deal, 'Deal');
    expect(v.columns).toEqual(['title', 'amount', 'a', 'b', 'c', 'd']);
    expect(v.sort).toEqual(['-created_at']);
  });
});

describe('viewsFor', () => {
  const meta: AppMeta = {
    version: 1,
    objects: { deal },
    views: {
      all: { object: 'deal', label: 'All', columns: ['title'] },
      mine: {
        object: 'deal',
        label: 'Big',
        columns: ['amount', 'ghost', 'secret'],
        sort: ['-amount'],
        default: true,
        pageSize: 9999,
      },
      other: { object: 'account', label: 'Accounts', columns: ['name'] },
      broken: 'not a view',
    },
  };

  it('lists the object views, default first, unknown and hidden columns dropped, page size capped', () => {
    const views = viewsFor(meta, 'deal', 'Deal');
    expect(views.map((v) => v.label)).toEqual(['Big', 'All']);
    expect(views[0]).toMatchObject({ key: 'view:mine', columns: ['amount'], sort: ['-amount'], pageSize: 500 });
  });

  it('falls back to the default view, and to nothing for an unknown object', () => {
    expect(viewsFor({ version: 1, objects: { deal } }, 'deal', 'Deal').map((v) => v.key)).toEqual(['default']);
    expect(viewsFor(meta, 'nope', 'Nope')).toEqual([]);
  });
});

describe('sort', () => {
  it('round-trips the API sort keys', () => {
    expect(parseSort(['-amount', 'name'])).toEqual({ key: 'amount', direction: 'desc' });
    expect(sortParam({ key: 'name', direction: 'asc' })).toEqual(['name']);
    expect(parseSort([])).toBeUndefined();
  });
});

describe('view types', () => {
  const schema = {
    properties: {
      name: { type: 'string' },
      stage: { type: 'string', enum: ['new', 'won'] },
      due: { type: 'string', format: 'date' },
      grade: { type: 'string', enum: ['a'], 'x-access': 'read' },
    },
  };
  const meta = (view: Record<string, unknown>): AppMeta => ({
    version: 1,
    objects: { deal: schema },
    views: { v: { object: 'deal', label: 'V', columns: ['name'], ...view } },
  });

  it('keeps a kanban of a writable picklist and a calendar of a date field', () => {
    expect(viewsFor(meta({ type: 'kanban', groupBy: 'stage' }), 'deal', 'Deal')[0]).toMatchObject({
      type: 'kanban',
      groupBy: 'stage',
    });
    expect(
      viewsFor(meta({ type: 'calendar', dateField: 'due', calendarMode: 'week' }), 'deal', 'Deal')[0],
    ).toMatchObject({ type: 'calendar', dateField: 'due', calendarMode: 'week' });
  });

  it('falls back to a table when the field does not fit (read-only, wrong kind, unknown)', () => {
    for (const v of [
      { type: 'kanban', groupBy: 'grade' },
      { type: 'kanban', groupBy: 'due' },
      { type: 'calendar', dateField: 'nope' },
    ])
      expect(viewsFor(meta(v), 'deal', 'Deal')[0]?.type).toBeUndefined();
  });
});

describe('cardSpec (phone cards)', () => {
  const opp = {
    'x-label-field': 'name',
    properties: {
      name: { type: 'string' },
      source: { type: 'string', enum: ['web', 'fair'] },
      amount: { type: 'number' },
      stage: { type: 'string', enum: ['new', 'won'] },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
      close_on: { type: 'string', format: 'date' },
      owner_note: { type: 'string' },
    },
  };
  const meta = (view: Record<string, unknown>): AppMeta => ({
    version: 1,
    objects: { opp },
    views: { v: { object: 'opp', label: 'V', ...view } },
  });

  it('defaults to the stage picklist and the first columns after the label, without the chip field', () => {
    const [view] = viewsFor(
      meta({ columns: ['name', 'stage', 'account', 'amount', 'close_on', 'owner_note'] }),
      'opp',
      'Opp',
    );
    expect(cardSpec(view!, opp)).toEqual({ fields: ['account', 'amount', 'close_on'], status: 'stage' });
  });

  it("follows the view's cardFields and statusField, dropping unknown ones", () => {
    const [view] = viewsFor(
      meta({ columns: ['name', 'stage'], cardFields: ['amount', 'ghost', 'close_on'], statusField: 'source' }),
      'opp',
      'Opp',
    );
    expect(cardSpec(view!, opp)).toEqual({ fields: ['amount', 'close_on'], status: 'source' });
  });

  it('takes the first picklist when none is called stage or status, and no chip without a picklist', () => {
    const noStage = { ...opp, properties: { ...opp.properties, stage: { type: 'string' } } };
    expect(cardSpec(defaultView(noStage, 'Opp'), noStage).status).toBe('source');
    const plain = { 'x-label-field': 'name', properties: { name: { type: 'string' }, city: { type: 'string' } } };
    expect(cardSpec(defaultView(plain, 'P'), plain)).toEqual({ fields: ['city'], status: undefined });
  });
});
