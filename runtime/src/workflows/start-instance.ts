import type { Ctx } from '../ctx';
import { badRequest, conflict } from '../errors';
import type { Model } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import { runInUnitOfWork } from '../tx/unit-of-work';
import { advance } from './advance';
import { eventRow } from './transition';
import { matchTrigger } from './match-trigger';
import { lockRecordForSubmit, plain } from './record-rows';
import { submitReason, workflowCause } from './workflow-cause';
import { prefetchApprovers } from './resolve-approvers';
import type { Prefetched, Run, WorkflowEnv } from './workflow-env';
import { type WorkflowDefinition, WorkflowGraph } from './workflow-graph';
import { type InstanceRow, newInstanceId, workflowStore as store } from './workflow-store';

export interface SubmitInput {
  workflow?: string;
  comment?: string;
  /** A save-triggered start (automations/start-save-workflows.ts); default: a submit. */
  on?: 'create' | 'update';
  /**
   * A send-back (`afterApproval: reapprove`, after-approval.ts): the save that changed `fields` was
   * authorised by the records engine, and the workflow that approved the record starts again
   * whatever its trigger condition says now (the approval was given for the old values).
   */
  reapproval?: { workflow: string; after: string; fields: string[]; definition: WorkflowDefinition };
}

/**
 * Submits a record for approval: picks the workflow whose trigger matches (evaluated in the
 * sandbox), snapshots its definition on a new instance, marks the record pending and walks to the
 * first step, all in one transaction with the record row locked, so two submits cannot both start.
 */
export async function startInstance(
  ctx: Ctx,
  env: WorkflowEnv,
  deps: { model: Model; permissions: PermissionEngine },
  objectName: string,
  recordId: string,
  input: SubmitInput,
): Promise<InstanceRow> {
  const { model } = deps;
  const object = model.object(objectName);
  try {
    return await runInUnitOfWork(ctx, async (tx) => {
      // A submit changes the record (locks it, and end nodes write it): the submitter must reach it
      // as for an update — outside their read scope it does not exist (404, before anything about
      // it is evaluated, so the trigger answers nothing about hidden records), outside their update
      // scope 403. A start on save was authorised by the save itself.
      const guarded = input.on === undefined && !input.reapproval;
      const { row, record, pending } = await lockRecordForSubmit(
        tx.db,
        tx.schema,
        object,
        recordId,
        guarded ? { ctx: tx, model, permissions: deps.permissions } : undefined,
      );
      if (input.workflow !== undefined && model.workflows[input.workflow]?.object !== objectName)
        throw badRequest(`No workflow "${input.workflow}" for ${objectName}`);
      if (pending || record.approval_status === 'pending')
        throw conflict('The record is already pending approval', { instance: pending });
      const chosen = input.reapproval
        ? reapprovalWorkflow(model, objectName, input.reapproval)
        : await matchTrigger(env.scripts, tx, model, objectName, record, input.workflow, input.on);
      if (!chosen) throw badRequest(`The record meets no approval workflow's trigger`);
      const now = env.clock.now();
      const instanceId = newInstanceId();
      // The `submitted` event is written with the instance (one statement), before the record's
      // update: it is the first event of the instance either way.
      const submitted = eventRow(
        { ctx: tx, now, instance: { id: instanceId, object: objectName, record_id: recordId } },
        'submitted',
        null,
        {
          workflow: chosen.name,
          version: model.version,
          ...(input.reapproval
            ? { reapproval: { after: input.reapproval.after, fields: input.reapproval.fields } }
            : {}),
        },
        { comment: input.comment ?? null },
      );
      const graph = new WorkflowGraph(chosen.definition);
      // The first step's approvers are read by the instance's statement (from the record as read
      // above; the step checks they still match the record after its update).
      const first = graph.node(graph.out(graph.start()?.id ?? '')[0]?.target ?? '');
      const prefetch =
        first?.type === 'approval'
          ? prefetchApprovers(tx.db, tx.schema, first.data.approvers ?? [], record, now)
          : undefined;
      const { instance, also: fetched } = await store.insertInstanceWithEvent(
        tx.db,
        tx.schema,
        {
          id: instanceId,
          workflow: chosen.name,
          meta_version: model.version,
          definition: chosen.definition,
          object: objectName,
          record_id: recordId,
          status: 'pending',
          current_node: null,
          submitted_by: tx.user.id,
          submitted_at: now,
          comment: input.comment ?? null,
        },
        submitted,
        prefetch,
      );
      const run: Run = {
        ctx: tx,
        env,
        model,
        object,
        instance,
        graph,
        record,
        now,
        reason: input.reapproval
          ? {
              text: ` sent back for approval by ${tx.user.name} (changed ${input.reapproval.fields.join(', ')})`,
              ref: {},
            }
          : submitReason(tx, input.on),
        ...(first && fetched ? { prefetched: { node: first.id, ...(fetched as Omit<Prefetched, 'node'>) } } : {}),
      };
      const updated = await env.records.systemUpdate(
        tx,
        objectName,
        recordId,
        {},
        {
          cause: workflowCause(run),
          passLock: true,
          approvalStatus: 'pending',
          // Locked above, in this transaction, and not written since.
          locked: row,
        },
      );
      run.record = plain(updated);
      run.lockedRow = updated;
      const start = graph.start();
      if (!start) throw badRequest(`Workflow ${chosen.name} has no start node`);
      await advance(run, start.id);
      // The nodes keep `run.instance` up to date as they write it.
      return run.instance;
    });
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw conflict('The record is already pending approval');
    throw e;
  }
}

/**
 * The workflow a send-back starts: the one that approved the record, as published now; when it was
 * removed or deactivated since, the snapshot the approval ran on (an approval that must be given
 * again never silently lapses).
 */
function reapprovalWorkflow(
  model: Model,
  object: string,
  approved: { workflow: string; definition: WorkflowDefinition },
): { name: string; definition: WorkflowDefinition } {
  const name = approved.workflow;
  const current = model.workflows[name];
  if (current && current.object === object && current.active !== false) return { name, definition: current };
  return { name, definition: approved.definition };
}
