import { SCOPE_LEVELS, type ScopeLevel, type StoredScope, scopeLevel } from '@forma/metadata/scope-levels';
import type { ApiFilter, FilterRow } from '../../records/filter-model';

/** The role document of the metadata's `roles` section (docs/permissions.md, "The model"). */
export const OPERATIONS = ['create', 'read', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** `none` is how the editor shows `false`/absent; it is written back as `false`. */
export const SCOPES = SCOPE_LEVELS;
export type Scope = ScopeLevel;

export const FIELD_ACCESS = ['none', 'read', 'edit'] as const;
export type FieldAccess = (typeof FIELD_ACCESS)[number];

export type { StoredScope };

export interface ObjectGrant {
  create?: StoredScope;
  read?: StoredScope;
  update?: StoredScope;
  delete?: StoredScope;
  fields?: Record<string, FieldAccess>;
  [key: string]: unknown;
}

export interface SharingRule {
  object: string;
  filter: ApiFilter;
  access: 'read' | 'edit';
  label?: string;
  [key: string]: unknown;
}

export interface RoleDefinition {
  label?: string;
  objects?: Record<string, ObjectGrant>;
  sharing?: SharingRule[];
  /** Holders may send e-mail (mail merge); absent means no. */
  sendEmail?: boolean;
  [key: string]: unknown;
}

/** The names the server accepts for metadata items (docs/metadata.md). */
export const ROLE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** `admin` is built in: it bypasses scopes, so it has nothing to edit and cannot be defined. */
export const BUILT_IN_ROLE = 'admin';

export function scopeOf(grant: ObjectGrant | undefined, op: Operation): Scope {
  const level = scopeLevel(grant?.[op]);
  return op === 'create' && level !== 'none' ? 'all' : level;
}

function stored(op: Operation, scope: Scope): StoredScope {
  if (scope === 'none') return false;
  // create only distinguishes "may" from "may not".
  return op === 'create' ? true : scope;
}

/** A grant with no operation and no field rule says nothing: the role leaves the object out. */
function isEmptyGrant(g: ObjectGrant): boolean {
  return OPERATIONS.every((op) => scopeOf(g, op) === 'none') && Object.keys(g.fields ?? {}).length === 0;
}

function withGrant(role: RoleDefinition, object: string, grant: ObjectGrant): RoleDefinition {
  const objects = { ...(role.objects ?? {}) };
  if (isEmptyGrant(grant)) delete objects[object];
  else objects[object] = grant;
  return { ...role, objects };
}

export function setScope(role: RoleDefinition, object: string, op: Operation, scope: Scope): RoleDefinition {
  const grant: ObjectGrant = { ...(role.objects?.[object] ?? {}) };
  if (scope === 'none') delete grant[op];
  else grant[op] = stored(op, scope);
  return withGrant(role, object, grant);
}

export function fieldAccessOf(role: RoleDefinition, object: string, field: string): FieldAccess {
  return role.objects?.[object]?.fields?.[field] ?? 'edit';
}

/** `edit` is the default, so it is stored by leaving the field out. */
export function setFieldAccess(
  role: RoleDefinition,
  object: string,
  field: string,
  access: FieldAccess,
): RoleDefinition {
  const grant: ObjectGrant = { ...(role.objects?.[object] ?? {}) };
  const fields = { ...(grant.fields ?? {}) };
  if (access === 'edit') delete fields[field];
  else fields[field] = access;
  if (Object.keys(fields).length) grant.fields = fields;
  else delete grant.fields;
  return withGrant(role, object, grant);
}

export function setSharing(role: RoleDefinition, sharing: SharingRule[]): RoleDefinition {
  const next = { ...role };
  if (sharing.length) next.sharing = sharing;
  else delete next.sharing;
  return next;
}

/** `false` is the default, so it is stored by leaving `sendEmail` out. */
export function setSendEmail(role: RoleDefinition, allowed: boolean): RoleDefinition {
  const next = { ...role };
  if (allowed) next.sendEmail = true;
  else delete next.sendEmail;
  return next;
}

/** Structural equality of two JSON values (key order ignored), to know what changed. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * The roles section patch that turns `saved` into `draft`: changed and new roles whole, removed
 * ones as `null` (docs/metadata.md merge rules), nothing for untouched roles.
 */
export function rolesPatch(
  saved: Record<string, RoleDefinition>,
  draft: Record<string, RoleDefinition>,
): Record<string, RoleDefinition | null> {
  const patch: Record<string, RoleDefinition | null> = {};
  for (const [name, role] of Object.entries(draft)) if (!sameJson(saved[name], role)) patch[name] = role;
  for (const name of Object.keys(saved)) if (!(name in draft)) patch[name] = null;
  return patch;
}

export type RoleNameProblem = 'required' | 'format' | 'builtIn' | 'taken';

export function roleNameProblem(name: string, existing: readonly string[]): RoleNameProblem | null {
  if (!name) return 'required';
  if (name === BUILT_IN_ROLE) return 'builtIn';
  if (!ROLE_NAME.test(name)) return 'format';
  if (existing.includes(name)) return 'taken';
  return null;
}

/** Renames a key keeping the order of the others, so the list does not jump. */
export function renameRole(
  roles: Record<string, RoleDefinition>,
  from: string,
  to: string,
): Record<string, RoleDefinition> {
  return Object.fromEntries(Object.entries(roles).map(([k, v]) => [k === from ? to : k, v]));
}

const SIMPLE_OPS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'startsWith', 'in', 'nin', 'isNull']);

/**
 * A sharing rule's filter as filter-builder rows, when it is a plain AND of `field: {op: value}`;
 * null for anything the builder cannot show (or, nested groups), which is then kept as it is.
 */
export function filterToRows(filter: ApiFilter | undefined): FilterRow[] | null {
  if (!filter) return [];
  const clauses: ApiFilter[] = Array.isArray(filter.and) && Object.keys(filter).length === 1 ? filter.and : [filter];
  const rows: FilterRow[] = [];
  for (const clause of clauses) {
    if (!clause || typeof clause !== 'object') return null;
    for (const [field, cond] of Object.entries(clause)) {
      if (field === 'and' || field === 'or' || field === 'not') return null;
      if (!cond || typeof cond !== 'object' || Array.isArray(cond)) return null;
      const entries = Object.entries(cond as Record<string, unknown>);
      for (const [op, value] of entries) {
        if (!SIMPLE_OPS.has(op)) return null;
        if (op === 'isNull') rows.push({ field, op: 'isNull', value: value === false ? 'false' : '' });
        else if (Array.isArray(value))
          rows.push({ field, op: op as FilterRow['op'], value: value.map(String).join(', ') });
        else if (value !== null && typeof value === 'object') return null;
        else rows.push({ field, op: op as FilterRow['op'], value: String(value) });
      }
    }
  }
  return rows;
}
