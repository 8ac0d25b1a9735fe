import type { Migration } from '../db/run-migrations';

/**
 * Integrations (issue 25): outbound webhook subscriptions and their deliveries, service accounts
 * (users marked `service`, who never sign in with a password) and their API keys (only the SHA-256
 * of each token is kept).
 */
export const integrationsMigration: Migration = {
  id: 'integrations_0001_webhooks_api_keys',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable('_webhooks', (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.text('name').notNullable();
      t.text('object').notNullable();
      t.specificType('events', 'text[]').notNullable();
      // Updates fire only when one of these fields changed (empty: any change).
      t.specificType('fields', 'text[]').notNullable().defaultTo('{}');
      t.text('url').notNullable();
      // The signing key must be readable to sign: it is stored as given out (like Svix and Stripe do).
      t.text('secret').notNullable();
      t.boolean('active').notNullable().defaultTo(true);
      t.uuid('created_by');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.index(['object']);
    });
    await trx.schema.withSchema(schema).createTable('_webhook_deliveries', (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.uuid('webhook_id').notNullable().references('id').inTable(`${schema}._webhooks`).onDelete('CASCADE');
      t.text('event').notNullable();
      t.text('object').notNullable();
      t.uuid('record_id');
      t.jsonb('payload').notNullable();
      // pending → retrying → succeeded | failed
      t.text('status').notNullable().defaultTo('pending');
      t.integer('attempts').notNullable().defaultTo(0);
      t.integer('response_status');
      t.integer('duration_ms');
      t.text('response_body');
      t.text('error');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.timestamp('last_attempt_at', { useTz: true });
      t.timestamp('queued_at', { useTz: true });
      t.index(['webhook_id', 'created_at']);
    });
    await trx.schema.withSchema(schema).alterTable('_users', (t) => {
      t.boolean('service').notNullable().defaultTo(false);
    });
    await trx.schema.withSchema(schema).createTable('_api_keys', (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.uuid('user_id').notNullable().references('id').inTable(`${schema}._users`).onDelete('CASCADE');
      t.text('name').notNullable();
      t.binary('token_hash').notNullable().unique();
      // The first characters of the token, so people can tell their keys apart.
      t.text('prefix').notNullable();
      t.boolean('read_only').notNullable().defaultTo(false);
      t.uuid('created_by');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.timestamp('last_used_at', { useTz: true });
      t.timestamp('revoked_at', { useTz: true });
      t.index(['user_id']);
    });
  },
};
