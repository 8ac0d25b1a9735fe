import { describe, expect, it } from 'vitest';
import { mayTransferOwnership } from './may-transfer-ownership';
import { resolveGrants } from './resolve-grants';
import { NO_ROWS, rowPredicate, scopeFilter } from './row-predicate';

const U = '11111111-1111-4111-8111-111111111111';
const user = { id: U, roles: ['rep'] };

describe('scopeFilter', () => {
  it('turns each scope into a filter of the records language', () => {
    expect(scopeFilter('own', U)).toEqual({ owner: { eq: U } });
    expect(scopeFilter('subordinates', U)).toEqual({ owner: { $inTeamOf: U } });
    expect(scopeFilter('all', U)).toBeNull();
    expect(scopeFilter('none', U)).toBe(NO_ROWS);
  });

  it("gives the account level a portal user's account and a staff user no row", () => {
    const A = '22222222-2222-4222-8222-222222222222';
    expect(scopeFilter('account', { id: U, account: A })).toEqual({ account: { eq: A } });
    expect(scopeFilter('account', { id: U, account: A }, 'account')).toEqual({ id: { eq: A } });
    expect(scopeFilter('account', U)).toBe(NO_ROWS);
    expect(scopeFilter('account', { id: U })).toBe(NO_ROWS);
  });
});

describe('rowPredicate for a portal user', () => {
  it("is the account's rows only: no manual shares, sharing rules of the role still apply", () => {
    const A = '22222222-2222-4222-8222-222222222222';
    const grants = resolveGrants(
      { portal: { objects: { service_case: { create: 'account', read: 'account', update: 'account' } } } },
      ['portal'],
      'service_case',
    );
    const a = rowPredicate(grants, { id: U, roles: ['portal'], account: A });
    expect(a.rowFilter.read).toEqual({ account: { eq: A } });
    expect(a.rowFilter.update).toEqual({ account: { eq: A } });
    expect(a.rowFilter.delete).toBe(NO_ROWS);
    // The same role held by a staff user reaches nothing but what is shared with them.
    const staff = rowPredicate(grants, { id: U, roles: ['portal'] });
    expect(staff.rowFilter.read).toEqual({ id: { $sharedWith: { user: U, roles: ['portal'], level: 'read' } } });
  });
});

describe('rowPredicate', () => {
  it('ORs sharing rules and manual shares into the read scope', () => {
    const grants = resolveGrants(
      {
        rep: {
          objects: { deal: { create: true, read: 'own', update: 'own' } },
          sharing: [
            { object: 'deal', filter: { stage: { eq: 'won' } }, access: 'read' },
            { object: 'deal', filter: { amount: { lt: 10 } }, access: 'edit' },
          ],
        },
      },
      ['rep'],
      'deal',
    );
    const a = rowPredicate(grants, user);
    expect(a.can).toEqual({ create: true, read: true, update: true, delete: false });
    expect(a.rowFilter.read).toEqual({
      or: [
        { owner: { eq: U } },
        { stage: { eq: 'won' } },
        { amount: { lt: 10 } },
        { id: { $sharedWith: { user: U, roles: ['rep'], level: 'read' } } },
      ],
    });
    expect(a.rowFilter.update).toEqual({
      or: [
        { owner: { eq: U } },
        { amount: { lt: 10 } },
        { id: { $sharedWith: { user: U, roles: ['rep'], level: 'edit' } } },
      ],
    });
    expect(a.rowFilter.delete).toBe(NO_ROWS);
  });

  it('gives every row for scope all, without share sub-selects', () => {
    const a = rowPredicate(
      resolveGrants({ rep: { objects: { deal: { read: 'all', delete: 'subordinates' } } } }, ['rep'], 'deal'),
      user,
    );
    expect(a.rowFilter.read).toBeNull();
    expect(a.rowFilter.delete).toEqual({ owner: { $inTeamOf: U } });
    expect(a.can.update).toBe(false);
    expect(a.rowFilter.update).toBe(NO_ROWS);
  });

  it('lets an edit sharing rule grant update without an update scope', () => {
    const a = rowPredicate(
      resolveGrants(
        {
          rep: {
            objects: { deal: { read: 'own' } },
            sharing: [{ object: 'deal', filter: { stage: { eq: 'new' } }, access: 'edit' }],
          },
        },
        ['rep'],
        'deal',
      ),
      user,
    );
    expect(a.can.update).toBe(true);
    expect(a.rowFilter.update).toEqual({
      or: [{ stage: { eq: 'new' } }, { id: { $sharedWith: { user: U, roles: ['rep'], level: 'edit' } } }],
    });
  });

  it('never lets manual shares open an object the roles do not grant', () => {
    const a = rowPredicate(resolveGrants({}, ['rep'], 'deal'), user);
    expect(a.can).toEqual({ create: false, read: false, update: false, delete: false });
    expect(a.rowFilter).toEqual({ read: NO_ROWS, update: NO_ROWS, delete: NO_ROWS });
  });

  it('gives admins full access', () => {
    const a = rowPredicate(resolveGrants({}, ['admin'], 'deal'), { id: U, roles: ['admin'] });
    expect(a.rowFilter).toEqual({ read: null, update: null, delete: null });
    expect(a.fields).toEqual({});
  });
});

describe('mayTransferOwnership', () => {
  it('allows admins and update scope all, nobody else', () => {
    const of = (update: string) =>
      rowPredicate(
        resolveGrants({ r: { objects: { deal: { read: 'all', update: update as 'own' } } } }, ['r'], 'deal'),
        user,
      );
    expect(mayTransferOwnership(of('all'))).toBe(true);
    expect(mayTransferOwnership(of('subordinates'))).toBe(false);
    expect(mayTransferOwnership(of('own'))).toBe(false);
    expect(mayTransferOwnership(rowPredicate(resolveGrants({}, ['admin'], 'deal'), user))).toBe(true);
    expect(mayTransferOwnership(rowPredicate(resolveGrants({}, [], 'deal'), user))).toBe(false);
  });
});
