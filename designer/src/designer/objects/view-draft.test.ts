import { describe, expect, it } from 'vitest';
import { moveColumn, newView, rowsFromFilter, sortOf, toggleColumn, withSort } from './view-draft';

describe('view draft', () => {
  it('reads AND-ed filters into rows and refuses what the builder cannot show', () => {
    expect(rowsFromFilter(undefined)).toEqual([]);
    expect(rowsFromFilter({ stage: { eq: 'won' }, amount: { gte: 10 } })).toEqual([
      { field: 'stage', op: 'eq', value: 'won' },
      { field: 'amount', op: 'gte', value: '10' },
    ]);
    expect(rowsFromFilter({ and: [{ stage: { in: ['a', 'b'] } }, { stage: { ne: 'c' } }] })).toEqual([
      { field: 'stage', op: 'in', value: 'a, b' },
      { field: 'stage', op: 'ne', value: 'c' },
    ]);
    expect(rowsFromFilter({ or: [] })).toBeNull();
    expect(rowsFromFilter([])).toBeNull();
  });

  it('edits sort and columns', () => {
    const v = newView('deal', { properties: { name: { type: 'string' }, amount: { type: 'number' } } }, 'All');
    expect(v.columns).toEqual(['name', 'amount']);
    expect(sortOf(v)).toEqual({ field: 'created_at', descending: true });
    expect(withSort(v, 'amount', false).sort).toEqual(['amount']);
    expect(withSort(v, '', false).sort).toBeUndefined();
    expect(moveColumn(v, 'amount', -1).columns).toEqual(['amount', 'name']);
    expect(moveColumn(v, 'amount', 1)).toBe(v);
    expect(toggleColumn(v, 'name', false).columns).toEqual(['amount']);
    expect(toggleColumn(toggleColumn(v, 'name', false), 'amount', false).columns).toEqual(['amount']);
  });
});
