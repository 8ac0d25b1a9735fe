import type { Migration } from './run-migrations';

/** Migrations of the `platform` schema (tenants and platform-wide bookkeeping). Append only. */
export const platformMigrations: Migration[] = [
  {
    id: '0001_tenants',
    async up(trx, schema) {
      await trx.schema.withSchema(schema).createTable('tenants', (t) => {
        t.text('id').primary();
        t.text('name').notNullable();
        t.text('schema_name').notNullable().unique();
        t.text('status').notNullable().defaultTo('active');
        t.jsonb('settings').notNullable().defaultTo('{}');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
      // Failed logins are counted in the database, not in process memory, so the limit holds across
      // every server process behind a load balancer.
      await trx.schema.withSchema(schema).createTable('login_failures', (t) => {
        t.bigIncrements('id');
        t.text('tenant').notNullable();
        t.text('email').notNullable();
        t.text('ip').notNullable();
        t.timestamp('at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.index(['tenant', 'email', 'at']);
        t.index(['ip', 'at']);
      });
    },
  },
  {
    id: '0002_outbox',
    async up(trx, schema) {
      // One outbox for all tenants so a single sweeper query finds leftover work.
      await trx.schema.withSchema(schema).createTable('outbox', (t) => {
        t.bigIncrements('id');
        t.text('tenant').notNullable();
        t.text('topic').notNullable();
        t.jsonb('payload').notNullable();
        t.uuid('actor');
        t.integer('attempts').notNullable().defaultTo(0);
        t.text('last_error');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.timestamp('done_at', { useTz: true });
        t.timestamp('dead_at', { useTz: true });
      });
      await trx.raw('create index ?? on ??.?? (id) where done_at is null and dead_at is null', [
        'outbox_pending_idx',
        schema,
        'outbox',
      ]);
    },
  },
  {
    id: '0003_secrets',
    async up(trx, schema) {
      await trx.schema.withSchema(schema).createTable('secrets', (t) => {
        t.text('name').primary();
        t.text('value').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
    },
  },
  {
    // Trigram operators for the records engine's substring search indexes (a trusted extension
    // since PostgreSQL 13: the database owner may create it).
    id: '0004_pg_trgm',
    async up(trx) {
      await trx.raw('create extension if not exists pg_trgm');
    },
  },
  {
    // Fixed-window budgets shared by every server process (security/rate-limiter.ts): mail-merge
    // e-mails per tenant and hour.
    id: '0005_rate_counters',
    async up(trx, schema) {
      await trx.schema.withSchema(schema).createTable('rate_counters', (t) => {
        t.text('key').notNullable();
        t.timestamp('window_start', { useTz: true }).notNullable();
        t.integer('used').notNullable();
        t.primary(['key', 'window_start']);
      });
    },
  },
  {
    // The index phase's one-process-per-tenant guard (schema/reconcile-indexes.ts): a lease row,
    // because a session advisory lock does not survive a transaction-mode pooler.
    id: '0006_index_phase_leases',
    async up(trx, schema) {
      await trx.schema.withSchema(schema).createTable('index_phase_leases', (t) => {
        t.text('schema').primary();
        t.text('holder').notNullable();
        t.timestamp('expires_at', { useTz: true }).notNullable();
        // The backend the holder builds on: once it is gone (the process died), the lease is free
        // without waiting for it to expire. Null: expiry only.
        t.integer('pid');
        t.timestamp('backend_start', { useTz: true });
      });
    },
  },
];
