import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/** When a failed e-mail may be tried again (the sender's retry backoff). */
export const emailOutboxRetryMigration: Migration = {
  id: 'mail_0001_outbox_retry',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).alterTable(T.emailOutbox, (t) => {
      t.timestamp('next_attempt_at', { useTz: true });
    });
  },
};
