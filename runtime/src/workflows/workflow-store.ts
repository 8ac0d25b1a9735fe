import type { Knex } from 'knex';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { WorkflowDefinition } from './workflow-graph';

export type InstanceStatus = 'pending' | 'approved' | 'rejected' | 'recalled';
export type TaskStatus = 'open' | 'approved' | 'rejected' | 'cancelled' | 'escalated' | 'delegated';

export interface InstanceRow {
  id: string;
  workflow: string;
  meta_version: number;
  definition: WorkflowDefinition;
  object: string;
  record_id: string;
  status: InstanceStatus;
  current_node: string | null;
  rev: number;
  submitted_by: string;
  submitted_at: Date;
  finished_at: Date | null;
  comment: string | null;
}

export interface TaskRow {
  id: string;
  instance_id: string;
  node: string;
  visit: number;
  assignee: string;
  delegated_from: string | null;
  status: TaskStatus;
  decided_by: string | null;
  decided_at: Date | null;
  comment: string | null;
  due_at: Date | null;
  created_at: Date;
}

export interface EventRow {
  instance_id: string | null;
  task_id?: string | null;
  object: string;
  record_id: string;
  action: string;
  node?: string | null;
  actor: string | null;
  actor_name?: string | null;
  comment?: string | null;
  data?: Record<string, unknown>;
  at: Date;
}

/** All SQL on the approval tables. Every transition locks the instance row first (one lock order). */
export const workflowStore = {
  async insertInstance(trx: Knex.Transaction, schema: string, row: Omit<InstanceRow, 'id' | 'rev' | 'finished_at'>) {
    const [out] = await trx
      .withSchema(schema)
      .insert({ ...row, definition: JSON.stringify(row.definition) })
      .into(T.wfInstances)
      .returning('*');
    return out as InstanceRow;
  },

  async instance(db: Knex, schema: string, id: string): Promise<InstanceRow | undefined> {
    return db.withSchema(schema).from(T.wfInstances).where({ id }).first();
  },

  async lockInstance(trx: Knex.Transaction, schema: string, id: string): Promise<InstanceRow | undefined> {
    return trx.withSchema(schema).from(T.wfInstances).where({ id }).forUpdate().first();
  },

  async pendingInstanceOf(
    db: Knex,
    schema: string,
    object: string,
    recordId: string,
  ): Promise<InstanceRow | undefined> {
    return db.withSchema(schema).from(T.wfInstances).where({ object, record_id: recordId, status: 'pending' }).first();
  },

  /** The record's latest instance: a pending one, else the one that finished last. */
  async lastInstanceOf(db: Knex, schema: string, object: string, recordId: string): Promise<InstanceRow | undefined> {
    return db
      .withSchema(schema)
      .from(T.wfInstances)
      .where({ object, record_id: recordId })
      .orderByRaw(`(status = 'pending') desc, finished_at desc nulls first, submitted_at desc`)
      .first();
  },

  async updateInstance(trx: Knex.Transaction, schema: string, id: string, patch: Partial<InstanceRow>): Promise<void> {
    const { definition, ...rest } = patch;
    await trx
      .withSchema(schema)
      .table(T.wfInstances)
      .where({ id })
      .update({
        ...rest,
        ...(definition ? { definition: JSON.stringify(definition) } : {}),
        rev: trx.raw('?? + 1', ['rev']),
      });
  },

  async instancesOfRecord(db: Knex, schema: string, object: string, recordId: string): Promise<InstanceRow[]> {
    return db
      .withSchema(schema)
      .from(T.wfInstances)
      .where({ object, record_id: recordId })
      .orderBy('submitted_at', 'desc');
  },

  async insertTasks(
    trx: Knex.Transaction,
    schema: string,
    rows: Array<Omit<TaskRow, 'id' | 'status' | 'decided_by' | 'decided_at' | 'comment'>>,
  ) {
    if (!rows.length) return [] as TaskRow[];
    return (await trx.withSchema(schema).insert(rows).into(T.wfTasks).returning('*')) as TaskRow[];
  },

  async task(db: Knex, schema: string, id: string): Promise<TaskRow | undefined> {
    return db.withSchema(schema).from(T.wfTasks).where({ id }).first();
  },

  async lockTask(trx: Knex.Transaction, schema: string, id: string): Promise<TaskRow | undefined> {
    return trx.withSchema(schema).from(T.wfTasks).where({ id }).forUpdate().first();
  },

  async tasksOf(db: Knex, schema: string, instanceIds: string[]): Promise<TaskRow[]> {
    if (!instanceIds.length) return [];
    return db
      .withSchema(schema)
      .from(T.wfTasks)
      .whereIn('instance_id', instanceIds)
      .orderBy('created_at')
      .orderBy('id');
  },

  async openTasksOfStep(trx: Knex.Transaction, schema: string, instanceId: string, node: string, visit: number) {
    return (await trx
      .withSchema(schema)
      .from(T.wfTasks)
      .where({ instance_id: instanceId, node, visit, status: 'open' })
      .forUpdate()) as TaskRow[];
  },

  async lastVisit(trx: Knex.Transaction, schema: string, instanceId: string, node: string): Promise<number> {
    const row = await trx
      .withSchema(schema)
      .from(T.wfTasks)
      .where({ instance_id: instanceId, node })
      .max('visit as v')
      .first();
    return Number(row?.v ?? 0);
  },

  async updateTask(trx: Knex.Transaction, schema: string, id: string, patch: Partial<TaskRow>): Promise<void> {
    await trx.withSchema(schema).table(T.wfTasks).where({ id }).update(patch);
  },

  /** Cancels every open task of an instance (a step decided, a recall, a finish). */
  async cancelOpenTasks(trx: Knex.Transaction, schema: string, instanceId: string, at: Date): Promise<number> {
    return trx
      .withSchema(schema)
      .table(T.wfTasks)
      .where({ instance_id: instanceId, status: 'open' })
      .update({ status: 'cancelled', decided_at: at });
  },

  async insertEvent(trx: Knex.Transaction, schema: string, e: EventRow): Promise<void> {
    await trx
      .withSchema(schema)
      .insert({ ...e, data: JSON.stringify(e.data ?? {}) })
      .into(T.wfEvents);
  },

  async eventsOf(db: Knex, schema: string, instanceIds: string[]) {
    if (!instanceIds.length) return [];
    return db.withSchema(schema).from(T.wfEvents).whereIn('instance_id', instanceIds).orderBy('id');
  },
};
