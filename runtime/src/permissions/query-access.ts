/**
 * The one builder of a query's access rules: what the reader may do with an object, plus what they
 * may do with the objects the query can reach from it (lookups followed two levels deep in filters
 * and `expand`, line-item objects). Lists, reads, writes, import, export, aggregates, duplicate
 * checks, reports, documents and scripts' `query()` all take their `QueryAccess` from here, so a
 * filter through `account.name` means the same thing on every channel.
 */
import type { Ctx } from '../ctx';
import { notFound } from '../errors';
import type { Model, ObjectModel } from '../model/load-model';
import type { ObjectAccess, PermissionEngine } from './object-access';

/** What a query may see: the reader's access to the object and to the objects its lookups reach. */
export interface QueryAccess {
  schema: string;
  access: ObjectAccess;
  /** Access to lookup targets and line-item objects; an object absent here is not readable. */
  related: ReadonlyMap<string, ObjectAccess>;
  /** Whether users' e-mail addresses may be read through user lookups (tenant admins only). */
  userEmails?: boolean;
  /** The reader (a filter's `inMyTeam` is their team). */
  user?: string;
  /** The reader's roles: the segments a filter's `inSegment` may name (absent: every segment). */
  reader?: { roles: readonly string[]; admin: boolean };
}

/** How many lookups a filter path may follow (`account.owner.name` is two). */
export const LOOKUP_DEPTH = 2;

/**
 * The objects a query on `object` can reach: lookup targets to `LOOKUP_DEPTH` levels (never the
 * users table or the object itself) and the object's line-item objects.
 */
export function reachableObjects(model: Model, object: ObjectModel, depth = LOOKUP_DEPTH): Set<string> {
  const targets = new Set<string>();
  // Breadth first, so an object reached late through a long path is still followed from its
  // shortest one.
  let frontier: ObjectModel[] = [object];
  for (let level = 0; level < depth && frontier.length; level++) {
    const next: ObjectModel[] = [];
    for (const o of frontier) {
      for (const f of o.fields.values()) {
        if (!f.ref || f.ref === 'user' || f.ref === object.name || targets.has(f.ref)) continue;
        const t = model.objects.get(f.ref);
        if (!t) continue;
        targets.add(t.name);
        next.push(t);
      }
    }
    frontier = next;
  }
  for (const c of object.children) targets.add(c.object);
  return targets;
}

/**
 * The reader's `QueryAccess` on `object`. An object the user may not read does not exist for them
 * (404 `Unknown object`), unless `mustRead` is false: creating needs the create right only, and the
 * caller says what a user without read gets.
 */
export async function queryAccessFor(
  ctx: Ctx,
  model: Model,
  object: ObjectModel,
  engine: PermissionEngine,
  opts: { mustRead?: boolean; depth?: number } = {},
): Promise<QueryAccess> {
  const access = await engine.objectAccess(ctx, object.name);
  if (!access.can.read && opts.mustRead !== false) throw notFound(`Unknown object: ${object.name}`);
  const related = new Map<string, ObjectAccess>();
  // One after another: inside a transaction every lookup shares one connection, which runs one query
  // at a time anyway (and pg deprecates queueing them on it concurrently).
  for (const t of reachableObjects(model, object, opts.depth)) related.set(t, await engine.objectAccess(ctx, t));
  // System contexts (jobs, roll-ups) act for no one: they have no team.
  const user = ctx.user?.id;
  return {
    schema: ctx.schema,
    access,
    related,
    userEmails: ctx.isAdmin,
    ...(user ? { user } : {}),
    reader: { roles: ctx.user?.roles ?? [], admin: ctx.isAdmin },
  };
}
