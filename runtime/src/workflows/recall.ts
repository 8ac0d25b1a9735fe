import type { Ctx } from '../ctx';
import { conflict, isAppError, notFound } from '../errors';
import type { Model } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import { resolveRecord } from '../records/record-guard';
import { runInUnitOfWork } from '../tx/unit-of-work';
import { event } from './transition';
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
  deps: { model: Model; permissions: PermissionEngine },
  instanceId: string,
  comment?: string,
): Promise<InstanceRow> {
  const { model } = deps;
  return runInUnitOfWork(ctx, async (tx) => {
    const unknown = () => notFound('No such approval instance');
    const instance = await store.lockInstance(tx.db, tx.schema, instanceId);
    if (!instance || (instance.submitted_by !== tx.user.id && !tx.isAdmin)) throw unknown();
    // Recalling changes the record: a submitter who can no longer read it cannot reach it this way either.
    await resolveRecord(tx, model, deps.permissions, instance.object, instance.record_id, { columns: ['id'] }).catch(
      (e) => {
        throw isAppError(e) && e.code === 'NOT_FOUND' ? unknown() : e;
      },
    );
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
