import { describe, expect, it } from 'vitest';
import { resolveLookupFilter } from './lookup-filter';

describe('resolveLookupFilter', () => {
  it('turns $record references into eq conditions on the target', () => {
    expect(resolveLookupFilter({ account: '$record.account' }, { account: 'a-1' })).toEqual({ account: { eq: 'a-1' } });
  });

  it('narrows nothing while the source is empty, or for a malformed spec', () => {
    expect(resolveLookupFilter({ account: '$record.account' }, { account: '' })).toBeUndefined();
    expect(resolveLookupFilter({ account: '$record.account' }, undefined)).toBeUndefined();
    expect(resolveLookupFilter({ account: 'account' }, { account: 'a-1' })).toBeUndefined();
    expect(resolveLookupFilter(['x'], { account: 'a-1' })).toBeUndefined();
  });
});
