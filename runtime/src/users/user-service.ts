import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { RuntimeConfig } from '../config';
import { ADMIN_ROLE, type Ctx } from '../ctx';
import { conflict, forbidden, notFound, validationFailed, type FieldErrors } from '../errors';
import { isIdentifier, SYSTEM_TABLE } from '../model/naming';
import { hashPassword } from './passwords';
import { PUBLIC_USER_COLUMNS, type PublicUser } from './user-row';

export interface NewUser {
  email: string;
  name: string;
  password: string;
  roles?: string[];
  manager?: string | null;
  locale?: string | null;
  /** A service account (API keys): no password, never signs in (api-keys/api-key-service.ts). */
  service?: boolean;
}

export interface UserPatch {
  email?: string;
  name?: string;
  password?: string;
  roles?: string[];
  manager?: string | null;
  active?: boolean;
  locale?: string | null;
}

/** Extension point: other capabilities (role metadata, the manager hierarchy) react to user changes. */
export interface UserHooks {
  /** Returns the role names that do not exist, so unknown roles are refused. */
  unknownRoles?(ctx: Ctx, roles: string[], trx: Knex.Transaction): Promise<string[]>;
  /** Runs inside the transaction after a user's row changed (created, manager, roles or active updated). */
  afterChange?(ctx: Ctx, userId: string, trx: Knex.Transaction): Promise<void>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;

export class UserService {
  constructor(
    private readonly config: RuntimeConfig,
    private readonly clock: Clock,
    /** What other capabilities do on user changes (the permission engine: roles, manager hierarchy). */
    hooks: readonly UserHooks[] = [],
    /**
     * After a committed change of a user's sign-in facts (roles, active, password, manager…): waits
     * until every server process has dropped that user's cached sessions (auth/session-cache.ts).
     */
    private readonly revoked: () => Promise<void> = async () => {},
  ) {
    this.hooks = [...hooks];
  }

  private readonly hooks: UserHooks[];

  /** Capabilities built after the users (approvals: a deactivated approver's tasks move on) join here. */
  addHooks(hooks: UserHooks): void {
    this.hooks.push(hooks);
  }

  private table(ctx: Ctx, db: Knex | Knex.Transaction = ctx.db) {
    return db.withSchema(ctx.schema).from(SYSTEM_TABLE.users);
  }

  private requireAdmin(ctx: Ctx): void {
    if (!ctx.isAdmin) throw forbidden('Only tenant admins manage users');
  }

  /** Admins see every user with all details; others see the active users' names, for pickers. */
  async list(ctx: Ctx): Promise<Array<Partial<PublicUser>>> {
    if (ctx.isAdmin)
      return this.table(ctx)
        .select(...PUBLIC_USER_COLUMNS)
        .orderBy('name')
        .orderBy('id');
    // Others pick users in lookups: names and ids only, never everyone's e-mail address.
    return this.table(ctx).select('id', 'name').where('active', true).orderBy('name').orderBy('id');
  }

  async get(ctx: Ctx, id: string): Promise<PublicUser> {
    if (!UUID.test(id)) throw notFound('User not found');
    const row = await this.table(ctx)
      .where('id', id)
      .first(...PUBLIC_USER_COLUMNS);
    if (!row || (!ctx.isAdmin && id !== ctx.user.id)) throw notFound('User not found');
    return row;
  }

  async create(ctx: Ctx, input: NewUser): Promise<PublicUser> {
    this.requireAdmin(ctx);
    return this.insert(ctx, input);
  }

  /** Creates a user without an acting admin: the first admin of a new tenant. */
  async insert(ctx: Ctx, input: NewUser): Promise<PublicUser> {
    // All field errors at once (the password's too) before the costly hash.
    const errors: FieldErrors = {};
    this.checkEmail(input.email, errors);
    this.checkName(input.name, errors);
    if (!input.service) this.checkPassword(input.password, errors);
    const roles = this.checkRoles(input.roles ?? [], errors);
    if (Object.keys(errors).length) throw validationFailed('Invalid user', errors);

    // A service account's "hash" is no argon2 hash: every password check against it fails.
    return this.insertHashed(ctx, { ...input, roles }, input.service ? '!service' : await hashPassword(input.password));
  }

  /** Inserts a checked user with an already hashed password (imports hash many at once). */
  async insertHashed(ctx: Ctx, input: Omit<NewUser, 'password'>, passwordHash: string): Promise<PublicUser> {
    const errors: FieldErrors = {};
    const email = this.checkEmail(input.email, errors);
    this.checkName(input.name, errors);
    const roles = this.checkRoles(input.roles ?? [], errors);
    if (Object.keys(errors).length) throw validationFailed('Invalid user', errors);
    return ctx.db.transaction(async (trx) => {
      await this.assertRolesExist(ctx, roles, trx);
      if (input.manager) await this.assertManager(ctx, null, input.manager, trx);
      await this.assertEmailFree(ctx, email, null, trx);
      const [row] = await this.table(ctx, trx)
        .insert({
          email,
          name: input.name.trim(),
          password_hash: passwordHash,
          roles,
          manager: input.manager ?? null,
          locale: input.locale ?? null,
          ...(input.service ? { service: true } : {}),
        })
        .returning([...PUBLIC_USER_COLUMNS]);
      for (const h of this.hooks) await h.afterChange?.(ctx, row.id, trx);
      return row as PublicUser;
    });
  }

  /** A user's own language (notifications and e-mails are written in it); null: no preference. */
  async setOwnLocale(ctx: Ctx, locale: string | null): Promise<PublicUser> {
    const errors: FieldErrors = {};
    const value = this.checkLocale(locale, errors);
    if (Object.keys(errors).length) throw validationFailed('Invalid preferences', errors);
    const [row] = await this.table(ctx)
      .where('id', ctx.user.id)
      .update({ locale: value, updated_at: this.clock.now() })
      .returning([...PUBLIC_USER_COLUMNS]);
    if (!row) throw notFound('No such user');
    await this.revoked();
    return row as PublicUser;
  }

  private checkLocale(locale: string | null | undefined, errors: FieldErrors): string | null {
    if (locale === null || locale === undefined) return null;
    if (typeof locale !== 'string' || !LOCALE.test(locale)) {
      errors.locale = 'Must be a language tag such as en or zh-CN';
      return null;
    }
    return locale;
  }

  async update(ctx: Ctx, id: string, patch: UserPatch): Promise<PublicUser> {
    this.requireAdmin(ctx);
    await this.get(ctx, id);
    const errors: FieldErrors = {};
    const changes: Record<string, unknown> = {};
    if (patch.email !== undefined) changes.email = this.checkEmail(patch.email, errors);
    if (patch.name !== undefined) changes.name = this.checkName(patch.name, errors);
    if (patch.roles !== undefined) changes.roles = this.checkRoles(patch.roles, errors);
    if (patch.active !== undefined) changes.active = patch.active;
    if (patch.locale !== undefined) changes.locale = this.checkLocale(patch.locale, errors);
    if (patch.manager !== undefined) changes.manager = patch.manager;
    if (patch.password !== undefined) this.checkPassword(patch.password, errors);
    if (Object.keys(errors).length) throw validationFailed('Invalid user', errors);
    if (patch.password !== undefined) changes.password_hash = await hashPassword(patch.password);

    const updated = await ctx.db.transaction(async (trx) => {
      // Serialize changes to users of this tenant: the "last admin" and cycle checks read other rows.
      await trx.raw('lock table ??.?? in share row exclusive mode', [ctx.schema, SYSTEM_TABLE.users]);
      if (changes.roles) await this.assertRolesExist(ctx, changes.roles as string[], trx);
      if (changes.email) await this.assertEmailFree(ctx, changes.email as string, id, trx);
      if (patch.manager) await this.assertManager(ctx, id, patch.manager, trx);
      const losesAdmin =
        changes.active === false || (changes.roles && !(changes.roles as string[]).includes(ADMIN_ROLE));
      if (losesAdmin) await this.assertNotLastAdmin(ctx, id, trx);
      const [row] = await this.table(ctx, trx)
        .where('id', id)
        .update({ ...changes, updated_at: this.clock.now() })
        .returning([...PUBLIC_USER_COLUMNS]);
      // A deactivated user or a changed password ends every open session at once.
      if (changes.active === false || changes.password_hash) {
        await trx.withSchema(ctx.schema).from(SYSTEM_TABLE.sessions).where('user_id', id).delete();
      }
      for (const h of this.hooks) await h.afterChange?.(ctx, id, trx);
      return row as PublicUser;
    });
    await this.revoked();
    return updated;
  }

  deactivate(ctx: Ctx, id: string): Promise<PublicUser> {
    return this.update(ctx, id, { active: false });
  }

  private checkEmail(email: unknown, errors: FieldErrors): string {
    if (typeof email !== 'string' || email.length > 320 || !EMAIL.test(email.trim())) {
      errors.email = 'Must be a valid e-mail address';
      return '';
    }
    return email.trim().toLowerCase();
  }

  private checkName(name: unknown, errors: FieldErrors): string {
    if (typeof name !== 'string' || !name.trim() || name.length > 200) {
      errors.name = 'Must be 1 to 200 characters';
      return '';
    }
    return name.trim();
  }

  private checkPassword(password: unknown, errors: FieldErrors): void {
    if (typeof password !== 'string' || password.length < this.config.passwordMinLength || password.length > 200) {
      errors.password = `Must be ${this.config.passwordMinLength} to 200 characters`;
    }
  }

  private checkRoles(roles: unknown, errors: FieldErrors): string[] {
    if (!Array.isArray(roles) || roles.some((r) => !isIdentifier(r))) {
      errors.roles = 'Must be a list of role names';
      return [];
    }
    return [...new Set(roles as string[])];
  }

  /** The role names of the list that are neither built in nor defined in the metadata. */
  async unknownRoles(ctx: Ctx, roles: string[]): Promise<string[]> {
    const bad = roles.filter((r) => !isIdentifier(r));
    const good = roles.filter((r) => isIdentifier(r));
    if (!good.length) return bad;
    return ctx.db.transaction(async (trx) => {
      const unknown = new Set<string>(bad);
      for (const h of this.hooks) for (const r of (await h.unknownRoles?.(ctx, good, trx)) ?? []) unknown.add(r);
      return [...unknown];
    });
  }

  private async assertRolesExist(ctx: Ctx, roles: string[], trx: Knex.Transaction): Promise<void> {
    for (const h of this.hooks) {
      const unknown = (await h.unknownRoles?.(ctx, roles, trx)) ?? [];
      if (unknown.length) throw validationFailed('Unknown roles', { roles: `Unknown roles: ${unknown.join(', ')}` });
    }
  }

  private async assertEmailFree(ctx: Ctx, email: string, exceptId: string | null, trx: Knex.Transaction) {
    const q = this.table(ctx, trx).whereRaw('lower(email) = ?', [email]);
    if (exceptId) q.andWhereNot('id', exceptId);
    if (await q.first('id'))
      throw conflict('A user with this e-mail already exists', undefined, { email: 'Already in use' });
  }

  private async assertManager(ctx: Ctx, userId: string | null, manager: string, trx: Knex.Transaction) {
    if (!UUID.test(manager)) throw validationFailed('Invalid manager', { manager: 'Must be a user id' });
    if (userId && manager === userId)
      throw validationFailed('Invalid manager', { manager: 'A user cannot manage themselves' });
    const found = await this.table(ctx, trx).where('id', manager).first('id');
    if (!found) throw validationFailed('Invalid manager', { manager: 'Unknown user' });
    if (!userId) return;
    // Walking up from the proposed manager must never reach the user: that would be a cycle.
    const cycle = await trx.raw(
      `with recursive up(id, manager) as (
         select id, manager from ??.?? where id = ?
         union select u.id, u.manager from ??.?? u join up on u.id = up.manager)
       select 1 from up where id = ? limit 1`,
      [ctx.schema, SYSTEM_TABLE.users, manager, ctx.schema, SYSTEM_TABLE.users, userId],
    );
    if (cycle.rows.length) throw validationFailed('Invalid manager', { manager: 'This would make a reporting cycle' });
  }

  private async assertNotLastAdmin(ctx: Ctx, id: string, trx: Knex.Transaction) {
    const others = await this.table(ctx, trx)
      .where('active', true)
      .andWhereRaw('? = any(roles)', [ADMIN_ROLE])
      .andWhereNot('id', id)
      .first('id');
    const target = await this.table(ctx, trx).where('id', id).first('roles', 'active');
    if (!others && target?.active && target.roles.includes(ADMIN_ROLE)) {
      throw conflict('A tenant must keep at least one active admin');
    }
  }
}
