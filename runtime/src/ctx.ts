import type { Knex } from 'knex';
import type { ChangeCause } from './change-cause';

/** The signed-in user as every runtime service sees it. */
export type SessionUser = {
  id: string;
  email: string;
  name: string;
  roles: string[];
  manager: string | null;
  locale: string | null;
  /**
   * Set only for a customer portal session (runtime/src/portal): the contact who signed in and their
   * account, which the `account` scope level reads. Such a user is never an admin.
   */
  portal?: { contact: string; account: string };
};

/**
 * Everything a runtime service needs to act for one request: which tenant (and so which schema),
 * who is acting, and the connection or transaction to use. Built by the platform after auth.
 */
export interface Ctx {
  tenant: string;
  schema: string;
  user: SessionUser;
  /** Holder of the built-in `admin` role: bypasses record scope, never tenant isolation. */
  isAdmin: boolean;
  db: Knex | Knex.Transaction;
  requestId?: string;
  /** The tenant's current metadata version, read with the session (so model caches never go stale). */
  metaVersion?: number;
  /**
   * Why this context changes records when it is not a person editing them (an automation rule, an
   * import…): written with every change made in it, see change-cause.ts.
   */
  cause?: ChangeCause;
}

export const ADMIN_ROLE = 'admin';

export function isAdminUser(user: Pick<SessionUser, 'roles'>): boolean {
  return user.roles.includes(ADMIN_ROLE);
}

/** The same context, acting inside `trx`. */
export function withTrx(ctx: Ctx, trx: Knex.Transaction): Ctx {
  return { ...ctx, db: trx };
}
