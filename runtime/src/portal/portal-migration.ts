import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/**
 * The customer portal's sign-in (docs/portal.md): e-mailed links (the SHA-256 of each token, its
 * contact, when it expires and when it was used), portal sessions (apart from staff sessions, so a
 * portal token is never a staff one), and sign-in requests for the per-address and per-e-mail limits.
 */
export const portalMigration: Migration = {
  id: 'portal_0001_links_sessions',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(T.portalLinks, (t) => {
      t.binary('token_hash').primary();
      t.uuid('contact_id').notNullable();
      t.uuid('account_id').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('used_at', { useTz: true });
    });
    await trx.schema.withSchema(schema).createTable(T.portalSessions, (t) => {
      t.binary('token_hash').primary();
      t.uuid('contact_id').notNullable();
      t.uuid('account_id').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.text('ip');
      t.index(['contact_id']);
    });
    await trx.schema.withSchema(schema).createTable(T.portalLoginRequests, (t) => {
      t.bigIncrements('id');
      t.timestamp('at', { useTz: true }).notNullable();
      t.text('ip').notNullable();
      t.text('email').notNullable();
      t.index(['at']);
    });
  },
};
