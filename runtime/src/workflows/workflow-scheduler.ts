import type { Knex } from 'knex';
import type PgBoss from 'pg-boss';
import type { Logger } from '../logger';
import { pgBossOnPool } from '../pg-boss-pool';

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
    const boss = pgBossOnPool(this.db);
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
