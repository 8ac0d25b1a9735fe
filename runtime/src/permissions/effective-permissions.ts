import type { Model } from '../model/load-model';
import type { FieldAccess, Operation } from './object-access';
import { effectiveGrants } from './permission-engine';
import type { ScopeLevel } from './resolve-grants';

export type EffectiveObjectPermissions = {
  create: boolean;
  read: ScopeLevel;
  update: ScopeLevel;
  delete: ScopeLevel;
  /** Roles giving each operation its scope. */
  via: Record<Operation, string[]>;
  /** Every field of the object with the user's access to it. */
  fields: Record<string, FieldAccess>;
  sharing: Array<{ role: string; index: number; label?: string; access: 'read' | 'edit'; filter: unknown }>;
};

export type EffectivePermissions = {
  user: { id: string; name: string; email: string; roles: string[]; active: boolean };
  admin: boolean;
  version: number;
  objects: Record<string, EffectiveObjectPermissions>;
};

/**
 * What a user may do on every object of the model, in the words of the role documents (the
 * designer's "view as"). Objects the user has no access to at all are listed too, all `none`, so the
 * designer can show them greyed out. Manual shares are per record: see the explainer.
 */
export function effectivePermissions(model: Model, user: EffectivePermissions['user']): EffectivePermissions {
  const objects: Record<string, EffectiveObjectPermissions> = {};
  let admin = false;
  for (const obj of model.objects.values()) {
    const g = effectiveGrants(model, user.roles, obj.name);
    admin = g.admin;
    const readable = g.scopes.read !== 'none' || g.sharing.length > 0;
    const fields: Record<string, FieldAccess> = {};
    for (const f of obj.fields.values()) {
      const restricted = Object.hasOwn(g.fields, f.name) ? g.fields[f.name] : undefined;
      const writable = !f.readOnly && !f.system;
      fields[f.name] = !readable ? 'none' : (restricted ?? (writable ? 'edit' : 'read'));
    }
    objects[obj.name] = {
      create: g.scopes.create !== 'none',
      read: g.scopes.read,
      update: g.scopes.update,
      delete: g.scopes.delete,
      via: g.scopeRoles,
      fields,
      sharing: g.sharing.map((r) => ({
        role: r.role,
        index: r.index,
        ...(r.label ? { label: r.label } : {}),
        access: r.access,
        filter: r.filter,
      })),
    };
  }
  return { user, admin: admin || user.roles.includes('admin'), version: model.version, objects };
}
