import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/**
 * The users screen: when each user last signed in (sessions are deleted on sign-out, so they cannot
 * tell), and invitations sent by e-mail (only the SHA-256 of the link's token is kept).
 */
export const usersAdminMigration: Migration = {
  id: 'users_0002_last_login_invitations',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).alterTable(T.users, (t) => {
      t.timestamp('last_login_at', { useTz: true });
    });
    await trx.schema.withSchema(schema).createTable(T.userInvitations, (t) => {
      t.binary('token_hash').primary();
      t.uuid('user_id').notNullable().references('id').inTable(`${schema}.${T.users}`).onDelete('CASCADE');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.index(['user_id']);
    });
  },
};
