import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { PLATFORM_SCHEMA } from '../model/naming';

/**
 * Secrets every server process of one installation must share (cursor signing, single-use links in
 * e-mails). Generated on first use and kept in the database, so nothing has to be configured and
 * processes behind a load balancer agree. Cached per process: a secret never changes once created.
 */
export class InstallationSecrets {
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly db: Knex) {}

  get(name: string): Promise<Buffer> {
    let p = this.cache.get(name);
    if (!p) {
      p = this.load(name);
      this.cache.set(name, p);
      p.catch(() => this.cache.delete(name));
    }
    return p;
  }

  /**
   * Loads the named secrets now. The runtime does this before serving: loaded lazily, the first use
   * may come from inside a transaction (an approval task's e-mail links), and a burst of such
   * transactions could hold every pool connection while each waits for one more to read the secret.
   */
  async warm(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name) => this.get(name)));
  }

  /** base64url HMAC-SHA256 of `data` under the named secret. */
  async sign(name: string, data: string): Promise<string> {
    return createHmac('sha256', await this.get(name))
      .update(data)
      .digest('base64url');
  }

  async verify(name: string, data: string, signature: string): Promise<boolean> {
    const expected = Buffer.from(await this.sign(name, data));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private async load(name: string): Promise<Buffer> {
    // Insert-if-absent then read: concurrent first uses in several processes all end with one value.
    await this.db
      .withSchema(PLATFORM_SCHEMA)
      .insert({ name, value: randomBytes(32).toString('base64') })
      .into('secrets')
      .onConflict('name')
      .ignore();
    const row = await this.db.withSchema(PLATFORM_SCHEMA).from('secrets').where({ name }).first('value');
    return Buffer.from(row.value, 'base64');
  }
}
