import { describe, expect, it } from 'vitest';
import { mergeEdit, resolveConflicts } from './merge-fields';

describe('mergeEdit', () => {
  it('merges fields only one side changed and reports fields both changed', () => {
    const base = { amount: 100, stage: 'new', notes: 'a' };
    const mine = { amount: 150, stage: 'won', notes: 'b' };
    // The server changed the stage (differently) and the notes (to the rep's value); not the amount.
    const server = { amount: 100, stage: 'lost', notes: 'b', name: 'changed on the server' };
    const { merged, conflicts } = mergeEdit(base, mine, server);
    expect(merged).toEqual({ amount: 150 });
    expect(conflicts).toEqual([{ field: 'stage', base: 'new', mine: 'won', theirs: 'lost' }]);
  });

  it('treats null and absent alike and compares arrays by value', () => {
    const { merged, conflicts } = mergeEdit(
      { tags: ['a'], note: null },
      { tags: ['a', 'b'], note: 'x' },
      { tags: ['a'] },
    );
    expect(merged).toEqual({ tags: ['a', 'b'], note: 'x' });
    expect(conflicts).toEqual([]);
  });

  it('builds the patch from the rep’s choices', () => {
    const conflicts = [
      { field: 'stage', base: 'new', mine: 'won', theirs: 'lost' },
      { field: 'amount', base: 1, mine: 2, theirs: 3 },
    ];
    expect(resolveConflicts({ notes: 'n' }, conflicts, { stage: 'mine', amount: 'theirs' })).toEqual({
      notes: 'n',
      stage: 'won',
    });
  });
});
