import { describe, expect, it } from 'vitest';
import {
  fieldAccessOf,
  filterToRows,
  type RoleDefinition,
  renameRole,
  roleNameProblem,
  rolesPatch,
  scopeOf,
  setFieldAccess,
  setScope,
  setSendEmail,
  setSharing,
} from './role-model';

const rep: RoleDefinition = {
  label: 'Sales rep',
  objects: { deal: { create: true, read: 'all', update: 'own', delete: false, fields: { margin: 'none' } } },
};

describe('scopes', () => {
  it('reads true as all, absent and false as none, create as yes/no', () => {
    expect(scopeOf({ read: true }, 'read')).toBe('all');
    expect(scopeOf({}, 'update')).toBe('none');
    expect(scopeOf({ delete: false }, 'delete')).toBe('none');
    expect(scopeOf({ create: 'own' }, 'create')).toBe('all');
    expect(scopeOf(undefined, 'read')).toBe('none');
  });

  it('writes none by leaving the operation out and create as true', () => {
    const r = setScope(setScope(rep, 'deal', 'read', 'own'), 'deal', 'update', 'none');
    expect(r.objects?.deal).toEqual({ create: true, read: 'own', delete: false, fields: { margin: 'none' } });
    expect(setScope({}, 'account', 'create', 'all').objects).toEqual({ account: { create: true } });
  });

  it('drops an object left with nothing granted and does not touch the input', () => {
    const r = setScope({ objects: { lead: { read: 'all' } } }, 'lead', 'read', 'none');
    expect(r.objects).toEqual({});
    expect(rep.objects?.deal?.read).toBe('all');
  });
});

describe('field access', () => {
  it('defaults to edit and stores only restrictions', () => {
    expect(fieldAccessOf(rep, 'deal', 'amount')).toBe('edit');
    expect(fieldAccessOf(rep, 'deal', 'margin')).toBe('none');
    const r = setFieldAccess(setFieldAccess(rep, 'deal', 'margin', 'edit'), 'deal', 'discount', 'read');
    expect(r.objects?.deal?.fields).toEqual({ discount: 'read' });
    expect(setFieldAccess(r, 'deal', 'discount', 'edit').objects?.deal?.fields).toBeUndefined();
  });
});

describe('rolesPatch', () => {
  it('sends changed and new roles whole, removed as null, untouched not at all', () => {
    const saved = { rep, viewer: { objects: { deal: { read: 'all' as const } } } };
    const draft = { rep: setScope(rep, 'deal', 'read', 'own'), auditor: { label: 'Auditor' } };
    expect(rolesPatch(saved, draft)).toEqual({ rep: draft.rep, auditor: { label: 'Auditor' }, viewer: null });
    expect(rolesPatch(saved, { viewer: { objects: { deal: { read: 'all' } } }, rep: { ...rep } })).toEqual({});
  });

  it('renames keep the order of the other roles', () => {
    expect(Object.keys(renameRole({ a: {}, b: {}, c: {} }, 'b', 'x'))).toEqual(['a', 'x', 'c']);
  });

  it('sharing rules are removed with the last one', () => {
    const r = setSharing(rep, [{ object: 'deal', access: 'read', filter: { stage: { eq: 'won' } } }]);
    expect(r.sharing).toHaveLength(1);
    expect('sharing' in setSharing(r, [])).toBe(false);
  });
});

describe('roleNameProblem', () => {
  it('checks names as the server does, before anything is sent', () => {
    expect(roleNameProblem('', [])).toBe('required');
    expect(roleNameProblem('admin', [])).toBe('builtIn');
    expect(roleNameProblem('Sales Rep', [])).toBe('format');
    expect(roleNameProblem("x'; drop table", [])).toBe('format');
    expect(roleNameProblem('a'.repeat(64), [])).toBe('format');
    expect(roleNameProblem('rep', ['rep'])).toBe('taken');
    expect(roleNameProblem('sales_rep_2', ['rep'])).toBeNull();
  });
});

describe('filterToRows', () => {
  it('turns a plain AND of conditions into builder rows', () => {
    expect(filterToRows({ stage: { eq: 'won' }, amount: { gte: 1000 } })).toEqual([
      { field: 'stage', op: 'eq', value: 'won' },
      { field: 'amount', op: 'gte', value: '1000' },
    ]);
    expect(filterToRows({ and: [{ stage: { in: ['won', 'lost'] } }, { closed_at: { isNull: true } }] })).toEqual([
      { field: 'stage', op: 'in', value: 'won, lost' },
      { field: 'closed_at', op: 'isNull', value: '' },
    ]);
    expect(filterToRows(undefined)).toEqual([]);
  });

  it('gives up on what the builder cannot show, so it is kept untouched', () => {
    expect(filterToRows({ or: [{ stage: { eq: 'won' } }] })).toBeNull();
    expect(filterToRows({ stage: { between: [1, 2] } })).toBeNull();
    expect(filterToRows({ stage: 'won' })).toBeNull();
  });
});

describe('sending e-mail', () => {
  it('is stored as true, and as nothing when taken away', () => {
    const on = setSendEmail(rep, true);
    expect(on.sendEmail).toBe(true);
    expect(rolesPatch({ rep }, { rep: on })).toEqual({ rep: { ...rep, sendEmail: true } });
    const off = setSendEmail(on, false);
    expect('sendEmail' in off).toBe(false);
    expect(rolesPatch({ rep }, { rep: off })).toEqual({});
  });
});
