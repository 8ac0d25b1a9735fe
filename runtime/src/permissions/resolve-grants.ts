import {
  type Filter as MetaFilter,
  type RoleDefinition,
  SCOPE_LEVELS,
  type ScopeLevel,
  scopeLevel,
} from '@forma/metadata';
import { ADMIN_ROLE } from '../ctx';
import type { FieldAccess, Filter, Operation } from './object-access';

// The levels are defined once, in @forma/metadata (scope-levels.ts), ordered least to most permissive.
export { SCOPE_LEVELS, type ScopeLevel, scopeLevel };
const FIELD_LEVELS: readonly FieldAccess[] = ['none', 'read', 'edit'];

export interface SharingGrant {
  role: string;
  /** Position of the rule in the role's `sharing` list (the explainer names it). */
  index: number;
  label?: string;
  filter: Filter;
  access: 'read' | 'edit';
}

/** What a set of roles grants on one object, before it is turned into filters for one user. */
export interface ObjectGrants {
  object: string;
  admin: boolean;
  scopes: Record<Operation, ScopeLevel>;
  /** The roles giving each operation its effective scope (for "view as" and the explainer). */
  scopeRoles: Record<Operation, string[]>;
  /** Restricted fields only: a field absent here is `edit`. */
  fields: Record<string, FieldAccess>;
  sharing: SharingGrant[];
}

const OPERATIONS: readonly Operation[] = ['create', 'read', 'update', 'delete'];

/**
 * Combines a user's roles into effective grants on `object`. Each operation takes the most
 * permissive scope any role gives. A field is restricted only when every role that grants the object
 * restricts it, and then to the most permissive of their levels (a role granting the object without
 * mentioning the field gives `edit`). Roles unknown to the metadata grant nothing. The built-in
 * `admin` role bypasses scopes and field security.
 */
export function resolveGrants(
  roles: Readonly<Record<string, RoleDefinition | undefined>>,
  userRoles: readonly string[],
  object: string,
): ObjectGrants {
  if (userRoles.includes(ADMIN_ROLE)) {
    const all = Object.fromEntries(OPERATIONS.map((op) => [op, 'all'])) as Record<Operation, ScopeLevel>;
    const by = Object.fromEntries(OPERATIONS.map((op) => [op, [ADMIN_ROLE]])) as Record<Operation, string[]>;
    return { object, admin: true, scopes: all, scopeRoles: by, fields: {}, sharing: [] };
  }
  const scopes = Object.fromEntries(OPERATIONS.map((op) => [op, 'none'])) as Record<Operation, ScopeLevel>;
  const scopeRoles = Object.fromEntries(OPERATIONS.map((op) => [op, [] as string[]])) as Record<Operation, string[]>;
  let fields: Record<string, FieldAccess> | null = null;
  const sharing: SharingGrant[] = [];

  for (const role of [...new Set(userRoles)].sort()) {
    const def = Object.hasOwn(roles, role) ? roles[role] : undefined;
    if (!def) continue;
    const grant = def.objects && Object.hasOwn(def.objects, object) ? def.objects[object] : undefined;
    if (grant) {
      for (const op of OPERATIONS) {
        const level = scopeLevel(grant[op]);
        const rank = SCOPE_LEVELS.indexOf(level);
        const current = SCOPE_LEVELS.indexOf(scopes[op]);
        if (level === 'none' || rank < current) continue;
        if (rank > current) {
          scopes[op] = level;
          scopeRoles[op] = [];
        }
        scopeRoles[op].push(role);
      }
      fields = fields === null ? restrictedFields(grant.fields) : mostPermissive(fields, grant.fields);
    }
    (def.sharing ?? []).forEach((rule, index) => {
      if (rule.object !== object) return;
      sharing.push({
        role,
        index,
        ...(rule.label ? { label: rule.label } : {}),
        filter: rule.filter as MetaFilter as Filter,
        access: rule.access,
      });
    });
  }
  return { object, admin: false, scopes, scopeRoles, fields: fields ?? {}, sharing };
}

function restrictedFields(fields: Readonly<Record<string, FieldAccess | undefined>> | undefined) {
  const out: Record<string, FieldAccess> = {};
  for (const [name, access] of Object.entries(fields ?? {})) if (access && access !== 'edit') out[name] = access;
  return out;
}

/** Keeps a restriction only where the next role restricts the field too, at the higher level. */
function mostPermissive(
  current: Record<string, FieldAccess>,
  next: Readonly<Record<string, FieldAccess | undefined>> | undefined,
): Record<string, FieldAccess> {
  const out: Record<string, FieldAccess> = {};
  for (const [name, access] of Object.entries(current)) {
    const other = next && Object.hasOwn(next, name) ? next[name] : undefined;
    if (!other || other === 'edit') continue;
    const level = FIELD_LEVELS[Math.max(FIELD_LEVELS.indexOf(access), FIELD_LEVELS.indexOf(other))];
    if (level && level !== 'edit') out[name] = level;
  }
  return out;
}
