import { changeCause } from '../change-cause';
import type { Ctx } from '../ctx';
import { AppError, badRequest, conflict, forbidden, invalidFields } from '../errors';
import type { Model } from '../model/load-model';
import type { PermissionEngine } from '../permissions/object-access';
import { resolveRecord } from '../records/record-guard';
import type { RowWrittenPayload } from '../records/record-hooks';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { lockRecord, readRecord } from './record-rows';
import { startInstance } from './start-instance';
import type { WorkflowEnv } from './workflow-env';
import type { WorkflowDefinition } from './workflow-graph';
import { type InstanceRow, workflowStore as store } from './workflow-store';

type AfterApproval = NonNullable<WorkflowDefinition['afterApproval']>;

/**
 * What holds a record after its final approval (`afterApproval` of the workflow that approved it,
 * as snapshotted on that instance, so publishing a new version never unlocks approved records):
 * the last instance of the record must be approved and the record still `approved` (an admin's
 * unlock, a recall or a new submit end it).
 */
export async function approvalHold(
  ctx: Ctx,
  object: string,
  recordId: string,
  status: unknown,
): Promise<{ instance: InstanceRow; after: AfterApproval } | undefined> {
  if (status !== 'approved') return undefined;
  const last = await store.lastInstanceOf(ctx.db, ctx.schema, object, recordId);
  const after = last?.definition.afterApproval;
  if (last?.status !== 'approved' || !after || after.mode === 'none') return undefined;
  return { instance: last, after };
}

/** The objects some workflow holds after approval: saves of other objects skip every check. */
export function holdsAfterApproval(model: Model, object: string): boolean {
  return Object.values(model.workflows).some(
    (w) => w.object === object && w.afterApproval !== undefined && w.afterApproval.mode !== 'none',
  );
}

export function approvedLock(objectLabel: string, instance: InstanceRow): AppError {
  return new AppError(
    'RECORD_LOCKED',
    `The ${objectLabel} is approved (${instance.workflow}) and locked against changes; a tenant admin may unlock it with a reason`,
    { details: { reason: 'approved', workflow: instance.workflow, instance: instance.id } },
  );
}

/**
 * After a write, in its transaction: a change to a held record — the record itself or one of its
 * line items (the parent's children field, e.g. `lines`, counts as changed) — is refused when the
 * hold is `lock` (line items: the parent's own update is refused before it is written), and sends the
 * record back for approval when the hold is `reapprove` and a listed field changed: the approval
 * status returns to pending and a new instance of the same workflow starts, submitted by the
 * writer. The approval engine's own writes never count.
 */
export async function afterRecordWritten(
  tx: TxCtx,
  env: WorkflowEnv,
  deps: { model: Model; permissions: PermissionEngine },
  p: RowWrittenPayload,
): Promise<void> {
  if (p.cause?.kind === 'workflow') return;
  const { model } = deps;
  const object = model.objects.get(p.object);
  if (!object) return;
  if (object.parent && holdsAfterApproval(model, object.parent.object)) {
    const parent = model.object(object.parent.object);
    const ids = new Set(
      [p.record?.[object.parent.field], p.old?.[object.parent.field]].filter((v): v is string => typeof v === 'string'),
    );
    for (const id of ids) {
      const row = await readRecord(tx.db, tx.schema, parent, id);
      const hold = await approvalHold(tx, parent.name, id, row?.approval_status);
      if (!hold) continue;
      if (hold.after.mode === 'lock') throw approvedLock(parent.label.toLowerCase(), hold.instance);
      if (hold.after.fields?.includes(object.parent.children))
        await reapprove(tx, env, deps, parent.name, id, hold.instance, [object.parent.children]);
    }
  }
  if (p.action !== 'update' || !holdsAfterApproval(model, p.object)) return;
  const hold = await approvalHold(tx, p.object, p.id, p.old?.approval_status);
  if (!hold) return;
  // The lock itself answered before the write (record-lock.ts); here only a send-back remains.
  if (hold.after.mode !== 'reapprove') return;
  const changed = (hold.after.fields ?? []).filter((f) => f in p.changes);
  if (changed.length && (await reapprove(tx, env, deps, p.object, p.id, hold.instance, changed))) p.rewritten = true;
}

async function reapprove(
  tx: TxCtx,
  env: WorkflowEnv,
  deps: { model: Model; permissions: PermissionEngine },
  object: string,
  id: string,
  approved: InstanceRow,
  changed: string[],
): Promise<boolean> {
  // One send-back per save: a quote saved with new lines and a new discount starts one instance.
  if (await store.pendingInstanceOf(tx.db, tx.schema, object, id)) return false;
  await startInstance(tx, env, deps, object, id, {
    reapproval: { workflow: approved.workflow, after: approved.id, fields: changed, definition: approved.definition },
    comment: `Changed after approval: ${changed.join(', ')}`,
  });
  return true;
}

/**
 * A tenant admin unlocks a record held by `afterApproval: lock`, with a reason: the approval no
 * longer holds (status `none`; submit it again to approve the changed record). The reason is in the
 * record's history (the change's cause) and in the approval trail (`unlocked` event).
 */
export async function unlockRecord(
  ctx: Ctx,
  env: WorkflowEnv,
  deps: { model: Model; permissions: PermissionEngine },
  objectName: string,
  id: string,
  reason: unknown,
): Promise<{ approval_status: string }> {
  const { model } = deps;
  const object = model.object(objectName);
  await resolveRecord(ctx, model, deps.permissions, objectName, id, { columns: ['id'] });
  if (!ctx.isAdmin) throw forbidden('Only tenant admins may unlock an approved record');
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (!text) throw invalidFields('Say why the record is unlocked', { reason: { code: 'required' } });
  if (text.length > 1000) throw badRequest('The reason is longer than 1000 characters');
  return runInUnitOfWork(ctx, async (tx) => {
    const row = await lockRecord(tx.db, tx.schema, object, id);
    const hold = await approvalHold(tx, objectName, id, row.approval_status);
    if (hold?.after.mode !== 'lock') throw conflict('The record is not locked after an approval');
    const now = env.clock.now();
    await env.records.systemUpdate(
      tx,
      objectName,
      id,
      {},
      {
        cause: changeCause('workflow', `unlocked by ${tx.user.name}: ${text}`, {
          workflow: hold.instance.workflow,
          instance: hold.instance.id,
          unlock: text,
        }),
        passLock: true,
        approvalStatus: 'none',
      },
    );
    await store.insertEvent(tx.db, tx.schema, {
      instance_id: hold.instance.id,
      object: objectName,
      record_id: id,
      action: 'unlocked',
      node: hold.instance.current_node,
      actor: tx.user.id,
      actor_name: tx.user.name,
      comment: text,
      data: { reason: text },
      at: now,
    });
    return { approval_status: 'none' };
  });
}
