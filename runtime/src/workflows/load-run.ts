import type { Model } from '../model/load-model';
import type { TxCtx } from '../tx/unit-of-work';
import type { RecordData } from '../scripts';
import { lockRecord } from './record-rows';
import type { TransitionReason } from './workflow-cause';
import type { Run, WorkflowEnv } from './workflow-env';
import { WorkflowGraph } from './workflow-graph';
import type { InstanceRow } from './workflow-store';

/** A run over a locked instance: locks its record too (always after the instance: one lock order). */
export async function loadRun(
  ctx: TxCtx,
  env: WorkflowEnv,
  model: Model,
  instance: InstanceRow,
  reason: TransitionReason,
): Promise<Run> {
  const object = model.object(instance.object);
  const record = await lockRecord(ctx.db, ctx.schema, object, instance.record_id);
  return runOf(ctx, env, model, instance, reason, record);
}

/** A run over a locked instance whose record the caller has locked and read already. */
export function runOf(
  ctx: TxCtx,
  env: WorkflowEnv,
  model: Model,
  instance: InstanceRow,
  reason: TransitionReason,
  record: RecordData,
): Run {
  const object = model.object(instance.object);
  return {
    ctx,
    env,
    model,
    object,
    instance,
    graph: new WorkflowGraph(instance.definition),
    record,
    now: env.clock.now(),
    reason,
  };
}
