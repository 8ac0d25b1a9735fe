import { describe, expect, it } from 'vitest';
import roleSchema from '../schemas/role.schema.json';
import { SCOPE_LEVELS, STORED_SCOPES, scopeLevel, scopeRows } from './scope-levels';

describe('scope levels', () => {
  it('are what the role schema accepts (add a level to both)', () => {
    expect(roleSchema.$defs.scope.enum).toEqual(STORED_SCOPES);
  });

  it('read stored scopes: true is all, absent and unknown are none', () => {
    expect(scopeLevel(true)).toBe('all');
    expect(scopeLevel(false)).toBe('none');
    expect(scopeLevel(undefined)).toBe('none');
    expect(scopeLevel('everyone')).toBe('none');
    for (const l of SCOPE_LEVELS) expect(scopeLevel(l)).toBe(l);
  });

  it('give each level its rows for a user, ordered from none to all', () => {
    expect(SCOPE_LEVELS[0]).toBe('none');
    expect(SCOPE_LEVELS.at(-1)).toBe('all');
    expect(scopeRows('none', 'u1')).toBe('none');
    expect(scopeRows('all', 'u1')).toBe('all');
    expect(scopeRows('own', 'u1')).toEqual({ owner: { eq: 'u1' } });
    expect(scopeRows('subordinates', 'u1')).toEqual({ owner: { $inTeamOf: 'u1' } });
  });

  it("give the account level a portal user's account, and no rows to a user without one", () => {
    expect(scopeRows('account', { user: 'u1', account: 'a1' })).toEqual({ account: { eq: 'a1' } });
    expect(scopeRows('account', { user: 'u1', account: 'a1' }, 'account')).toEqual({ id: { eq: 'a1' } });
    expect(scopeRows('account', 'u1')).toBe('none');
    expect(scopeRows('account', { user: 'u1', account: null })).toBe('none');
    expect(scopeRows('own', { user: 'u1', account: 'a1' })).toEqual({ owner: { eq: 'u1' } });
  });
});
