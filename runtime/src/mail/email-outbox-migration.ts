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

/**
 * A queued e-mail may carry one attachment: a row of `_files` (a mail merge's PDF or .docx), so the
 * outbox row stays small and the body lives where every file does (database or `FILES_DIR`).
 */
export const emailOutboxAttachmentMigration: Migration = {
  id: 'mail_0002_outbox_attachment',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).alterTable(T.emailOutbox, (t) => {
      t.uuid('attachment_file');
    });
  },
};

/**
 * The record an e-mail is about and who sent it (a mail merge names both), so the record's activity
 * timeline can list the e-mails sent about it.
 */
export const emailOutboxRecordMigration: Migration = {
  id: 'mail_0003_outbox_record',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).alterTable(T.emailOutbox, (t) => {
      t.text('object');
      t.uuid('record_id');
      t.uuid('created_by');
      t.index(['object', 'record_id']);
    });
  },
};
