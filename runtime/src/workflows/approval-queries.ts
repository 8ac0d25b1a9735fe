import type { Ctx } from '../ctx';
import { notFound } from '../errors';
import type { Model } from '../model/load-model';
import { SYSTEM_TABLE as T, tableOf } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import type { RecordData } from '../scripts';
import { readRecord } from './record-rows';
import { WorkflowGraph } from './workflow-graph';
import { type InstanceRow, type TaskRow, workflowStore as store } from './workflow-store';

export type InboxItem = {
  task: string;
  instance: string;
  object: string;
  record: string;
  step: string;
  stepLabel: string;
  workflow: string;
  submittedBy: { id: string; name: string | null };
  submittedAt: Date;
  dueAt: Date | null;
  delegatedFrom: string | null;
  /** The record's fields the user may read (deciding does not need read access; seeing fields does). */
  fields: RecordData;
};

/**
 * The user's open tasks. A task is the user's permission to see that record's decision context, so
 * the record is shown even outside their read scope, but only with the fields their roles may read.
 */
export async function inbox(ctx: Ctx, permissions: PermissionEngine, model: Model, limit = 200): Promise<InboxItem[]> {
  const rows: Array<
    TaskRow & {
      object: string;
      record_id: string;
      workflow: string;
      definition: InstanceRow['definition'];
      submitted_by: string;
      submitted_at: Date;
      submitter_name: string | null;
    }
  > = await ctx.db
    .withSchema(ctx.schema)
    .from(`${T.wfTasks} as t`)
    .join(`${T.wfInstances} as i`, 'i.id', 't.instance_id')
    .leftJoin(`${T.users} as u`, 'u.id', 'i.submitted_by')
    .where('t.assignee', ctx.user.id)
    .where('t.status', 'open')
    .where('i.status', 'pending')
    .orderBy('t.created_at')
    .limit(limit)
    .select(
      't.*',
      'i.object',
      'i.record_id',
      'i.workflow',
      'i.definition',
      'i.submitted_by',
      'i.submitted_at',
      'u.name as submitter_name',
    );
  const readable = new Map<string, (r: RecordData) => RecordData>();
  const items: InboxItem[] = [];
  for (const r of rows) {
    const objectModel = model.objects.get(r.object);
    let filter = readable.get(r.object);
    if (!filter) {
      const access = await permissions.objectAccess(ctx, r.object);
      filter = (rec: RecordData) =>
        Object.fromEntries(Object.entries(rec).filter(([f]) => (access.fields[f] ?? 'edit') !== 'none'));
      readable.set(r.object, filter);
    }
    const record = objectModel ? await readRecord(ctx.db, ctx.schema, objectModel, r.record_id) : undefined;
    const node = new WorkflowGraph(r.definition).node(r.node);
    items.push({
      task: r.id,
      instance: r.instance_id,
      object: r.object,
      record: r.record_id,
      step: r.node,
      stepLabel: node?.data.label ?? r.node,
      workflow: r.workflow,
      submittedBy: { id: r.submitted_by, name: r.submitter_name },
      submittedAt: r.submitted_at,
      dueAt: r.due_at,
      delegatedFrom: r.delegated_from,
      fields: record ? filter(record) : {},
    });
  }
  return items;
}

/** Every instance of a record with its tasks and history, newest first. */
export async function recordApprovals(
  ctx: Ctx,
  permissions: PermissionEngine,
  model: Model,
  object: string,
  recordId: string,
) {
  const objectModel = model.object(object);
  const access = await permissions.objectAccess(ctx, object);
  const exists = await ctx.db.withSchema(ctx.schema).from(tableOf(objectModel.name)).where('id', recordId).first('id');
  const instances = exists ? await store.instancesOfRecord(ctx.db, ctx.schema, object, recordId) : [];
  // Readers of the record and anyone who took part in its approvals may see the history.
  const ids = instances.map((i) => i.id);
  const tasks = await store.tasksOf(ctx.db, ctx.schema, ids);
  const involved =
    instances.some((i) => i.submitted_by === ctx.user.id) || tasks.some((t) => t.assignee === ctx.user.id);
  if (!exists || (!access.can.read && !involved && !ctx.isAdmin)) throw notFound(`No ${object} record ${recordId}`);
  const events = await store.eventsOf(ctx.db, ctx.schema, ids);
  return instances.map((i) => ({
    ...instanceView(i),
    tasks: tasks.filter((t) => t.instance_id === i.id).map(taskView),
    history: events
      .filter((e: { instance_id: string }) => e.instance_id === i.id)
      .map((e: Record<string, unknown>) => ({
        at: e.at,
        action: e.action,
        step: e.node,
        task: e.task_id,
        user: e.actor ? { id: e.actor, name: e.actor_name } : null,
        comment: e.comment,
        data: e.data,
      })),
  }));
}

export function instanceView(i: InstanceRow) {
  return {
    id: i.id,
    workflow: i.workflow,
    version: i.meta_version,
    object: i.object,
    record: i.record_id,
    status: i.status,
    step: i.current_node,
    submittedBy: i.submitted_by,
    submittedAt: i.submitted_at,
    finishedAt: i.finished_at,
    comment: i.comment,
  };
}

export function taskView(t: TaskRow) {
  return {
    id: t.id,
    step: t.node,
    visit: t.visit,
    assignee: t.assignee,
    delegatedFrom: t.delegated_from,
    status: t.status,
    decidedBy: t.decided_by,
    decidedAt: t.decided_at,
    comment: t.comment,
    dueAt: t.due_at,
    createdAt: t.created_at,
  };
}

/** One instance with its tasks, for its submitter, its approvers and admins. */
export async function instanceDetail(ctx: Ctx, id: string) {
  const i = await store.instance(ctx.db, ctx.schema, id);
  if (!i) throw notFound('No such approval instance');
  const tasks = await store.tasksOf(ctx.db, ctx.schema, [i.id]);
  if (!ctx.isAdmin && i.submitted_by !== ctx.user.id && !tasks.some((t) => t.assignee === ctx.user.id))
    throw notFound('No such approval instance');
  return { ...instanceView(i), tasks: tasks.map(taskView) };
}
