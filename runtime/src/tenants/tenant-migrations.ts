import type { Migration } from '../db/run-migrations';

/**
 * System tables inside every tenant schema, applied in order to new tenants and to existing ones at
 * start-up. Append only: each capability adds its own entry with a stable id.
 */
export const tenantMigrations: Migration[] = [
  {
    id: '0001_users_sessions',
    async up(trx, schema) {
      await trx.schema.withSchema(schema).createTable('_users', (t) => {
        t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
        t.text('email').notNullable();
        t.text('name').notNullable();
        t.text('password_hash').notNullable();
        t.specificType('roles', 'text[]').notNullable().defaultTo('{}');
        t.uuid('manager').references('id').inTable(`${schema}._users`);
        t.boolean('active').notNullable().defaultTo(true);
        t.text('locale');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
      await trx.raw('create unique index ?? on ??.?? (lower(email))', ['_users_email_key', schema, '_users']);
      await trx.schema.withSchema(schema).createTable('_sessions', (t) => {
        t.binary('token_hash').primary();
        t.uuid('user_id').notNullable().references('id').inTable(`${schema}._users`).onDelete('CASCADE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.text('ip');
        t.text('user_agent');
        t.index(['user_id']);
      });
    },
  },
];
