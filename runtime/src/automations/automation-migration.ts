import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/**
 * `_automation_runs` (reserved by the workflow migration with its idempotence key) gains what the
 * runs API shows: the object, the trigger, the outcome and error, what the actions did, and the
 * depth of the chain of rules that led to it (the loop guard).
 */
export const automationRunsMigration: Migration = {
  id: 'automation_0001_runs',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).alterTable(T.automationRuns, (t) => {
      t.uuid('id').notNullable().defaultTo(trx.raw('gen_random_uuid()')).unique();
      t.text('object');
      t.text('trigger');
      // running → succeeded | failed | skipped; `write` marks a version written by the rule itself.
      t.text('outcome').notNullable().defaultTo('succeeded');
      t.text('error');
      t.jsonb('actions').notNullable().defaultTo('[]');
      t.integer('depth').notNullable().defaultTo(0);
      t.uuid('actor');
      t.timestamp('finished_at', { useTz: true });
    });
    await trx.raw('create index ?? on ??.?? (??, ??)', ['_automation_runs_at', schema, T.automationRuns, 'at', 'id']);
    await trx.raw('create index ?? on ??.?? (??, ??)', [
      '_automation_runs_record',
      schema,
      T.automationRuns,
      'record_id',
      'period',
    ]);
  },
};
