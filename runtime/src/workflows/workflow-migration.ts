import type { Migration } from '../db/run-migrations';
import { SYSTEM_TABLE as T } from '../model/naming';

/** The approval engine's tables in every tenant schema (appended to `tenantMigrations`). */
export const workflowMigration: Migration = {
  id: 'wf_0001_approvals',
  async up(trx, schema) {
    // A fresh schema builder per statement: a knex SchemaBuilder re-runs what it accumulated.
    const s = () => trx.schema.withSchema(schema);
    await s().createTable(T.wfInstances, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.text('workflow').notNullable();
      // The metadata version whose definition the instance runs, and that definition itself:
      // publishing a new version never changes a running instance under its approvers.
      t.integer('meta_version').notNullable();
      t.jsonb('definition').notNullable();
      t.text('object').notNullable();
      t.uuid('record_id').notNullable();
      t.text('status').notNullable();
      t.text('current_node');
      // Bumped on every transition: a guard any writer compares, and a cheap "did it move" probe.
      t.integer('rev').notNullable().defaultTo(0);
      t.uuid('submitted_by').notNullable();
      t.timestamp('submitted_at', { useTz: true }).notNullable();
      t.timestamp('finished_at', { useTz: true });
      t.text('comment');
      t.check(`?? in ('pending', 'approved', 'rejected', 'recalled')`, ['status']);
      t.index(['object', 'record_id']);
      t.index(['workflow', 'meta_version']);
    });
    // At most one pending instance per record, whatever the number of concurrent submits.
    // DDL takes no bind parameters: the status literals are constants of this file.
    await trx.raw("create unique index ?? on ??.?? (??, ??) where ?? = 'pending'", [
      '_wf_instances_one_pending',
      schema,
      T.wfInstances,
      'object',
      'record_id',
      'status',
    ]);
    await s().createTable(T.wfTasks, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.uuid('instance_id').notNullable().references('id').inTable(`${schema}.${T.wfInstances}`).onDelete('CASCADE');
      t.text('node').notNullable();
      // Which visit of the step the task belongs to (a graph may route back to a step).
      t.integer('visit').notNullable();
      t.uuid('assignee').notNullable();
      t.uuid('delegated_from');
      t.text('status').notNullable().defaultTo('open');
      t.uuid('decided_by');
      t.timestamp('decided_at', { useTz: true });
      t.text('comment');
      t.timestamp('due_at', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.check(`?? in ('open', 'approved', 'rejected', 'cancelled', 'escalated', 'delegated')`, ['status']);
      t.index(['instance_id']);
    });
    await trx.raw("create index ?? on ??.?? (??) where ?? = 'open'", [
      '_wf_tasks_open_assignee',
      schema,
      T.wfTasks,
      'assignee',
      'status',
    ]);
    await trx.raw("create index ?? on ??.?? (??) where ?? = 'open' and ?? is not null", [
      '_wf_tasks_open_due',
      schema,
      T.wfTasks,
      'due_at',
      'status',
      'due_at',
    ]);
    await s().createTable(T.wfEvents, (t) => {
      t.bigIncrements('id').primary();
      t.uuid('instance_id').references('id').inTable(`${schema}.${T.wfInstances}`).onDelete('CASCADE');
      t.uuid('task_id');
      t.text('object');
      t.uuid('record_id');
      t.text('action').notNullable();
      t.text('node');
      t.uuid('actor');
      t.text('actor_name');
      t.text('comment');
      t.jsonb('data').notNullable().defaultTo('{}');
      t.timestamp('at', { useTz: true }).notNullable();
      t.index(['instance_id']);
      t.index(['object', 'record_id']);
    });
    await s().createTable(T.wfDelegations, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.uuid('user_id').notNullable().references('id').inTable(`${schema}._users`).onDelete('CASCADE');
      t.uuid('to_user').notNullable().references('id').inTable(`${schema}._users`).onDelete('CASCADE');
      t.timestamp('starts_at', { useTz: true }).notNullable();
      t.timestamp('ends_at', { useTz: true }).notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      t.check('?? < ??', ['starts_at', 'ends_at']);
      t.index(['user_id']);
    });
    await s().createTable(T.wfLinksUsed, (t) => {
      t.text('token_id').primary();
      t.uuid('task_id').notNullable();
      t.timestamp('used_at', { useTz: true }).notNullable();
    });
    await s().createTable(T.notifications, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.uuid('user_id').notNullable().references('id').inTable(`${schema}._users`).onDelete('CASCADE');
      t.text('kind').notNullable();
      t.text('title').notNullable();
      t.text('body');
      t.jsonb('data').notNullable().defaultTo('{}');
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('read_at', { useTz: true });
      t.index(['user_id', 'created_at']);
    });
    await s().createTable(T.emailOutbox, (t) => {
      t.uuid('id').primary().defaultTo(trx.raw('gen_random_uuid()'));
      t.text('to_address').notNullable();
      t.text('subject').notNullable();
      t.text('body').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('sent_at', { useTz: true });
      t.integer('attempts').notNullable().defaultTo(0);
      t.text('last_error');
    });
    await trx.raw('create index ?? on ??.?? (??) where ?? is null', [
      '_email_outbox_unsent',
      schema,
      T.emailOutbox,
      'created_at',
      'sent_at',
    ]);
    await s().createTable(T.automationRuns, (t) => {
      t.text('rule').notNullable();
      t.uuid('record_id').notNullable();
      t.text('period').notNullable();
      t.timestamp('at', { useTz: true }).notNullable();
      t.primary(['rule', 'record_id', 'period']);
    });
  },
};
