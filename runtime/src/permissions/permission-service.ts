import type { Knex } from 'knex';
import { ADMIN_ROLE, type Ctx } from '../ctx';
import { forbidden, notFound } from '../errors';
import type { UserHooks } from '../users/user-service';
import { SYSTEM_TABLE } from '../model/naming';
import { effectivePermissions, type EffectivePermissions } from './effective-permissions';
import { explainAccess, type AccessExplanation } from './explain-access';
import type { ObjectAccess, PermissionEngine } from './object-access';
import { type ModelSource, RolePermissionEngine } from './permission-engine';
import { queryAccessFor } from './query-access';
import type { ScopeUser } from './row-predicate';
import { ShareService } from './share-service';
import { refreshUserSubtree, userTreeIsCurrent } from './user-tree';
import { type AppView, visibleApp } from './visible-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type UserInfo = EffectivePermissions['user'];

/**
 * `runtime.permissions`: the `PermissionEngine` every reader and writer of records asks, plus the
 * tools built on it (effective permissions, the explainer, manual shares, the filtered app view)
 * and the user-service hooks that keep roles valid and the manager hierarchy current.
 */
export class PermissionService implements PermissionEngine {
  readonly engine: RolePermissionEngine;
  readonly shares: ShareService;

  constructor(private readonly models: ModelSource) {
    this.engine = new RolePermissionEngine(models);
    this.shares = new ShareService(this.engine, models);
  }

  objectAccess(ctx: Ctx, object: string): Promise<ObjectAccess> {
    return this.engine.objectAccess(ctx, object);
  }

  accessFor(ctx: Ctx, user: ScopeUser, object: string): Promise<ObjectAccess> {
    return this.engine.accessFor(ctx, user, object);
  }

  /** `GET /api/meta/effective-permissions?user=`: admins only. */
  async effective(ctx: Ctx, userId: string): Promise<EffectivePermissions> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    const user = await this.user(ctx, userId);
    return effectivePermissions(await this.models.model(ctx), user);
  }

  /**
   * Why `userId` (default: the caller) can or cannot read, update, delete the record. Admins ask
   * about anyone; other users only about themselves, and a record they cannot read answers 404.
   */
  async explain(ctx: Ctx, object: string, recordId: string, userId?: string): Promise<AccessExplanation> {
    const forSelf = !userId || userId === ctx.user.id;
    if (!forSelf && !ctx.isAdmin) throw forbidden('Only tenant admins can explain access of other users');
    const model = await this.models.model(ctx);
    model.object(object);
    if (!UUID.test(recordId)) throw notFound('Record not found');
    const user = await this.user(ctx, userId ?? ctx.user.id);
    const roles = forSelf && ctx.isAdmin && !user.roles.includes(ADMIN_ROLE) ? [...user.roles, ADMIN_ROLE] : user.roles;
    const scopeUser = { id: user.id, roles };
    const grants = await this.engine.grantsFor(ctx, roles, object);
    // The explained user's access, as the records engine builds it for their queries.
    const qa = await queryAccessFor(
      ctx,
      model,
      model.object(object),
      { objectAccess: (c, o) => this.engine.accessFor(c, scopeUser, o) },
      { mustRead: false },
    );
    const answer = await explainAccess(ctx, model, { object, recordId, user: scopeUser, grants, qa });
    if (!ctx.isAdmin && !answer.read.allowed) throw notFound('Record not found');
    return { ...answer, user: { id: user.id, name: user.name, roles: user.roles, active: user.active } };
  }

  /** The end-user app's metadata, reduced to what the caller may read (admins see everything). */
  async appView(ctx: Ctx, app: AppView): Promise<AppView> {
    if (ctx.isAdmin) return app;
    const names = Object.keys(app.objects ?? {});
    const access = new Map(await Promise.all(names.map(async (n) => [n, await this.objectAccess(ctx, n)] as const)));
    return visibleApp(app, (n) => access.get(n) as ObjectAccess);
  }

  /** Hooks for `UserService`: roles must exist in the metadata; the closure table follows managers. */
  userHooks(): UserHooks {
    return {
      unknownRoles: async (ctx, roles) => {
        // The first admin of a new tenant is inserted before its metadata exists: nothing to look up.
        if (roles.every((r) => r === ADMIN_ROLE)) return [];
        const defined = (await this.models.model(ctx)).roles;
        return roles.filter((r) => r !== ADMIN_ROLE && !Object.hasOwn(defined, r));
      },
      afterChange: async (ctx, userId, trx: Knex.Transaction) => {
        if (!(await userTreeIsCurrent(trx, ctx.schema, userId))) await refreshUserSubtree(trx, ctx.schema, userId);
      },
    };
  }

  private async user(ctx: Ctx, id: string): Promise<UserInfo> {
    if (!UUID.test(id)) throw notFound('User not found');
    const row = await ctx.db
      .withSchema(ctx.schema)
      .from(SYSTEM_TABLE.users)
      .where('id', id)
      .first('id', 'name', 'email', 'roles', 'active');
    if (!row) throw notFound('User not found');
    return row as UserInfo;
  }
}
