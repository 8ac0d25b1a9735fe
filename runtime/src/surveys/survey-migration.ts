import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/**
 * Survey invitations: one per survey sent, so a link can be answered once (`answered_at`, set in
 * the same transaction as the response record) and the page knows what it is about without
 * trusting anything but the signed invitation id.
 */
export const surveyInvitationsMigration: Migration = {
  id: 'surveys_0001_invitations',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(T.surveyInvitations, (t) => {
      t.uuid('id').primary();
      t.text('survey').notNullable();
      t.text('object').notNullable();
      t.uuid('record_id').notNullable();
      t.uuid('contact_id');
      t.text('email').notNullable();
      t.text('locale').notNullable();
      t.text('rule');
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('send_at', { useTz: true }).notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('answered_at', { useTz: true });
      t.uuid('response_id');
      t.index(['object', 'record_id']);
    });
  },
};
