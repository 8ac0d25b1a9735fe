/**
 * What the designer's users screen does beyond creating and changing a user: invitations (an
 * e-mailed link when e-mail is sent, else a one-time password shown once to the admin), password
 * resets, sessions, and importing many users at once. Every change of a user's row goes through
 * `UserService` (its checks: roles, manager cycles, the last admin).
 */
import { createHash, randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { RuntimeConfig } from '../config';
import type { Ctx } from '../ctx';
import { type FieldErrors, forbidden, notFound, unauthenticated, validationFailed } from '../errors';
import { qualified, SYSTEM_TABLE as T, tenantSchema } from '../model/naming';
import { hashToken, newSessionToken, tenantOfToken } from '../auth/session-token';
import { hashPassword } from './passwords';
import type { PublicUser } from './user-row';
import type { NewUser, UserService } from './user-service';

export type Delivery = 'email' | 'password';

export interface InviteInput extends Omit<NewUser, 'password'> {
  /** `password`: show a one-time password even when e-mail is sent (the admin hands it over). */
  delivery?: Delivery;
}

export type Invited = {
  user: PublicUser;
  delivery: Delivery;
  /** Only with `delivery: "password"`: shown once, never stored in clear. */
  oneTimePassword?: string;
};

export type SessionInfo = {
  /** An opaque handle (a hash of the stored hash): ends this session, opens nothing. */
  id: string;
  created_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
};

export interface ImportRow {
  email?: unknown;
  name?: unknown;
  /** Role names. */
  roles?: unknown;
  /** The manager's e-mail: an existing user or another row of the same import. */
  manager?: unknown;
}

export interface RowErrors {
  /** 1-based, as a spreadsheet counts data rows. */
  row: number;
  errors: FieldErrors;
}

export const MAX_IMPORT_USERS = 200;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// No 0/o, 1/l/i: read aloud or copied by hand without mistakes.
const OTP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Four groups of four: about 79 bits, well past any minimum length. */
export function oneTimePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = '';
    for (let i = 0; i < 4; i++) s += OTP_ALPHABET[randomInt(OTP_ALPHABET.length)];
    groups.push(s);
  }
  return groups.join('-');
}

const sessionHandle = (tokenHash: Buffer) => createHash('sha256').update(tokenHash).digest('hex').slice(0, 32);

export class UserAdminService {
  constructor(
    private readonly config: RuntimeConfig,
    private readonly clock: Clock,
    private readonly users: UserService,
    /** Waits until every server process has dropped ended sessions (auth/session-cache.ts). */
    private readonly revoked: () => Promise<void> = async () => {},
  ) {}

  private requireAdmin(ctx: Ctx): void {
    if (!ctx.isAdmin) throw forbidden('Only tenant admins manage users');
  }

  /** Whether new users can be invited by e-mail (the screen says which it will do). */
  settings(ctx: Ctx): { emailInvitations: boolean } {
    this.requireAdmin(ctx);
    return { emailInvitations: this.config.mail.enabled };
  }

  async invite(ctx: Ctx, input: InviteInput): Promise<Invited> {
    this.requireAdmin(ctx);
    const { delivery: asked, ...fields } = input;
    if (asked !== undefined && asked !== 'email' && asked !== 'password')
      throw validationFailed('Invalid invitation', { delivery: 'Must be "email" or "password"' });
    if (asked === 'email' && !this.config.mail.enabled)
      throw validationFailed('E-mail is not set up on this server', {
        delivery: 'E-mail is not set up on this server: use a one-time password',
      });
    const delivery: Delivery = asked ?? (this.config.mail.enabled ? 'email' : 'password');
    const password = oneTimePassword();
    const user = await this.users.create(ctx, { ...fields, password });
    if (delivery === 'password') return { user, delivery, oneTimePassword: password };
    await this.sendInvitation(ctx, user);
    return { user, delivery };
  }

  /** Queues the invitation e-mail in the outbox (sent by the mail job) with a link to choose a password. */
  private async sendInvitation(ctx: Ctx, user: PublicUser, trx: Knex | Knex.Transaction = ctx.db): Promise<void> {
    const token = newSessionToken(ctx.tenant);
    const now = this.clock.now();
    const hours = this.config.mail.invitationTtlHours;
    await trx
      .withSchema(ctx.schema)
      .insert({
        token_hash: hashToken(token),
        user_id: user.id,
        created_at: now,
        expires_at: new Date(now.getTime() + hours * 3_600_000),
      })
      .into(T.userInvitations);
    const link = `${this.config.publicUrl}/invitation?token=${encodeURIComponent(token)}`;
    await trx
      .withSchema(ctx.schema)
      .insert({
        to_address: user.email,
        subject: `${ctx.user.name} invited you to Forma`,
        body: [
          `Hello ${user.name},`,
          '',
          `${ctx.user.name} invited you to work in Forma. Choose your password here (the link works for ${hours} hours, once):`,
          link,
        ].join('\n'),
        created_at: now,
      })
      .into(T.emailOutbox);
  }

  /**
   * Sets a password from an invitation link (no session: the token is the credential). The same
   * answer for an unknown, used or expired token, so links cannot be probed.
   */
  async acceptInvitation(db: Knex, token: string, password: string): Promise<{ tenant: string; email: string }> {
    const tenant = tenantOfToken(token);
    const refused = () => unauthenticated('This invitation link is not valid any more: ask your admin for a new one');
    if (!tenant) throw refused();
    const schema = tenantSchema(tenant);
    if (typeof password !== 'string' || password.length < this.config.passwordMinLength || password.length > 200)
      throw validationFailed('Invalid password', {
        password: `Must be ${this.config.passwordMinLength} to 200 characters`,
      });
    let row: { user_id: string; email: string } | undefined;
    try {
      row = await db
        .from({ i: qualified(schema, T.userInvitations) })
        .join({ u: qualified(schema, T.users) }, 'u.id', 'i.user_id')
        .where('i.token_hash', hashToken(token))
        .andWhere('i.expires_at', '>', this.clock.now())
        .andWhere('u.active', true)
        .first('i.user_id', 'u.email');
    } catch (e) {
      if ((e as { code?: string }).code === '42P01' || (e as { code?: string }).code === '3F000') throw refused();
      throw e;
    }
    if (!row) throw refused();
    const hash = await hashPassword(password);
    await db.transaction(async (trx) => {
      // Deleted first: a link used twice at once sets the password once.
      const used = await trx.withSchema(schema).from(T.userInvitations).where('user_id', row.user_id).delete();
      if (!used) throw refused();
      await trx
        .withSchema(schema)
        .from(T.users)
        .where('id', row.user_id)
        .update({ password_hash: hash, updated_at: this.clock.now() });
    });
    return { tenant, email: row.email };
  }

  /** A new one-time password (shown once); the user's sessions end with the old password. */
  async resetPassword(ctx: Ctx, id: string): Promise<{ oneTimePassword: string }> {
    this.requireAdmin(ctx);
    const password = oneTimePassword();
    await this.users.update(ctx, id, { password });
    return { oneTimePassword: password };
  }

  async sessions(ctx: Ctx, id: string): Promise<SessionInfo[]> {
    this.requireAdmin(ctx);
    await this.users.get(ctx, id);
    const rows: Array<{
      token_hash: Buffer;
      created_at: Date;
      expires_at: Date;
      ip: string | null;
      user_agent: string | null;
    }> = await ctx.db
      .withSchema(ctx.schema)
      .from(T.sessions)
      .where('user_id', id)
      .andWhere('expires_at', '>', this.clock.now())
      .orderBy('created_at', 'desc')
      .select('token_hash', 'created_at', 'expires_at', 'ip', 'user_agent');
    return rows.map((r) => ({
      id: sessionHandle(r.token_hash),
      created_at: r.created_at,
      expires_at: r.expires_at,
      ip: r.ip,
      user_agent: r.user_agent,
    }));
  }

  /** Ends one session (by its handle) or, without one, all of the user's sessions. */
  async endSessions(ctx: Ctx, id: string, session?: string): Promise<{ ended: number }> {
    this.requireAdmin(ctx);
    await this.users.get(ctx, id);
    const q = ctx.db.withSchema(ctx.schema).from(T.sessions).where('user_id', id);
    if (session === undefined) {
      const ended = await q.delete();
      await this.revoked();
      return { ended };
    }
    const rows: Array<{ token_hash: Buffer }> = await q.clone().select('token_hash');
    const match = rows.find((r) => sessionHandle(r.token_hash) === session);
    if (!match) throw notFound('No such session');
    const ended = await ctx.db.withSchema(ctx.schema).from(T.sessions).where('token_hash', match.token_hash).delete();
    await this.revoked();
    return { ended };
  }

  /**
   * Creates every row's user, or none: all rows are checked first (e-mail, name, roles, manager by
   * e-mail, duplicates in the file and in the tenant, reporting cycles among the new rows), and any
   * error answers 400 with every row's errors. Then all are created in one transaction.
   */
  async importUsers(ctx: Ctx, rows: unknown, delivery?: Delivery): Promise<{ created: Invited[] }> {
    this.requireAdmin(ctx);
    if (!Array.isArray(rows) || rows.length === 0) throw validationFailed('No users to import', { users: 'Empty' });
    if (rows.length > MAX_IMPORT_USERS)
      throw validationFailed(`At most ${MAX_IMPORT_USERS} users per import`, {
        users: `At most ${MAX_IMPORT_USERS} rows`,
      });
    if (delivery === 'email' && !this.config.mail.enabled)
      throw validationFailed('E-mail is not set up on this server', {
        delivery: 'E-mail is not set up on this server: use a one-time password',
      });
    const how: Delivery = delivery ?? (this.config.mail.enabled ? 'email' : 'password');
    const existing: Array<{ id: string; email: string }> = await ctx.db
      .withSchema(ctx.schema)
      .from(T.users)
      .select('id', 'email');
    const byEmail = new Map(existing.map((u) => [u.email.toLowerCase(), u.id]));
    const asked = rows.flatMap((r: ImportRow) =>
      r && typeof r === 'object' && Array.isArray(r.roles) ? r.roles.map((x) => String(x).trim()) : [],
    );
    const unknownRoles = new Set(await this.users.unknownRoles(ctx, [...new Set(asked.filter(Boolean))]));
    const problems: RowErrors[] = [];
    const parsed: Array<{ email: string; name: string; roles: string[]; manager: string | null }> = [];
    const inFile = new Map<string, number>();
    rows.forEach((raw: ImportRow, i) => {
      const errors: FieldErrors = {};
      const r = (raw && typeof raw === 'object' ? raw : {}) as ImportRow;
      const email = typeof r.email === 'string' ? r.email.trim().toLowerCase() : '';
      if (!email || email.length > 320 || !EMAIL.test(email)) errors.email = 'Must be a valid e-mail address';
      else if (byEmail.has(email)) errors.email = 'A user with this e-mail already exists';
      else if (inFile.has(email)) errors.email = `Same e-mail as row ${inFile.get(email)! + 1}`;
      else inFile.set(email, i);
      const name = typeof r.name === 'string' ? r.name.trim() : '';
      if (!name || name.length > 200) errors.name = 'Must be 1 to 200 characters';
      const roles = Array.isArray(r.roles) ? r.roles.map((x) => String(x).trim()).filter(Boolean) : [];
      if (r.roles !== undefined && !Array.isArray(r.roles)) errors.roles = 'Must be a list of role names';
      const unknown = roles.filter((x) => unknownRoles.has(x));
      if (unknown.length) errors.roles = `Unknown roles: ${unknown.join(', ')}`;
      const manager = typeof r.manager === 'string' && r.manager.trim() ? r.manager.trim().toLowerCase() : null;
      if (Object.keys(errors).length) problems.push({ row: i + 1, errors });
      parsed.push({ email, name, roles: [...new Set(roles)], manager });
    });
    // Managers: an existing user or a row of this file; new rows must not manage each other in a circle.
    parsed.forEach((p, i) => {
      if (!p.manager) return;
      let msg: string | undefined;
      if (p.manager === p.email) msg = 'A user cannot manage themselves';
      else if (!byEmail.has(p.manager) && !inFile.has(p.manager)) msg = 'No user with this e-mail, here or in the file';
      else {
        const seen = new Set<string>([p.email]);
        let at: string | null = p.manager;
        while (at && inFile.has(at)) {
          if (seen.has(at)) {
            msg = 'This would make a reporting cycle';
            break;
          }
          seen.add(at);
          at = parsed[inFile.get(at)!]!.manager;
        }
      }
      if (!msg) return;
      const entry = problems.find((x) => x.row === i + 1);
      if (entry) entry.errors.manager = msg;
      else problems.push({ row: i + 1, errors: { manager: msg } });
    });
    if (problems.length) {
      problems.sort((a, b) => a.row - b.row);
      throw validationFailed(`${problems.length} of ${rows.length} rows have errors: nothing was imported`, undefined, {
        rows: problems,
      });
    }
    // All rows are good: create them in one transaction, managers once every row exists.
    const created: Invited[] = [];
    const passwords = parsed.map(() => oneTimePassword());
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    await ctx.db.transaction(async (trx) => {
      const txCtx: Ctx = { ...ctx, db: trx as unknown as Knex };
      const ids = new Map(byEmail);
      const users: PublicUser[] = [];
      for (const [i, p] of parsed.entries()) {
        const user = await this.users.insertHashed(txCtx, { email: p.email, name: p.name, roles: p.roles }, hashes[i]!);
        ids.set(p.email, user.id);
        users.push(user);
      }
      for (const [i, p] of parsed.entries()) {
        if (!p.manager) continue;
        users[i] = await this.users.update(txCtx, users[i]!.id, { manager: ids.get(p.manager)! });
      }
      for (const [i, user] of users.entries()) {
        if (how === 'password') created.push({ user, delivery: how, oneTimePassword: passwords[i]! });
        else {
          await this.sendInvitation(txCtx, user, trx);
          created.push({ user, delivery: how });
        }
      }
    });
    return { created };
  }
}
