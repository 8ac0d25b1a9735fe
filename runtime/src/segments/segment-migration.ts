import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/**
 * Saved segments (segments/segment-service.ts): the stored members of each segment, one row per
 * refresh (the history of counts), and who entered or left in each refresh (read in pages by the
 * automation rules "entered segment" / "left segment", and deleted with their refresh's age).
 */
export const segmentsMigration: Migration = {
  id: 'segments_0001_membership',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(T.segmentMembers, (t) => {
      t.text('segment').notNullable();
      t.uuid('record_id').notNullable();
      t.timestamp('entered_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.primary(['segment', 'record_id']);
    });
    await trx.schema.withSchema(schema).createTable(T.segmentRefreshes, (t) => {
      t.bigIncrements('id').primary();
      t.text('segment').notNullable();
      // The object the segment was over at this refresh: a segment redefined over another object
      // starts afresh instead of reporting every old member as having left.
      t.text('object').notNullable();
      t.timestamp('at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.text('trigger').notNullable();
      // Scheduled refreshes: the schedule's period, so each period refreshes once across processes.
      t.text('period');
      t.uuid('by');
      t.integer('count').notNullable().defaultTo(0);
      t.integer('entered').notNullable().defaultTo(0);
      t.integer('left').notNullable().defaultTo(0);
      t.integer('ms').notNullable().defaultTo(0);
      // Set once the automation rules of its changes have run (a crash in between: the sweep resumes).
      t.timestamp('rules_done_at', { useTz: true });
      t.unique(['segment', 'period']);
      t.index(['segment', 'id']);
    });
    await trx.schema.withSchema(schema).createTable(T.segmentChanges, (t) => {
      t.bigInteger('refresh_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.${T.segmentRefreshes}`)
        .onDelete('CASCADE');
      t.uuid('record_id').notNullable();
      t.text('change').notNullable();
      t.primary(['refresh_id', 'record_id']);
    });
  },
};
