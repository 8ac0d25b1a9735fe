import type { Ctx } from '../ctx';
import { badRequest, conflict, notFound } from '../errors';
import type { Model } from '../model/load-model';
import { SYSTEM_TABLE as T } from '../model/naming';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { advance } from './advance';
import { createTasks } from './nodes/approval';
import { event } from './transition';
import { loadRun } from './load-run';
import { delegateOf } from './resolve-approvers';
import { decisionReason } from './workflow-cause';
import type { Run, WorkflowEnv } from './workflow-env';
import type { Outcome } from './workflow-graph';
import { type InstanceRow, type TaskRow, workflowStore as store } from './workflow-store';

export interface Decision {
  decision: Outcome;
  comment?: string;
  /** The id of a single-use link being spent (recorded in the same transaction). */
  linkId?: string;
}

/**
 * Approve or reject one task. Locks the instance, then the task, and re-checks both under the lock:
 * of two approvers deciding at once exactly one changes anything, the other gets 409. The step is
 * concluded when the decision settles it (any reject; in `any` mode the first approve; in `all`
 * mode the last open task approved), and the graph advances in the same transaction.
 */
export async function decide(
  ctx: Ctx,
  env: WorkflowEnv,
  model: Model,
  taskId: string,
  d: Decision,
): Promise<InstanceRow> {
  if (d.decision === 'rejected' && !d.comment?.trim())
    throw badRequest('A rejection needs a comment', { field: 'comment' });
  return runInUnitOfWork(ctx, async (tx) => {
    const { instance, task } = await lockOwnTask(tx, taskId);
    if (d.linkId) await spendLink(tx, d.linkId, task.id, env.clock.now());
    const reason = decisionReason(instance.definition, task.node, d.decision, tx.user.name);
    const run = await loadRun(tx, env, model, instance, reason);
    await store.updateTask(tx.db, tx.schema, task.id, {
      status: d.decision,
      decided_by: tx.user.id,
      decided_at: run.now,
      comment: d.comment ?? null,
    });
    await event(
      run,
      d.decision,
      task.node,
      { visit: task.visit, ...(d.linkId ? { via: 'link' } : {}) },
      {
        task: task.id,
        comment: d.comment ?? null,
      },
    );
    const node = run.graph.node(task.node);
    const remaining = await store.openTasksOfStep(tx.db, tx.schema, instance.id, task.node, task.visit);
    const settled = d.decision === 'rejected' || node?.data.mode !== 'all' || remaining.length === 0;
    if (settled) await concludeStep(run, task.node, d.decision);
    return (await store.instance(tx.db, tx.schema, instance.id)) as InstanceRow;
  });
}

/** Leaves a step by its outcome edge: the step's other open tasks are cancelled first. */
export async function concludeStep(run: Run, node: string, outcome: Outcome): Promise<void> {
  await store.cancelOpenTasks(run.ctx.db, run.ctx.schema, run.instance.id, run.now);
  const edge = run.graph.outcomeEdge(node, outcome);
  if (!edge) throw conflict(`Step "${node}" has no "${outcome}" edge`);
  await advance(run, edge.target);
}

/** Hands one open task to another user (who then decides it as their own). */
export async function delegate(
  ctx: Ctx,
  env: WorkflowEnv,
  model: Model,
  taskId: string,
  to: string,
): Promise<InstanceRow> {
  return runInUnitOfWork(ctx, async (tx) => {
    const { instance, task } = await lockOwnTask(tx, taskId);
    if (to === tx.user.id) throw badRequest('Cannot delegate a task to yourself', { field: 'to' });
    const target = await tx.db.withSchema(tx.schema).from(T.users).where({ id: to, active: true }).first('id');
    if (!target) throw badRequest('No active user with that id', { field: 'to' });
    const run = await loadRun(tx, env, model, instance, { text: ` delegated by ${tx.user.name}`, ref: {} });
    const assignee = await delegateOf(tx.db, tx.schema, to, run.now);
    await store.updateTask(tx.db, tx.schema, task.id, {
      status: 'delegated',
      decided_by: tx.user.id,
      decided_at: run.now,
    });
    const node = run.graph.node(task.node);
    if (!node) throw conflict(`Step "${task.node}" no longer exists`);
    await createTasks(run, node, task.visit, [{ assignee, delegatedFrom: task.assignee }], task.due_at);
    await event(run, 'delegated', task.node, { to: assignee }, { task: task.id });
    return instance;
  });
}

/**
 * The instance (locked first) and the task (locked second) when the task is the user's and still
 * open. Someone else's task, or none, is 404; a decided one 409.
 */
async function lockOwnTask(tx: TxCtx, taskId: string): Promise<{ instance: InstanceRow; task: TaskRow }> {
  const peek = await store.task(tx.db, tx.schema, taskId);
  if (!peek || peek.assignee !== tx.user.id) throw notFound('No such task');
  const instance = await store.lockInstance(tx.db, tx.schema, peek.instance_id);
  const task = await store.lockTask(tx.db, tx.schema, taskId);
  if (!instance || !task) throw notFound('No such task');
  if (task.status !== 'open' || instance.status !== 'pending')
    throw conflict(`The task is already ${task.status === 'open' ? instance.status : task.status}`, {
      status: task.status,
      instance: instance.status,
    });
  return { instance, task };
}

async function spendLink(tx: TxCtx, linkId: string, taskId: string, at: Date): Promise<void> {
  const inserted = await tx.db
    .withSchema(tx.schema)
    .insert({ token_id: linkId, task_id: taskId, used_at: at })
    .into(T.wfLinksUsed)
    .onConflict('token_id')
    .ignore()
    .returning('token_id');
  if (!inserted.length) throw conflict('This link has already been used');
}
