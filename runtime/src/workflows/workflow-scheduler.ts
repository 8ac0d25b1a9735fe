import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import type { Logger } from '../logger';

export interface ScheduledJob {
  /** Queue name (one per kind of periodic work). */
  name: string;
  /** Cron expression; pg-boss fires each schedule once per slot across all processes. */
  cron: string;
  run(): Promise<unknown>;
}

/**
 * Periodic work (escalation sweep, automation schedules) on pg-boss, so any number of server
 * processes cooperate through PostgreSQL: one of them takes each tick. pg-boss shares the
 * runtime's connection pool and is started only by the real server (or a test that asks).
 */
export class WorkflowScheduler {
  private boss: PgBoss | undefined;

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
  ) {}

  async start(jobs: ScheduledJob[]): Promise<void> {
    if (this.boss) return;
    const client = this.db.client as {
      acquireConnection(): Promise<PgConn>;
      releaseConnection(c: PgConn): Promise<void>;
    };
    const boss = new PgBoss({
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
    boss.on('error', (err) => this.logger.error({ err }, 'job queue error'));
    await boss.start();
    for (const job of jobs) {
      await boss.createQueue(job.name);
      await boss.schedule(job.name, job.cron);
      await boss.work(job.name, async () => {
        await job.run();
      });
    }
    this.boss = boss;
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    await boss?.stop({ graceful: true, wait: true, close: false });
  }
}

interface PgConn {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}
