import type { Knex } from 'knex';
import { advisoryKey } from '../db/advisory-lock';
import { badRequest } from '../errors';
import { PLUGIN_MIGRATIONS_TABLE, pluginTable, pluginTablePrefix } from '../model/naming';

/**
 * A migration of a plugin's own tables in a tenant schema. `table(name)` gives the physical name
 * (`_p_<plugin>_<name>`); creating any table outside that prefix is refused and rolled back.
 */
export interface PluginMigration {
  id: string;
  up(trx: Knex.Transaction, tenant: { schema: string; table(name: string): string }): Promise<void>;
}

const MIGRATION_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Throws on duplicate or malformed ids (a plugin bug, reported when the plugin loads). */
export function checkPluginMigrations(plugin: string, list: readonly PluginMigration[]): void {
  pluginTablePrefix(plugin);
  const seen = new Set<string>();
  for (const m of list) {
    if (!m || typeof m.up !== 'function' || typeof m.id !== 'string' || !MIGRATION_ID.test(m.id))
      throw new Error(`Plugin ${plugin}: every migration needs an id matching ${MIGRATION_ID.source} and an up()`);
    if (seen.has(m.id)) throw new Error(`Plugin ${plugin}: duplicate migration id ${m.id}`);
    seen.add(m.id);
  }
}

/**
 * Applies the plugin's not-yet-applied migrations to one tenant schema, each in its own transaction,
 * under an advisory lock per (schema, plugin) so several processes starting together apply each
 * once. Tracked in `_plugin_migrations` by (plugin, id), so two plugins may reuse ids.
 */
export async function runPluginMigrations(
  db: Knex,
  schema: string,
  plugin: string,
  list: readonly PluginMigration[],
): Promise<string[]> {
  if (!list.length) return [];
  const prefix = pluginTablePrefix(plugin);
  const applied: string[] = [];
  for (const m of list) {
    await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [advisoryKey(`plugin-migrate:${schema}:${plugin}`)]);
      await trx.raw(
        'create table if not exists ??.?? (plugin text not null, id text not null, applied_at timestamptz not null default now(), primary key (plugin, id))',
        [schema, PLUGIN_MIGRATIONS_TABLE],
      );
      const done = await trx.withSchema(schema).from(PLUGIN_MIGRATIONS_TABLE).where({ plugin, id: m.id }).first();
      if (done) return;
      const before = new Set(await tablesOf(trx, schema));
      await m.up(trx, { schema, table: (name) => pluginTable(plugin, name) });
      const foreign = (await tablesOf(trx, schema)).filter((t) => !before.has(t) && !t.startsWith(prefix));
      if (foreign.length) {
        throw badRequest(
          `Plugin ${plugin}, migration ${m.id}: tables must be named through table() (prefix ${prefix}); refused: ${foreign.join(', ')}`,
        );
      }
      await trx.withSchema(schema).insert({ plugin, id: m.id }).into(PLUGIN_MIGRATIONS_TABLE);
      applied.push(m.id);
    });
  }
  return applied;
}

/**
 * The schema's tables, found through their dependency on the schema (pg_depend's index on the
 * referenced object): pg_tables filtered by schema name reads all of pg_class, which grows with
 * every tenant, and this runs twice per migration of every plugin for every new tenant.
 */
export const SCHEMA_TABLES_SQL = `select c.relname as name from pg_depend d join pg_class c on c.oid = d.objid
      where d.refclassid = 'pg_namespace'::regclass and d.refobjid = (select oid from pg_namespace where nspname = ?)
        and d.classid = 'pg_class'::regclass and d.objsubid = 0 and c.relkind in ('r', 'p')`;

async function tablesOf(trx: Knex.Transaction, schema: string): Promise<string[]> {
  const r = await trx.raw(SCHEMA_TABLES_SQL, [schema]);
  return (r.rows as Array<{ name: string }>).map((row) => row.name);
}
