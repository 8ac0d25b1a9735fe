import type { Ctx } from '../ctx';
import { type AppError, badRequest, conflict, notFound } from '../errors';
import type { Model } from '../model/load-model';
import { SYSTEM_TABLE as T, tableOf } from '../model/naming';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { advance } from './advance';
import { createTasks } from './nodes/approval';
import { eventRow } from './transition';
import { loadRun, runOf } from './load-run';
import { plain } from './record-rows';
import { delegateOf, prefetchApprovers } from './resolve-approvers';
import { decisionReason } from './workflow-cause';
import type { Prefetched, Run, WorkflowEnv } from './workflow-env';
import { type Outcome, WorkflowGraph } from './workflow-graph';
import { type InstanceRow, type TaskClaim, type TaskRow, workflowStore as store } from './workflow-store';

export interface Decision {
  decision: Outcome;
  comment?: string;
  /** The id of a single-use link being spent (recorded in the same transaction). */
  linkId?: string;
}

/**
 * Approve or reject one task. Locks the instance, then claims the task under that lock: of two
 * approvers deciding at once exactly one changes anything, the other gets 409. The step is
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
    const now = env.clock.now();
    const graph = new WorkflowGraph(instance.definition);
    const node = graph.node(task.node);
    // Known before the write unless an `all` step is approved: then the step's other tasks decide.
    const settledNow = d.decision === 'rejected' || node?.data.mode !== 'all';
    // The step the decision leads to, when it is an approval step: its approvers are read by the
    // claim (from the record it locks), not by a statement of their own.
    const target = settledNow ? graph.node(graph.outcomeEdge(task.node, d.decision)?.target ?? '') : undefined;
    const next = target?.type === 'approval' ? target : undefined;
    const prefetch = next && prefetchApprovers(tx.db, tx.schema, next.data.approvers ?? [], 'l', now);
    // The claim locks the record in the same statement, only when it wins: a duplicate decision is
    // refused without touching the record; every transition holds the instance first, so the order
    // of the rest cannot deadlock.
    const claim = await claimOrConflict(tx, instance, task, {
      patch: { status: d.decision, decided_by: tx.user.id, decided_at: now, comment: d.comment ?? null },
      cancelOthers: settledNow,
      event: eventRow(
        { ctx: tx, instance, now },
        d.decision,
        task.node,
        { visit: task.visit, ...(d.linkId ? { via: 'link' } : {}) },
        { task: task.id, comment: d.comment ?? null },
      ),
      lockRecord: { table: `${tx.schema}.${tableOf(instance.object)}`, id: instance.record_id },
      ...(prefetch ? { also: prefetch } : {}),
    });
    if (!claim.record) throw notFound(`No ${instance.object} record ${instance.record_id}`);
    const reason = decisionReason(instance.definition, task.node, d.decision, tx.user.name);
    const run = runOf(tx, env, model, instance, reason, plain(claim.record));
    run.lockedRow = claim.record;
    const fetched = claim.also as Omit<Prefetched, 'node'> | undefined;
    if (next && fetched) run.prefetched = { node: next.id, ...fetched };
    run.now = now;
    if (settledNow) run.tasksClosed = true;
    const settled =
      settledNow || (await store.openTasksOfStep(tx.db, tx.schema, instance.id, task.node, task.visit)).length === 0;
    if (settled) await concludeStep(run, task.node, d.decision);
    return run.instance;
  });
}

/** Leaves a step by its outcome edge: the step's other open tasks are cancelled first. */
export async function concludeStep(run: Run, node: string, outcome: Outcome): Promise<void> {
  if (!run.tasksClosed) await store.cancelOpenTasks(run.ctx.db, run.ctx.schema, run.instance.id, run.now);
  run.tasksClosed = true;
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
    const node = run.graph.node(task.node);
    if (!node) throw conflict(`Step "${task.node}" no longer exists`);
    const assignee = await delegateOf(tx.db, tx.schema, to, run.now);
    await claimOrConflict(tx, instance, task, {
      patch: { status: 'delegated', decided_by: tx.user.id, decided_at: run.now },
      cancelOthers: false,
      event: eventRow(run, 'delegated', task.node, { to: assignee }, { task: task.id }),
    });
    await createTasks(run, node, task.visit, [{ assignee, delegatedFrom: task.assignee }], task.due_at);
    return instance;
  });
}

/**
 * The instance (locked) of a task of the user's, when the task was open as read with the lock.
 * Someone else's task, or none, is 404; a decided one 409. The task may still have been decided by
 * whoever held the lock before us: `claimOrConflict` finds that out when it writes.
 */
async function lockOwnTask(tx: TxCtx, taskId: string): Promise<{ instance: InstanceRow; task: TaskRow }> {
  const found = await store.lockInstanceOfTask(tx.db, tx.schema, taskId, tx.user.id);
  if (!found) throw notFound('No such task');
  const { instance, task } = found;
  if (task.status !== 'open' || instance.status !== 'pending') throw alreadyDecided(task.status, instance.status);
  return found;
}

function alreadyDecided(task: string | null, instance: string): AppError {
  return conflict(`The task is already ${task === 'open' ? instance : task}`, { status: task, instance });
}

/** Decides the task (and writes its event) if it is still open, else 409 as `lockOwnTask` would. */
async function claimOrConflict(
  tx: TxCtx,
  instance: InstanceRow,
  task: TaskRow,
  c: Pick<Parameters<typeof store.claimTask>[2], 'patch' | 'cancelOthers' | 'event' | 'lockRecord'>,
): Promise<TaskClaim> {
  const claim = await store.claimTask(tx.db, tx.schema, { task: task.id, instance: instance.id, ...c });
  if (!claim.claimed) throw alreadyDecided(claim.status, instance.status);
  return claim;
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
