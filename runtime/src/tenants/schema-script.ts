import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { type Migration, migrateIn, migrationLockKey } from '../db/run-migrations';

/**
 * A new tenant's system tables in one round trip (issue 27, tenant scale).
 *
 * Running the tenant migrations statement by statement costs ~190 round trips per new tenant, each
 * built by knex in the server. Their text for a fresh schema is the same for every tenant but for
 * the schema's name, so the first tenant a process creates records it: the migrations run once, in
 * a transaction that is rolled back, on a placeholder schema with a random name (replaced exactly
 * afterwards, wherever it appears); every tenant after that sends the recorded text as one
 * multi-statement message. The migrations stay the one definition of a tenant: existing tenants are
 * still migrated by runMigrations, and tests/api/tenant-provision.test.ts compares a tenant made
 * from the script with one made by the migrations, catalogue and rows.
 *
 * Anything the text cannot reproduce makes it unusable (the migrations then run as before): the
 * placeholder inside a longer name (PostgreSQL truncates names past 63 bytes, so a schema name of
 * another length could make another name) or a parameter of a type without a literal form.
 */
export class TenantSchemaScript {
  private recorded?: Promise<Recorded | undefined>;

  constructor(
    private readonly db: Knex,
    private readonly migrations: readonly Migration[],
  ) {}

  /** Creates `schema` (which must not exist yet) with every migration applied. */
  async create(schema: string): Promise<void> {
    this.recorded ??= record(this.db, this.migrations).catch(() => {
      // A failure of the database meanwhile, not of the text: the next tenant records again.
      this.recorded = undefined;
      return undefined;
    });
    const script = await this.recorded;
    if (!script) {
      await this.fallback(schema);
      return;
    }
    const text = [
      'begin',
      // The lock runMigrations takes: a start-up pass never meets a schema in the making.
      `select pg_advisory_xact_lock(${migrationLockKey(schema)})`,
      ...script.statements.map((s) => s.split(script.placeholder).join(schema)),
      'commit',
    ].join(';\n');
    const conn = (await this.db.client.acquireConnection()) as RawConnection;
    try {
      await conn.query(text);
    } catch (e) {
      // The message stopped at the failing statement, inside the transaction: end it.
      await conn.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      await this.db.client.releaseConnection(conn);
    }
  }

  /** The migrations one by one (runMigrations), when no script could be recorded. */
  private async fallback(schema: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [migrationLockKey(schema)]);
      await migrateIn(trx, schema, this.migrations);
    });
  }
}

interface RawConnection {
  query(text: string): Promise<unknown>;
}

interface Recorded {
  placeholder: string;
  statements: string[];
}

class Rollback extends Error {}

/** The statements the migrations send for a fresh schema, with their parameters written in. */
async function record(db: Knex, migrations: readonly Migration[]): Promise<Recorded | undefined> {
  const placeholder = `t_zz_provision_${randomBytes(8).toString('hex')}`;
  const statements: string[] = [];
  let usable = true;
  let recording = true;
  try {
    await db.transaction(async (trx) => {
      trx.on('query', (q: { sql: string; bindings?: readonly unknown[] }) => {
        if (!recording) return;
        const sql = inline(db, q.sql, q.bindings ?? []);
        if (sql === undefined) usable = false;
        else statements.push(sql.trim().replace(/;\s*$/, ''));
      });
      await migrateIn(trx, placeholder, migrations);
      recording = false;
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  const whole = new RegExp(`[A-Za-z0-9_$]${placeholder}|${placeholder}[A-Za-z0-9_$]`);
  if (!usable || !statements.length || statements.some((s) => whole.test(s))) return undefined;
  return { placeholder, statements };
}

/** `sql` ($1, $2… as knex sends it) with its parameters as literals; undefined when one has none. */
function inline(db: Knex, sql: string, bindings: readonly unknown[]): string | undefined {
  if (!bindings.length) return sql;
  const escapeBinding = (db.client as { _escapeBinding?: (v: unknown, ctx: object) => string })._escapeBinding;
  if (!escapeBinding) return undefined;
  let ok = true;
  const out = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const value = bindings[Number(n) - 1];
    if (
      !(
        value === null ||
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value))
      )
    ) {
      ok = false;
      return '';
    }
    return escapeBinding.call(db.client, value, {});
  });
  return ok ? out : undefined;
}
