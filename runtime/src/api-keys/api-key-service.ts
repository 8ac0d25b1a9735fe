import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { type Ctx, isAdminUser } from '../ctx';
import { forbidden, notFound, validationFailed } from '../errors';
import { qualified, SYSTEM_TABLE as T, tenantSchema } from '../model/naming';
import type { UserService } from '../users/user-service';
import { toSessionUser } from '../users/user-row';
import { isMissingRelation } from '../auth/auth-service';
import { apiKeyPrefix, hashApiKey, newApiKey, tenantOfApiKey } from './api-key-token';

export type ServiceAccountView = {
  id: string;
  name: string;
  roles: string[];
  active: boolean;
  created_at: Date;
};

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  service_account: string;
  service_account_name: string;
  read_only: boolean;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

/** A request made with an API key: the service account's context, and whether the key may only read. */
export interface ApiKeyAuth {
  ctx: Ctx;
  readOnly: boolean;
  keyId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `last_used_at` is written at most this often per key: a busy integration does not write per request. */
const LAST_USED_RESOLUTION_S = 60;

/**
 * Service accounts and their API keys (docs/api-keys.md). A service account is a user that cannot
 * sign in (no password) and holds roles like anyone else, so permissions, record scopes, admission
 * and throttling treat its requests as a user's; its keys are revocable bearer tokens.
 */
export class ApiKeyService {
  constructor(
    private readonly db: Knex,
    private readonly users: Pick<UserService, 'insert'>,
    private readonly clock: Clock,
  ) {}

  async listAccounts(ctx: Ctx): Promise<ServiceAccountView[]> {
    requireAdmin(ctx);
    return ctx.db
      .withSchema(ctx.schema)
      .from(T.users)
      .where({ service: true })
      .select('id', 'name', 'roles', 'active', 'created_at')
      .orderBy('name')
      .orderBy('id');
  }

  async createAccount(ctx: Ctx, input: { name: string; roles?: string[] }): Promise<ServiceAccountView> {
    requireAdmin(ctx);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 200) throw validationFailed('Invalid service account', { name: 'A name is required' });
    const user = await this.users.insert(ctx, {
      // Never used to sign in: the account has no password and its address no mailbox.
      email: `service.${randomBytes(6).toString('hex')}@service.invalid`,
      name,
      password: '',
      roles: input.roles ?? [],
      service: true,
    });
    return { id: user.id, name: user.name, roles: user.roles, active: user.active, created_at: user.created_at };
  }

  async list(ctx: Ctx): Promise<ApiKeyView[]> {
    requireAdmin(ctx);
    return ctx.db
      .from({ k: qualified(ctx.schema, T.apiKeys) })
      .join({ u: qualified(ctx.schema, T.users) }, 'u.id', 'k.user_id')
      .select(
        'k.id',
        'k.name',
        'k.prefix',
        'k.user_id as service_account',
        'u.name as service_account_name',
        'k.read_only',
        'k.created_at',
        'k.last_used_at',
        'k.revoked_at',
      )
      .orderBy('k.created_at', 'desc')
      .orderBy('k.id');
  }

  /** Creates a key for a service account; the answer carries the token, shown this once. */
  async create(
    ctx: Ctx,
    input: { serviceAccount: string; name: string; readOnly?: boolean },
  ): Promise<ApiKeyView & { token: string }> {
    requireAdmin(ctx);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 200) throw validationFailed('Invalid API key', { name: 'A name is required' });
    const account = UUID.test(input.serviceAccount)
      ? await ctx.db
          .withSchema(ctx.schema)
          .from(T.users)
          .where({ id: input.serviceAccount, service: true })
          .first('id', 'name')
      : undefined;
    if (!account) throw validationFailed('Invalid API key', { serviceAccount: 'No such service account' });
    const token = newApiKey(ctx.tenant);
    const [row] = await ctx.db
      .withSchema(ctx.schema)
      .insert({
        user_id: account.id,
        name,
        token_hash: hashApiKey(token),
        prefix: apiKeyPrefix(token),
        read_only: Boolean(input.readOnly),
        created_by: ctx.user.id,
      })
      .into(T.apiKeys)
      .returning(['id', 'name', 'prefix', 'read_only', 'created_at', 'last_used_at', 'revoked_at']);
    return { ...row, service_account: account.id, service_account_name: account.name, token };
  }

  /** Revokes a key: the next request with it is refused (401) in every server process. */
  async revoke(ctx: Ctx, id: string): Promise<void> {
    requireAdmin(ctx);
    if (!UUID.test(id)) throw notFound('API key not found');
    const n = await ctx.db
      .withSchema(ctx.schema)
      .from(T.apiKeys)
      .where({ id })
      .whereNull('revoked_at')
      .update({ revoked_at: this.clock.now() });
    if (!n) {
      const exists = await ctx.db.withSchema(ctx.schema).from(T.apiKeys).where({ id }).first('id');
      if (!exists) throw notFound('API key not found');
    }
  }

  /** Resolves an API key to its service account's context, or null (unknown, revoked, deactivated). */
  async authenticate(token: string, requestId?: string): Promise<ApiKeyAuth | null> {
    const tenant = tenantOfApiKey(token);
    if (!tenant) return null;
    const schema = tenantSchema(tenant);
    let row: Record<string, unknown> | undefined;
    try {
      row = await this.db
        .from({ k: qualified(schema, T.apiKeys) })
        .join({ u: qualified(schema, T.users) }, 'u.id', 'k.user_id')
        .where('k.token_hash', hashApiKey(token))
        .whereNull('k.revoked_at')
        .andWhere('u.active', true)
        .andWhere('u.service', true)
        .first(
          'k.id as key_id',
          'k.read_only',
          'k.last_used_at',
          'u.id',
          'u.email',
          'u.name',
          'u.roles',
          'u.manager',
          'u.locale',
          this.db.raw('(select ?? from ??) as ??', ['version', qualified(schema, T.metaState), 'meta_version']),
        );
    } catch (e) {
      if (isMissingRelation(e)) return null;
      throw e;
    }
    if (!row) return null;
    const now = this.clock.now();
    const last = row.last_used_at as Date | null;
    if (!last || now.getTime() - last.getTime() >= LAST_USED_RESOLUTION_S * 1000)
      await this.db.withSchema(schema).from(T.apiKeys).where({ id: row.key_id }).update({ last_used_at: now });
    const user = toSessionUser(row as never);
    return {
      ctx: {
        tenant,
        schema,
        user,
        isAdmin: isAdminUser(user),
        db: this.db,
        metaVersion: row.meta_version as number,
        ...(requestId ? { requestId } : {}),
      },
      readOnly: Boolean(row.read_only),
      keyId: row.key_id as string,
    };
  }
}

function requireAdmin(ctx: Ctx): void {
  if (!ctx.isAdmin) throw forbidden('Tenant admins only');
}
