import { AppError, validationFailed } from '../errors';
import type { RecordData } from '../scripts';
import { SYSTEM_USER_ID } from '../system-ctx';
import { plain } from './record-rows';
import { workflowCause } from './workflow-cause';
import type { Run } from './workflow-env';
import type { WorkflowNode } from './workflow-graph';
import { type EventRow, workflowStore as store } from './workflow-store';

// Shared by every node type's `execute` (and the decide, recall and escalate paths): history, the write path, the script user.

const actorOf = (run: Pick<Run, 'ctx'>) => (run.ctx.user.id === SYSTEM_USER_ID ? null : run.ctx.user.id);

/**
 * Saves a node's fields (and the outcome, at an end node) through the records engine, like a plain
 * update of the record (validation, hooks, scripts, formulas, roll-ups, audit, after-save rules), as
 * the transition's author and through the approval lock, with the transition as its cause.
 */
export async function setFields(
  run: Run,
  node: WorkflowNode,
  fields: RecordData,
  status?: 'approved' | 'rejected',
): Promise<void> {
  if (!Object.keys(fields).length && !status) return;
  const locked = run.lockedRow;
  run.lockedRow = undefined;
  try {
    const row = await run.env.records.systemUpdate(run.ctx, run.object.name, run.instance.record_id, fields, {
      cause: workflowCause(run, node),
      passLock: true,
      ...(status ? { approvalStatus: status } : {}),
      ...(locked ? { locked } : {}),
    });
    run.record = plain(row);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'VALIDATION_FAILED') throw e;
    throw validationFailed(`Workflow ${run.instance.workflow} sets fields that are not valid: ${e.message}`, e.fields);
  }
}

export async function event(
  run: Run,
  action: string,
  node: string | null,
  data: Record<string, unknown> = {},
  extra: { task?: string; comment?: string | null } = {},
): Promise<void> {
  await store.insertEvent(run.ctx.db, run.ctx.schema, eventRow(run, action, node, data, extra));
}

/** A history row of the run (written by `event`, or by a statement that writes more with it). */
export function eventRow(
  run: Pick<Run, 'ctx' | 'now'> & { instance: Pick<Run['instance'], 'id' | 'object' | 'record_id'> },
  action: string,
  node: string | null,
  data: Record<string, unknown> = {},
  extra: { task?: string; comment?: string | null } = {},
): EventRow {
  return {
    instance_id: run.instance.id,
    task_id: extra.task ?? null,
    object: run.instance.object,
    record_id: run.instance.record_id,
    action,
    node,
    actor: actorOf(run),
    actor_name: run.ctx.user.name,
    comment: extra.comment ?? null,
    data,
    at: run.now,
  };
}

export function scriptUser(run: Run) {
  const { id, email, name, roles, manager } = run.ctx.user;
  return { id, email, name, roles, manager };
}
