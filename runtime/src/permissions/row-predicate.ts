import { scopeRows } from '@forma/metadata';
import { fullAccess, type Filter, type ObjectAccess, type Operation } from './object-access';
import type { ObjectGrants, ScopeLevel } from './resolve-grants';

/**
 * Matches no row, in a form every filter compiler handles the same way (`id` is never null). An empty
 * `{or: []}` would be safer in theory, but a compiler that drops empty groups would turn it into
 * "every row".
 */
export const NO_ROWS: Filter = Object.freeze({ id: Object.freeze({ isNull: true }) }) as Filter;

export interface ScopeUser {
  id: string;
  roles: readonly string[];
  /** A customer portal user's account (the `account` scope level); staff users have none. */
  account?: string | null;
}

/** The filter of one scope level for one user; `null` means every row. */
export function scopeFilter(
  level: ScopeLevel,
  user: string | Pick<ScopeUser, 'id' | 'account'>,
  object?: string,
): Filter | null {
  const subject = typeof user === 'string' ? user : { user: user.id, account: user.account ?? null };
  const rows = scopeRows(level, subject, object);
  if (rows === 'all') return null;
  return rows === 'none' ? NO_ROWS : (rows as Filter);
}

/** `{"id": {"$sharedWith": …}}`: records shared manually with the user or one of their roles. */
export function sharedWithFilter(user: ScopeUser, level: 'read' | 'edit'): Filter {
  return { id: { $sharedWith: { user: user.id, roles: [...user.roles].sort(), level } } };
}

function anyOf(parts: Filter[]): Filter {
  if (parts.length === 0) return NO_ROWS;
  if (parts.length === 1) return parts[0] as Filter;
  return { or: parts };
}

/**
 * Turns a user's grants on an object into the `ObjectAccess` the records engine compiles. Object
 * permissions come from role scopes and sharing rules; manual shares only widen the rows of an
 * operation the user already has on the object (never read on an object they cannot read at all).
 * Read: scope OR any sharing rule OR shared (read or edit). Update: scope OR edit sharing rules OR
 * shared for edit. Delete: scope only.
 */
export function rowPredicate(grants: ObjectGrants, user: ScopeUser): ObjectAccess {
  if (grants.admin) return fullAccess(grants.object);
  const rules = (ops: Array<'read' | 'edit'>) =>
    grants.sharing.filter((r) => ops.includes(r.access)).map((r) => r.filter);
  const has = (op: Operation) => grants.scopes[op] !== 'none';

  const readRules = rules(['read', 'edit']);
  const editRules = rules(['edit']);
  const can: Record<Operation, boolean> = {
    create: has('create'),
    read: has('read') || readRules.length > 0,
    update: has('update') || editRules.length > 0,
    delete: has('delete'),
  };

  const widened = (op: 'read' | 'update', extra: Filter[], level: 'read' | 'edit'): Filter | null => {
    if (!can[op]) return NO_ROWS;
    const scope = scopeFilter(grants.scopes[op], user, grants.object);
    if (scope === null) return null;
    const parts = scope === NO_ROWS ? [] : [scope];
    // Manual shares are between colleagues: a record shared with a role must not reach every
    // customer of the portal that holds it.
    const shared = user.account ? [] : [sharedWithFilter(user, level)];
    return anyOf([...parts, ...extra, ...shared]);
  };
  const deleteScope = scopeFilter(grants.scopes.delete, user, grants.object);

  return {
    object: grants.object,
    can,
    rowFilter: {
      read: widened('read', readRules, 'read'),
      update: widened('update', editRules, 'edit'),
      delete: can.delete ? deleteScope : NO_ROWS,
    },
    fields: { ...grants.fields },
  };
}
