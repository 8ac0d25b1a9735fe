import type { Knex } from 'knex';
import PgBoss from 'pg-boss';

interface PgConn {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * A pg-boss instance that runs its statements on the runtime's own connection pool (the workflow
 * scheduler, the webhook queue): no second pool per process, and the pool's limits hold for it too.
 */
export function pgBossOnPool(db: Knex): PgBoss {
  const client = db.client as {
    acquireConnection(): Promise<PgConn>;
    releaseConnection(c: PgConn): Promise<void>;
  };
  return new PgBoss({
    db: {
      async executeSql(text: string, values: unknown[]) {
        const conn = await client.acquireConnection();
        try {
          return await conn.query(text, values);
        } finally {
          await client.releaseConnection(conn);
        }
      },
    },
  });
}
