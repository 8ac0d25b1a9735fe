import { LRUCache } from 'lru-cache';
import { ADMIN_ROLE, type Ctx } from '../ctx';
import type { Model } from '../model/load-model';
import type { ObjectAccess, PermissionEngine } from './object-access';
import { computedFieldAccess } from './computed-field-access';
import { resolveGrants, type ObjectGrants } from './resolve-grants';
import { rowPredicate, type ScopeUser } from './row-predicate';

/** The part of `MetaService` the engine needs: the tenant's model at the context's version. */
export interface ModelSource {
  model(ctx: Ctx): Promise<Model>;
}

/**
 * Role-based `PermissionEngine`. Grants depend only on the metadata version and the set of roles, so
 * they are cached under that key (a new version or a role change simply misses the cache, in every
 * process). Nothing about the manager hierarchy or manual shares is cached: the filters name them
 * through `$inTeamOf` / `$sharedWith`, which compile to sub-selects read at query time.
 */
export class RolePermissionEngine implements PermissionEngine {
  private readonly cache = new LRUCache<string, ObjectGrants>({ max: 10_000 });

  constructor(private readonly models: ModelSource) {}

  async objectAccess(ctx: Ctx, object: string): Promise<ObjectAccess> {
    return this.accessFor(ctx, this.actingUser(ctx), object);
  }

  /** Access of any user of the context's tenant (the designer's "view as", the explainer). */
  async accessFor(ctx: Ctx, user: ScopeUser, object: string): Promise<ObjectAccess> {
    return rowPredicate(await this.grantsFor(ctx, user.roles, object), user);
  }

  /** Effective grants of a set of roles on an object; 404 for an object the model does not have. */
  async grantsFor(ctx: Ctx, roles: readonly string[], object: string): Promise<ObjectGrants> {
    const model = await this.models.model(ctx);
    model.object(object);
    const key = JSON.stringify([ctx.tenant, model.version, [...new Set(roles)].sort(), object]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const grants = effectiveGrants(model, roles, object);
    this.cache.set(key, grants);
    return grants;
  }

  /** The context's user; `isAdmin` is authoritative (system contexts act as admins). */
  private actingUser(ctx: Ctx): ScopeUser {
    const roles = ctx.user.roles;
    // A portal user (docs/portal.md) never acts as an admin, whatever its roles say.
    const portal = ctx.user.portal;
    if (portal) return { id: ctx.user.id, roles: roles.filter((r) => r !== ADMIN_ROLE), account: portal.account };
    if (ctx.isAdmin && !roles.includes(ADMIN_ROLE)) return { id: ctx.user.id, roles: [...roles, ADMIN_ROLE] };
    if (!ctx.isAdmin && roles.includes(ADMIN_ROLE))
      return { id: ctx.user.id, roles: roles.filter((r) => r !== ADMIN_ROLE) };
    return { id: ctx.user.id, roles };
  }
}

/** A set of roles' grants on an object, with computed fields hidden behind their inputs. */
export function effectiveGrants(model: Model, roles: readonly string[], object: string): ObjectGrants {
  const grants = resolveGrants(model.roles, roles, object);
  if (grants.admin) return grants;
  return { ...grants, fields: computedFieldAccess(model, object, (o) => resolveGrants(model.roles, roles, o)) };
}
