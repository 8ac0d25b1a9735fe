import type { Knex } from 'knex';
import { ADMIN_ROLE, type Ctx, isAdminUser, type SessionUser } from './ctx';
import { SYSTEM_TABLE, tenantSchema } from './model/naming';
import { toSessionUser } from './users/user-row';

export const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';

export function systemUser(): SessionUser {
  return {
    id: SYSTEM_USER_ID,
    email: 'system@forma',
    name: 'System',
    roles: [ADMIN_ROLE],
    manager: null,
    locale: null,
  };
}

/**
 * A context for work done outside a request (after-commit events, timers, tenant bootstrap): as the
 * given user when known and still present, else as the tenant's system identity (an admin).
 */
export async function systemCtx(db: Knex, tenant: string, userId?: string | null): Promise<Ctx> {
  const schema = tenantSchema(tenant);
  let user = systemUser();
  if (userId) {
    const row = await db
      .withSchema(schema)
      .from(SYSTEM_TABLE.users)
      .where('id', userId)
      .first('id', 'email', 'name', 'roles', 'manager', 'locale');
    if (row) user = toSessionUser(row);
  }
  return { tenant, schema, user, isAdmin: isAdminUser(user), db };
}
