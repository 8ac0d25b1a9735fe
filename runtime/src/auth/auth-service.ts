import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { RuntimeConfig } from '../config';
import { type Ctx, isAdminUser, type SessionUser } from '../ctx';
import { unauthenticated } from '../errors';
import { isTenantId, PLATFORM_SCHEMA, qualified, SYSTEM_TABLE, tenantSchema } from '../model/naming';
import { toSessionUser, type UserRow } from '../users/user-row';
import { LoginThrottle } from './login-throttle';
import type { SessionCache } from './session-cache';
import { burnPasswordCheck, verifyPassword } from '../users/passwords';
import { hashToken, newSessionToken, tenantOfToken } from './session-token';

export interface LoginInput {
  tenant: string;
  email: string;
  password: string;
  ip: string;
  userAgent?: string;
}

const BAD_CREDENTIALS = 'Invalid tenant, e-mail or password';

export class AuthService {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly db: Knex,
    private readonly config: RuntimeConfig,
    private readonly clock: Clock,
    /** Sessions of this process, dropped on every process's revocations (session-cache.ts). */
    private readonly sessions?: SessionCache,
  ) {
    this.throttle = new LoginThrottle(db, config.login, clock);
  }

  async login(input: LoginInput) {
    const email = input.email.trim().toLowerCase();
    const tenant = input.tenant;
    // Counted as a failure before the password is checked (and taken back on success): parallel
    // guesses cannot all pass the check before any of them is recorded.
    await this.throttle.begin(tenant, email, input.ip);

    const user = isTenantId(tenant) ? await this.findActiveUser(tenant, email) : undefined;
    const ok = user
      ? await verifyPassword(user.password_hash, input.password)
      : await burnPasswordCheck(input.password);
    if (!user || !ok) throw unauthenticated(BAD_CREDENTIALS);
    await this.throttle.succeeded(tenant, email);

    const token = newSessionToken(tenant);
    const now = this.clock.now();
    await this.db
      .withSchema(tenantSchema(tenant))
      .insert({
        token_hash: hashToken(token),
        user_id: user.id,
        created_at: now,
        expires_at: new Date(now.getTime() + this.config.sessionTtlHours * 3_600_000),
        ip: input.ip,
        user_agent: input.userAgent?.slice(0, 500) ?? null,
      })
      .into(SYSTEM_TABLE.sessions);
    await this.db
      .withSchema(tenantSchema(tenant))
      .from(SYSTEM_TABLE.users)
      .where('id', user.id)
      .update({ last_login_at: now });
    return { token, user: toSessionUser(user), tenant };
  }

  /**
   * Throttles guesses of the platform token per client address: 429 past the limit (even for the
   * right token), else returns and the caller answers 401 for a wrong one.
   */
  platformAttempt(ip: string, valid: boolean): Promise<void> {
    return this.throttle.platformAttempt(ip, valid);
  }

  private async findActiveUser(tenant: string, email: string): Promise<UserRow | undefined> {
    const known = await this.db
      .withSchema(PLATFORM_SCHEMA)
      .from('tenants')
      .where({ id: tenant, status: 'active' })
      .first('id');
    if (!known) return undefined;
    return (
      this.db
        .withSchema(tenantSchema(tenant))
        .from(SYSTEM_TABLE.users)
        .whereRaw('lower(email) = ?', [email])
        .andWhere('active', true)
        // Service accounts sign in only with API keys, even if someone gave one a password.
        .andWhere('service', false)
        .first()
    );
  }

  /**
   * Resolves a bearer token to a context, in one query that also checks the user is still active,
   * so deactivation takes effect on the very next request in every server process.
   */
  async authenticate(token: string, requestId?: string): Promise<Ctx | null> {
    const tenant = tenantOfToken(token);
    if (!tenant) return null;
    const schema = tenantSchema(tenant);
    // A hit needs no hash: the cache is keyed by the token itself (session-cache.ts says why).
    const hit = this.sessions?.get(schema, token);
    if (hit) return this.ctxOf(tenant, schema, hit.session.user, hit.metaVersion, requestId);
    return this.lookUp(token, tenant, schema, requestId);
  }

  /**
   * `authenticate` answered from this process's session cache, without a promise: the context of a
   * cached session, else undefined (not cached, or not a session token: ask `authenticate`). The
   * cache holds only sessions the database accepted and every process drops on revocation.
   */
  authenticateCached(token: string, requestId?: string): Ctx | undefined {
    if (!this.sessions) return undefined;
    const tenant = tenantOfToken(token);
    if (!tenant) return undefined;
    const schema = tenantSchema(tenant);
    const hit = this.sessions.get(schema, token);
    return hit ? this.ctxOf(tenant, schema, hit.session.user, hit.metaVersion, requestId) : undefined;
  }

  private async lookUp(token: string, tenant: string, schema: string, requestId?: string): Promise<Ctx | null> {
    const tokenHash = hashToken(token);
    // Taken before the lookup: a revocation noticed while it runs keeps its answer out of the cache.
    const epoch = this.sessions?.epochOf(schema);
    let row:
      | (Pick<UserRow, 'id' | 'email' | 'name' | 'roles' | 'manager' | 'locale'> & {
          meta_version: number;
          expires_at: Date;
        })
      | undefined;
    try {
      row = await this.db
        .from({ s: qualified(schema, SYSTEM_TABLE.sessions) })
        .join({ u: qualified(schema, SYSTEM_TABLE.users) }, 'u.id', 's.user_id')
        .where('s.token_hash', tokenHash)
        .andWhere('s.expires_at', '>', this.clock.now())
        .andWhere('u.active', true)
        .first(
          'u.id',
          'u.email',
          'u.name',
          'u.roles',
          'u.manager',
          'u.locale',
          's.expires_at',
          // The metadata version rides along, so model caches in every process see new versions.
          this.db.raw('(select ?? from ??) as ??', [
            'version',
            qualified(schema, SYSTEM_TABLE.metaState),
            'meta_version',
          ]),
        );
    } catch (e) {
      // A token naming a tenant that does not exist (or was deleted) is simply not a session.
      if (isMissingRelation(e)) return null;
      throw e;
    }
    if (!row) return null;
    const user = toSessionUser(row);
    if (epoch !== undefined)
      this.sessions?.set(epoch, token, { schema, user, expiresAt: row.expires_at.getTime() }, row.meta_version);
    return this.ctxOf(tenant, schema, user, row.meta_version, requestId);
  }

  private ctxOf(tenant: string, schema: string, cached: SessionUser, metaVersion: number, requestId?: string): Ctx {
    // A copy per request: the cached user is shared by every request of the session.
    const user: SessionUser = { ...cached, roles: [...cached.roles] };
    return {
      tenant,
      schema,
      user,
      isAdmin: isAdminUser(user),
      db: this.db,
      metaVersion,
      ...(requestId ? { requestId } : {}),
    };
  }

  /**
   * Waits until every server process has dropped the sessions that the changes committed so far
   * end or alter (session-cache.ts): called before answering a sign-out, a user change, a new
   * metadata version.
   */
  async revoked(): Promise<void> {
    await this.sessions?.barrier(this.db);
  }

  async logout(token: string): Promise<void> {
    const tenant = tenantOfToken(token);
    if (!tenant) return;
    try {
      await this.db
        .withSchema(tenantSchema(tenant))
        .from(SYSTEM_TABLE.sessions)
        .where('token_hash', hashToken(token))
        .delete();
    } catch (e) {
      if (!isMissingRelation(e)) throw e;
    }
    this.sessions?.drop(tenantSchema(tenant), token);
    await this.revoked();
  }
}

/** PostgreSQL: schema or table does not exist. */
export function isMissingRelation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === '42P01' || code === '3F000';
}
