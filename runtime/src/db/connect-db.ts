import knex, { type Knex } from 'knex';
import pg from 'pg';

// numeric and bigint arrive as strings by default; CRM amounts and counts fit a double, and every API
// client expects JSON numbers. Dates stay 'YYYY-MM-DD' strings so no time zone can shift them.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => (v === null ? null : Number(v)));
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => (v === null ? null : Number(v)));
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface DbOptions {
  url: string;
  poolMin?: number;
  poolMax?: number;
  /** Applied to every pooled connection, so no request can hold a row lock forever. */
  statementTimeoutMs?: number;
  applicationName?: string;
  /**
   * Plans stay custom (per run, with the values) for named prepared statements too (prepared.ts).
   * PostgreSQL switches a prepared statement to a generic plan after five runs when it guesses that
   * one is as cheap; for a scoped list (`owner in (select … where ancestor = $n)`) it guessed wrong
   * and the list-scoped bench went from 1× to 5× list-admin. A start-up option, not a `SET` on the connection, so behind a pooler no session setting is left on
   * a server connection (there PgBouncer drops it: set it on the role). Default on.
   */
  customPlans?: boolean;
  /** Longest wait for a pooled connection; past it the request answers 503 (runtime/src/db/db-load.ts). */
  acquireTimeoutMs?: number;
}

export type Db = Knex;

export function connectDb(opts: DbOptions): Db {
  return knex({
    client: 'pg',
    connection: {
      connectionString: opts.url,
      application_name: opts.applicationName ?? 'forma',
      ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
      ...(opts.customPlans === false ? {} : { options: '-c plan_cache_mode=force_custom_plan' }),
    },
    pool: {
      min: opts.poolMin ?? 0,
      max: opts.poolMax ?? 10,
      // A connection DbLoad gave up on (its backend stays niced, or a stale cancel may still reach
      // it) is dropped when the pool would hand it out next.
      validate: (conn: { __formaDiscard?: boolean }) => !conn.__formaDiscard,
    },
    acquireConnectionTimeout: opts.acquireTimeoutMs ?? 15_000,
  });
}

/** True when the database answers a trivial query. */
export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
