import type { Ctx } from '../ctx';
import { conflict, notFound } from '../errors';
import type { Model } from '../model/load-model';
import { runInUnitOfWork } from '../tx/unit-of-work';
import { event } from './advance';
import { loadRun } from './load-run';
import { recallReason, workflowCause } from './workflow-cause';
import type { WorkflowEnv } from './workflow-env';
import { type InstanceRow, workflowStore as store } from './workflow-store';

/**
 * The submitter (or an admin) withdraws a pending instance: open tasks are cancelled and the record
 * is editable again. Takes the same instance lock as a decision, so approve and recall racing end
 * with exactly one of them applied and the other answered 409.
 */
export async function recall(
  ctx: Ctx,
  env: WorkflowEnv,
  model: Model,
  instanceId: string,
  comment?: string,
): Promise<InstanceRow> {
  return runInUnitOfWork(ctx, async (tx) => {
    const instance = await store.lockInstance(tx.db, tx.schema, instanceId);
    if (!instance || (instance.submitted_by !== tx.user.id && !tx.isAdmin)) throw notFound('No such approval instance');
    if (instance.status !== 'pending')
      throw conflict(`The approval is already ${instance.status}`, { status: instance.status });
    const run = await loadRun(tx, env, model, instance, recallReason(tx));
    await store.cancelOpenTasks(tx.db, tx.schema, instance.id, run.now);
    await store.updateInstance(tx.db, tx.schema, instance.id, { status: 'recalled', finished_at: run.now });
    await env.records.systemUpdate(
      tx,
      run.object.name,
      instance.record_id,
      {},
      {
        cause: workflowCause(run),
        passLock: true,
        approvalStatus: 'none',
      },
    );
    await event(run, 'recalled', instance.current_node, {}, { comment: comment ?? null });
    return (await store.instance(tx.db, tx.schema, instance.id)) as InstanceRow;
  });
}
