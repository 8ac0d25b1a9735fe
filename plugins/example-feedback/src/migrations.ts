import type { PluginMigration } from '@forma/platform/plugin-api';

/** The plugin's own tables, created in every tenant schema as `_p_example_feedback_<name>`. */
export const migrations: PluginMigration[] = [
  {
    id: '001_votes',
    async up(trx, tenant) {
      await trx.schema.withSchema(tenant.schema).createTable(tenant.table('votes'), (t) => {
        t.bigIncrements('id');
        t.smallint('score').notNullable();
        t.text('comment');
        t.uuid('voter').notNullable();
        t.timestamp('at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
    },
  },
  {
    id: '002_daily',
    async up(trx, tenant) {
      await trx.schema.withSchema(tenant.schema).createTable(tenant.table('daily'), (t) => {
        t.date('day').primary();
        t.integer('nps').notNullable();
        t.integer('votes').notNullable();
      });
    },
  },
];
