import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { RuntimeConfig } from '../config';
import { advisoryKey } from '../db/advisory-lock';
import { rateLimited } from '../errors';
import { PLATFORM_SCHEMA } from '../model/naming';

/** Failures of the platform token are kept under this account, which no tenant id can spell. */
const PLATFORM_ACCOUNT = { tenant: '*platform', email: '' };

/**
 * Brute-force protection for logins and the platform token, kept in the database so every server
 * process shares it: too many failures for one account or from one address within the window → 429
 * with Retry-After.
 *
 * Counting and recording are one step under advisory locks (the account's, then the address's; always
 * in that order, so two attempts never wait on each other crosswise): an attempt is written as a
 * failure *before* the password is checked and removed when it succeeds. A burst of parallel guesses
 * therefore sees every earlier guess, and exactly the allowed number get an answer.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Knex,
    private readonly config: RuntimeConfig['login'],
    private readonly clock: Clock,
  ) {}

  private since(): Date {
    return new Date(this.clock.now().getTime() - this.config.windowMinutes * 60_000);
  }

  private refuse(): never {
    throw rateLimited('Too many failed logins; try again later', this.config.windowMinutes * 60);
  }

  /**
   * Counts one login attempt as a failure, or refuses it (429) when the account or the address is
   * over its limit. `succeeded` takes the attempt back.
   */
  async begin(tenant: string, email: string, ip: string): Promise<void> {
    await this.reserve({ tenant, email }, ip);
  }

  /** A successful login forgets the account's failures (its own attempt included). */
  async succeeded(tenant: string, email: string): Promise<void> {
    await this.db.withSchema(PLATFORM_SCHEMA).from('login_failures').where({ tenant, email }).delete();
  }

  /**
   * The platform token: a wrong one is counted against the address (never against a shared account,
   * which would let anyone lock the platform admin out) and answers 429 past the limit; a right one
   * from an address over the limit is refused too, so guessing stops there.
   */
  async platformAttempt(ip: string, valid: boolean): Promise<void> {
    if (!valid) {
      await this.reserve(undefined, ip);
      return;
    }
    const row = await this.db
      .withSchema(PLATFORM_SCHEMA)
      .from('login_failures')
      .where('ip', ip)
      .andWhere('at', '>', this.since())
      .first(this.db.raw('count(*)::int as n'));
    if ((row?.n ?? 0) >= this.config.maxFailuresPerIp) this.refuse();
  }

  /** Under the locks: refuse when over a limit, else record the attempt (as the platform's when no account). */
  private async reserve(account: { tenant: string; email: string } | undefined, ip: string): Promise<void> {
    const recordAs = account ?? PLATFORM_ACCOUNT;
    await this.db.transaction(async (trx) => {
      if (account)
        await trx.raw('select pg_advisory_xact_lock(?)', [advisoryKey(`login:${account.tenant}:${account.email}`)]);
      await trx.raw('select pg_advisory_xact_lock(?)', [advisoryKey(`login-ip:${ip}`)]);
      const since = this.since();
      const row = await trx
        .withSchema(PLATFORM_SCHEMA)
        .from('login_failures')
        .where('at', '>', since)
        .andWhere((q) => {
          q.where('ip', ip);
          if (account) q.orWhere({ tenant: account.tenant, email: account.email });
        })
        .first(
          trx.raw('count(*) filter (where tenant = ? and email = ?)::int as account', [
            account?.tenant ?? '',
            account?.email ?? '',
          ]),
          trx.raw('count(*) filter (where ip = ?)::int as ip', [ip]),
        );
      const overAccount = account && (row?.account ?? 0) >= this.config.maxFailuresPerAccount;
      if (overAccount || (row?.ip ?? 0) >= this.config.maxFailuresPerIp) this.refuse();
      await trx
        .withSchema(PLATFORM_SCHEMA)
        .insert({ tenant: recordAs.tenant, email: recordAs.email, ip, at: this.clock.now() })
        .into('login_failures');
    });
    // Opportunistic clean-up keeps the table small without a separate job.
    if (Math.random() < 0.01) {
      await this.db.withSchema(PLATFORM_SCHEMA).from('login_failures').where('at', '<', this.since()).delete();
    }
  }
}
