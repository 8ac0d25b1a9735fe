import type { Knex } from 'knex';
import { advisoryKey } from './advisory-lock';

export interface Migration {
  /** Stable id; applied migrations are remembered by it, in the order of the list. */
  id: string;
  up(trx: Knex.Transaction, schema: string): Promise<void>;
}

/** The advisory lock key one schema's migrations run under. */
export function migrationLockKey(schema: string): string {
  return advisoryKey(`migrate:${schema}`);
}

/**
 * Applies the not-yet-applied migrations of `list` to `schema`, each in its own transaction, under a
 * transaction-level advisory lock so several server processes starting together apply each once.
 */
export async function runMigrations(db: Knex, schema: string, list: readonly Migration[]): Promise<string[]> {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [migrationLockKey(schema)]);
    return migrateIn(trx, schema, list);
  });
}

/** What runMigrations does under its lock, in the caller's transaction. */
export async function migrateIn(trx: Knex.Transaction, schema: string, list: readonly Migration[]): Promise<string[]> {
  const applied: string[] = [];
  await trx.raw('create schema if not exists ??', [schema]);
  await trx.raw(
    'create table if not exists ??.?? (id text primary key, applied_at timestamptz not null default now())',
    [schema, '_migrations'],
  );
  const done = new Set(
    (await trx.withSchema(schema).select('id').from('_migrations')).map((r: { id: string }) => r.id),
  );
  for (const m of list) {
    if (done.has(m.id)) continue;
    await m.up(trx, schema);
    applied.push(m.id);
  }
  // One statement for all of them (a new tenant applies every migration): they commit together anyway.
  if (applied.length)
    await trx
      .withSchema(schema)
      .insert(applied.map((id) => ({ id })))
      .into('_migrations');
  return applied;
}
