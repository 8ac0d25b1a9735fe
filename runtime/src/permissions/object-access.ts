import type { Ctx } from '../ctx';

/**
 * The contract between the permission engine and everything that reads or writes records (records
 * engine, aggregates, export, script `query()`, approvals inbox). Permissions are *query data*: a
 * user's record scope is a filter in the same language users filter with, so one compiler turns
 * "the user's filter AND the user's scope" into one SQL WHERE, and nothing is filtered after fetching.
 */
export type Operation = 'create' | 'read' | 'update' | 'delete';
export type FieldAccess = 'none' | 'read' | 'edit';

/**
 * The public filter language of the records API (`{"stage":{"eq":"won"}}`, `{"and":[…]}`,
 * `{"or":[…]}`, dotted lookup paths), plus two internal operators that only the permission engine
 * may produce (the API's filter parser refuses `$`-operators from clients):
 * - `{"owner": {"$inTeamOf": "<user id>"}}`: the owner is that user or anyone below them in the
 *   manager hierarchy: `owner in (select descendant from _user_tree where ancestor = ?)`, see
 *   `SYSTEM_TABLE.userTree` in model/naming.ts;
 * - `{"id": {"$sharedWith": {"user": "<user id>", "roles": [...], "level": "read" | "edit"}}}`: the
 *   record was shared manually with the user or one of their roles at least at that level:
 *   `id in (select record_id from _record_shares where object = ? and (user_id = ? or role = any(?))
 *   and level in (…))`, see `SYSTEM_TABLE.recordShares`.
 */
export type Filter = { and: Filter[] } | { or: Filter[] } | { [field: string]: Record<string, unknown> };

/** What one user may do with one object. `rowFilter[op] === null` means every row. */
export interface ObjectAccess {
  object: string;
  can: Record<Operation, boolean>;
  rowFilter: Record<Exclude<Operation, 'create'>, Filter | null>;
  /** Per field; fields not listed are `edit`. System fields are never writable by clients. */
  fields: Record<string, FieldAccess>;
}

export interface PermissionEngine {
  /** Effective access of the context's user to `object` under the current metadata version. */
  objectAccess(ctx: Ctx, object: string): Promise<ObjectAccess>;
}

/** Full access to every row and field: what admins get, and the placeholder until roles are enforced. */
export function fullAccess(object: string): ObjectAccess {
  return {
    object,
    can: { create: true, read: true, update: true, delete: true },
    rowFilter: { read: null, update: null, delete: null },
    fields: {},
  };
}
