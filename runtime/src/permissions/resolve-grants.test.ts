import type { RoleDefinition } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { resolveGrants } from './resolve-grants';

const roles: Record<string, RoleDefinition> = {
  rep: {
    objects: {
      deal: { create: true, read: 'own', update: 'own', delete: false, fields: { discount: 'read', margin: 'none' } },
    },
    sharing: [{ object: 'deal', filter: { stage: { eq: 'won' } }, access: 'read', label: 'Won deals' }],
  },
  manager: {
    objects: { deal: { read: 'subordinates', update: 'subordinates', fields: { margin: 'read' } } },
  },
  auditor: { objects: { account: { read: true } } },
};

describe('resolveGrants', () => {
  it('reads one role: scopes, restricted fields, sharing rules of the object', () => {
    const g = resolveGrants(roles, ['rep'], 'deal');
    expect(g.admin).toBe(false);
    expect(g.scopes).toEqual({ create: 'all', read: 'own', update: 'own', delete: 'none' });
    expect(g.scopeRoles.read).toEqual(['rep']);
    expect(g.fields).toEqual({ discount: 'read', margin: 'none' });
    expect(g.sharing).toEqual([
      { role: 'rep', index: 0, label: 'Won deals', filter: { stage: { eq: 'won' } }, access: 'read' },
    ]);
  });

  it('combines roles to the most permissive scope and field level', () => {
    const g = resolveGrants(roles, ['rep', 'manager'], 'deal');
    expect(g.scopes).toEqual({ create: 'all', read: 'subordinates', update: 'subordinates', delete: 'none' });
    expect(g.scopeRoles.read).toEqual(['manager']);
    // manager does not mention discount: its grant gives edit, so the restriction goes.
    expect(g.fields).toEqual({ margin: 'read' });
  });

  it('lists every role that gives the winning scope', () => {
    const g = resolveGrants(
      { a: { objects: { x: { read: 'all' } } }, b: { objects: { x: { read: true } } } },
      ['b', 'a'],
      'x',
    );
    expect(g.scopes.read).toBe('all');
    expect(g.scopeRoles.read).toEqual(['a', 'b']);
  });

  it('ignores roles that do not grant the object, and unknown roles', () => {
    const g = resolveGrants(roles, ['rep', 'auditor', 'ghost', 'constructor', '__proto__'], 'deal');
    expect(g.fields).toEqual({ discount: 'read', margin: 'none' });
    expect(resolveGrants(roles, ['auditor'], 'deal').scopes).toEqual({
      create: 'none',
      read: 'none',
      update: 'none',
      delete: 'none',
    });
  });

  it('gives no access without roles', () => {
    const g = resolveGrants(roles, [], 'deal');
    expect(Object.values(g.scopes)).toEqual(['none', 'none', 'none', 'none']);
    expect(g.sharing).toEqual([]);
  });

  it('lets the built-in admin bypass scopes and field security', () => {
    const g = resolveGrants(roles, ['rep', 'admin'], 'deal');
    expect(g.admin).toBe(true);
    expect(g.scopes).toEqual({ create: 'all', read: 'all', update: 'all', delete: 'all' });
    expect(g.fields).toEqual({});
  });
});
