import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { defaultView } from './list-view';
import { readListUrl, writeListUrl } from './list-url-state';

const deal: ObjectSchema = {
  properties: {
    name: { type: 'string' },
    amount: { type: 'number' },
    stage: { type: 'string', enum: ['new', 'won'] },
    close_on: { type: 'string', format: 'date' },
    secret: { type: 'string', 'x-access': 'none' },
  },
};
const views = [defaultView(deal, 'Deals'), { ...defaultView(deal, 'Deals'), key: 'view:open', label: 'Open' }];
const read = (qs: string, schema = deal) => readListUrl(new URLSearchParams(qs), { schema, views });

describe('list state in the address', () => {
  it('round-trips every part, writing only what differs from the defaults', () => {
    const state = {
      view: 'view:open',
      q: 'acme',
      filters: [{ field: 'amount', op: 'gte' as const, value: '1000' }],
      sort: ['-amount'],
      type: 'calendar' as const,
      date: 'close_on',
      cal: 'week' as const,
      at: '2026-02-28',
      pages: 3,
    };
    const url = writeListUrl(state);
    expect(read(url.toString())).toEqual({ state, problems: [] });
    expect(writeListUrl({ q: '', filters: [], pages: 1 }).toString()).toBe('');
  });

  it('drops and reports what does not fit, never throws', () => {
    const { state, problems } = read(
      'view=view:gone&f=[["nope","eq","x"],["secret","eq","x"],["stage","contains","n"],["stage","eq","won"]]&sort=-nope' +
        '&type=gallery&group=amount&date=name&cal=year&at=2026-02-30&pages=999',
    );
    expect(state).toEqual({ q: '', filters: [{ field: 'stage', op: 'eq', value: 'won' }], pages: 1 });
    expect(problems.map((p) => p.kind)).toEqual([
      'unknownView',
      'badFilterField',
      'badFilterField',
      'badFilterField',
      'badSort',
      'badType',
      'badGroup',
      'badDate',
      'badCalendar',
      'badDay',
      'badPages',
    ]);
    expect(read('f=%7Bnot json').problems).toEqual([{ kind: 'badFilters', value: '{not json' }]);
  });

  it('refuses a board or a calendar the object cannot have', () => {
    const plain: ObjectSchema = { properties: { name: { type: 'string' } } };
    expect(read('type=kanban', plain).problems[0]?.kind).toBe('noPicklist');
    expect(read('type=calendar', plain).problems[0]?.kind).toBe('noDateField');
  });
});
