import type { Knex } from 'knex';
import type PgBoss from 'pg-boss';
import type { Logger } from '../logger';
import { pgBossOnPool } from '../pg-boss-pool';

export const WEBHOOK_QUEUE = 'forma-webhook-delivery';

export interface DeliveryJob {
  tenant: string;
  delivery: string;
}

/** A job's place among its tries: the handler marks the delivery failed on the last one. */
export interface JobTry {
  retryCount: number;
  retryLimit: number;
}

export interface QueueOptions {
  retryLimit: number;
  retryDelaySeconds: number;
  pollingIntervalSeconds: number;
  /** Deliveries this process sends at once. */
  concurrency: number;
}

/**
 * Deliveries on pg-boss: any server process may take any delivery, a failed try is retried by
 * pg-boss with exponential backoff and jitter, and nothing is lost when a process stops. pg-boss
 * shares the runtime's connection pool (like the workflow scheduler's instance).
 */
export class WebhookQueue {
  private boss: PgBoss | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly db: Knex,
    private readonly opts: QueueOptions,
    private readonly logger: Logger,
  ) {}

  get started(): boolean {
    return Boolean(this.boss);
  }

  start(handler: (job: DeliveryJob, attempt: JobTry) => Promise<void>): Promise<void> {
    this.starting ??= this.open(handler);
    return this.starting;
  }

  private async open(handler: (job: DeliveryJob, attempt: JobTry) => Promise<void>): Promise<void> {
    const boss = pgBossOnPool(this.db);
    boss.on('error', (err) => this.logger.error({ err }, 'webhook queue error'));
    await boss.start();
    await boss.createQueue(WEBHOOK_QUEUE);
    // Several workers: one slow receiver (up to its time limit) must not hold up every other delivery.
    for (let i = 0; i < Math.max(1, this.opts.concurrency); i += 1)
      await boss.work<DeliveryJob>(
        WEBHOOK_QUEUE,
        { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.opts.pollingIntervalSeconds },
        async (jobs) => {
          for (const job of jobs) await handler(job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit });
        },
      );
    this.boss = boss;
  }

  /** Queues deliveries; false when this process runs no queue (they wait for the sweep of one that does). */
  async send(jobs: DeliveryJob[]): Promise<boolean> {
    const boss = this.boss;
    if (!boss) return false;
    for (const data of jobs)
      await boss.send(WEBHOOK_QUEUE, data, {
        retryLimit: this.opts.retryLimit,
        retryDelay: this.opts.retryDelaySeconds,
        retryBackoff: true,
      });
    return true;
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    this.starting = undefined;
    await boss?.stop({ graceful: true, wait: true, close: false });
  }
}
