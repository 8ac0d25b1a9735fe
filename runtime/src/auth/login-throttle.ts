import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { RuntimeConfig } from '../config';
import { rateLimited } from '../errors';
import { PLATFORM_SCHEMA } from '../model/naming';

/**
 * Brute-force protection for logins, kept in the database so every server process shares it:
 * too many failures for one account or from one address within the window → 429 with Retry-After.
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

  async assertAllowed(tenant: string, email: string, ip: string): Promise<void> {
    const since = this.since();
    const row = await this.db
      .withSchema(PLATFORM_SCHEMA)
      .from('login_failures')
      .where('at', '>', since)
      .select(
        this.db.raw('count(*) filter (where tenant = ? and email = ?)::int as account', [tenant, email]),
        this.db.raw('count(*) filter (where ip = ?)::int as ip', [ip]),
      )
      .first();
    if ((row?.account ?? 0) >= this.config.maxFailuresPerAccount || (row?.ip ?? 0) >= this.config.maxFailuresPerIp) {
      throw rateLimited('Too many failed logins; try again later', this.config.windowMinutes * 60);
    }
  }

  async recordFailure(tenant: string, email: string, ip: string): Promise<void> {
    await this.db
      .withSchema(PLATFORM_SCHEMA)
      .insert({ tenant, email, ip, at: this.clock.now() })
      .into('login_failures');
    // Opportunistic clean-up keeps the table small without a separate job.
    if (Math.random() < 0.01) {
      await this.db.withSchema(PLATFORM_SCHEMA).from('login_failures').where('at', '<', this.since()).delete();
    }
  }

  async clear(tenant: string, email: string): Promise<void> {
    await this.db.withSchema(PLATFORM_SCHEMA).from('login_failures').where({ tenant, email }).delete();
  }
}
