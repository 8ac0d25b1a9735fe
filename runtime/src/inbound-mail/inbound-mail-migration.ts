import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/**
 * Every message received into a record or sent from it, by Message-ID: a reply's In-Reply-To or
 * References finds its record here, a message seen twice (a retried delivery) is dropped, and one of
 * our own messages coming back is recognised as a loop. Outbox rows carry the threading headers.
 */
export const inboundMailMigration: Migration = {
  id: 'inbound_mail_0001_messages',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(T.inboundMail, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.text('message_id').notNullable();
      t.text('direction').notNullable();
      t.text('object').notNullable();
      t.uuid('record_id').notNullable();
      t.text('address').notNullable();
      t.text('subject').notNullable().defaultTo('');
      t.boolean('automatic').notNullable().defaultTo(false);
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.unique(['message_id', 'direction']);
      t.index(['object', 'record_id']);
    });
    // DDL takes no bind parameters: the two values are literals here.
    await trx.raw("alter table ??.?? add constraint ?? check (?? in ('in', 'out'))", [
      schema,
      T.inboundMail,
      '_inbound_mail_direction',
      'direction',
    ]);
    await trx.schema.withSchema(schema).alterTable(T.emailOutbox, (t) => {
      t.jsonb('threading');
    });
  },
};
