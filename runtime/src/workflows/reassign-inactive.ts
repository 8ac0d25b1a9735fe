import type { Model } from '../model/load-model';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { TxCtx } from '../tx/unit-of-work';
import { loadRun } from './load-run';
import { createTasks } from './nodes/approval';
import { resolveFallback } from './resolve-approvers';
import { event } from './transition';
import type { WorkflowEnv } from './workflow-env';
import { workflowStore as store } from './workflow-store';

/**
 * A deactivated approver's open tasks would wait forever: each goes down the step's fallback chain —
 * the approver's manager, the workflow's `fallbackRole`, then the tenant admins — in the
 * deactivation's transaction, and the trail says so (`escalated`, reason `deactivated`).
 */
export async function reassignTasksOfInactive(
  tx: TxCtx,
  env: WorkflowEnv,
  modelOf: () => Promise<Model>,
  userId: string,
): Promise<number> {
  const user = await tx.db.withSchema(tx.schema).from(T.users).where('id', userId).first('active', 'manager', 'name');
  if (!user || user.active) return 0;
  const open: Array<{ id: string; instance_id: string }> = await tx.db
    .withSchema(tx.schema)
    .from(T.wfTasks)
    .where({ assignee: userId, status: 'open' })
    .orderBy('instance_id')
    .select('id', 'instance_id');
  if (!open.length) return 0;
  // Only now: a tenant's first admin is created before its metadata exists.
  const model = await modelOf();
  let moved = 0;
  for (const { id, instance_id } of open) {
    // Instance first, then its record (loadRun), then the task: the engine's one lock order.
    const instance = await store.lockInstance(tx.db, tx.schema, instance_id);
    if (instance?.status !== 'pending') continue;
    const run = await loadRun(tx, env, model, instance, { text: ', approver deactivated', ref: { task: id } });
    const task = await store.lockTask(tx.db, tx.schema, id);
    const node = task ? run.graph.node(task.node) : undefined;
    if (task?.status !== 'open' || !node) continue;
    const found = await resolveFallback(
      tx.db,
      tx.schema,
      { submitter: instance.submitted_by, record: run.record, now: run.now },
      {
        escalationTo: user.manager ? { user: String(user.manager) } : undefined,
        fallbackRole: run.graph.definition.fallbackRole,
      },
    );
    await store.updateTask(tx.db, tx.schema, task.id, {
      status: 'escalated',
      decided_at: run.now,
      comment: 'Approver deactivated',
    });
    // The step's own deadline still holds for the people who take it over.
    await createTasks(
      run,
      node,
      task.visit,
      found.assignees.map((a) => ({ ...a, delegatedFrom: task.assignee })),
      task.due_at,
    );
    await event(
      run,
      'escalated',
      task.node,
      {
        reason: 'deactivated',
        from: task.assignee,
        to: found.assignees.map((a) => a.assignee),
        fallback: found.fallback === 'escalation' ? 'manager' : found.fallback,
        ...(found.role ? { role: found.role, roleLabel: model.roles[found.role]?.label ?? found.role } : {}),
      },
      { task: task.id, comment: `${user.name ?? 'The approver'} was deactivated` },
    );
    moved += 1;
  }
  return moved;
}
