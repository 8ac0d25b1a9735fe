import type { Ctx } from '../ctx';
import { notFound } from '../errors';
import type { Model, ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { ObjectAccess, PermissionEngine } from '../permissions/object-access';
import { resolveRecord } from '../records/record-guard';
import type { RecordData } from '../scripts';
import { readRecords } from './record-rows';
import { WorkflowGraph } from './workflow-graph';
import { type InstanceRow, type TaskRow, workflowStore as store } from './workflow-store';

export type InboxItem = {
  task: string;
  instance: string;
  object: string;
  record: string;
  step: string;
  stepLabel: string;
  /** The step's label in other languages (`data.x-i18n` of its node). */
  stepI18n?: Record<string, Record<string, unknown>>;
  workflow: string;
  submittedBy: { id: string; name: string | null };
  submittedAt: Date;
  dueAt: Date | null;
  delegatedFrom: string | null;
  /** The record's label (its label field), shown whatever the approver's roles say. */
  recordLabel: string | null;
  /**
   * The record's fields the approver may read, plus those the step chooses to show (`data.show`).
   * Deciding does not need read access; seeing fields does: an approver whose roles cannot read the
   * object sees the label and the step's fields, nothing else.
   */
  fields: RecordData;
  /** The fields the step names for its decision (`data.show`: amount, discount, total), in order. */
  show: string[];
  /** What the submitter wrote when submitting. */
  comment: string | null;
};

/**
 * The user's open tasks. A task lets its approver see the record's decision context even outside
 * their read scope, but only with the fields their roles may read on the object (none when they may
 * not read it at all), its label and the fields the workflow step shows.
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
      submit_comment: string | null;
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
      'i.comment as submit_comment',
    );
  const accessOf = new Map<string, ObjectAccess>();
  const records = await readRecordsOf(ctx, model, rows);
  const items: InboxItem[] = [];
  for (const r of rows) {
    const objectModel = model.objects.get(r.object);
    let access = accessOf.get(r.object);
    if (!access && objectModel) {
      access = await permissions.objectAccess(ctx, r.object);
      accessOf.set(r.object, access);
    }
    const record = records.get(`${r.object}:${r.record_id}`);
    const node = new WorkflowGraph(r.definition).node(r.node);
    const label = objectModel && record ? record[objectModel.labelField] : undefined;
    items.push({
      task: r.id,
      instance: r.instance_id,
      object: r.object,
      record: r.record_id,
      step: r.node,
      stepLabel: node?.data.label ?? r.node,
      ...(node?.data['x-i18n'] ? { stepI18n: node.data['x-i18n'] as Record<string, Record<string, unknown>> } : {}),
      workflow: r.workflow,
      submittedBy: { id: r.submitted_by, name: r.submitter_name },
      submittedAt: r.submitted_at,
      dueAt: r.due_at,
      delegatedFrom: r.delegated_from,
      recordLabel: label === null || label === undefined ? null : String(label),
      fields: record && objectModel && access ? inboxFields(objectModel, access, record, node?.data.show ?? []) : {},
      show: [...(node?.data.show ?? [])].filter((f) => objectModel?.fields.has(f)),
      comment: r.submit_comment ?? null,
    });
  }
  return items;
}

/** The tasks' records, one statement per object (not per task), by `object:id`. */
async function readRecordsOf(
  ctx: Ctx,
  model: Model,
  tasks: ReadonlyArray<{ object: string; record_id: string }>,
): Promise<Map<string, RecordData>> {
  const idsOf = new Map<string, Set<string>>();
  for (const t of tasks) {
    if (!model.objects.has(t.object)) continue;
    const ids = idsOf.get(t.object) ?? new Set<string>();
    ids.add(t.record_id);
    idsOf.set(t.object, ids);
  }
  const out = new Map<string, RecordData>();
  for (const [object, ids] of idsOf)
    for (const row of await readRecords(ctx.db, ctx.schema, model.object(object), [...ids]))
      out.set(`${object}:${row.id}`, row);
  return out;
}

/** What an approver sees of the record: readable fields (none without read on the object), label, shown fields. */
function inboxFields(object: ObjectModel, access: ObjectAccess, record: RecordData, show: readonly string[]) {
  const visible = new Set<string>([object.labelField, ...show]);
  if (access.can.read)
    for (const f of object.fields.keys()) if ((access.fields[f] ?? 'edit') !== 'none') visible.add(f);
  return Object.fromEntries(Object.entries(record).filter(([f]) => visible.has(f)));
}

/**
 * Every instance of a record with its tasks and history, newest first: for users who may read the
 * record (404 otherwise, also for records in the recycle bin, as a read would answer).
 */
export async function recordApprovals(
  ctx: Ctx,
  permissions: PermissionEngine,
  model: Model,
  object: string,
  recordId: string,
) {
  await resolveRecord(ctx, model, permissions, object, recordId, { columns: ['id'] });
  const instances = await store.instancesOfRecord(ctx.db, ctx.schema, object, recordId);
  const ids = instances.map((i) => i.id);
  const tasks = await store.tasksOf(ctx.db, ctx.schema, ids);
  const events = await store.eventsOf(ctx.db, ctx.schema, ids);
  return instances.map((i) => ({
    ...instanceView(i),
    // Step names as the workflow's author wrote them ("Manager review"), never node ids.
    stepLabel: i.current_node ? stepLabelOf(i, i.current_node) : null,
    tasks: tasks.filter((t) => t.instance_id === i.id).map(taskView),
    history: events
      .filter((e: { instance_id: string }) => e.instance_id === i.id)
      .map((e: Record<string, unknown>) => ({
        at: e.at,
        action: e.action,
        step: e.node,
        stepLabel: typeof e.node === 'string' ? stepLabelOf(i, e.node) : null,
        task: e.task_id,
        user: e.actor ? { id: e.actor, name: e.actor_name } : null,
        comment: e.comment,
        data: e.data,
      })),
  }));
}

function stepLabelOf(i: InstanceRow, node: string): string | null {
  try {
    const label = new WorkflowGraph(i.definition).node(node)?.data.label;
    return typeof label === 'string' && label ? label : null;
  } catch {
    return null;
  }
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
