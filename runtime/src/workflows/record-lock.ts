import type { Ctx } from '../ctx';
import { recordLocked } from '../errors';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { Clock } from '../clock';
import { approvalHold, approvedLock } from './after-approval';
import { workflowStore as store } from './workflow-store';

/**
 * The records engine's lock check: a record with a pending approval instance cannot be updated or
 * deleted (409 RECORD_LOCKED). The instance table, not the record's `approval_status` column, is the
 * authority, so even a write that tampers with the column cannot skip a step. An admin may override
 * with `override: true`; the override is written to the approval history in the caller's transaction.
 * A record approved by a workflow with `afterApproval: lock` is locked too (`status`: the record's
 * approval status as read for the write); no override passes that lock: an admin unlocks it with a
 * reason (after-approval.ts), so every change after an approval is explained.
 */
export async function assertEditable(
  ctx: Ctx,
  clock: Clock,
  object: string,
  recordId: string,
  opts: { override?: boolean; operation?: 'update' | 'delete'; status?: unknown; label?: string } = {},
): Promise<void> {
  const pending = await store.pendingInstanceOf(ctx.db, ctx.schema, object, recordId);
  if (!pending) {
    const hold = await approvalHold(ctx, object, recordId, opts.status);
    if (hold?.after.mode === 'lock') throw approvedLock(opts.label ?? object, hold.instance);
    return;
  }
  if (!(opts.override && ctx.isAdmin))
    throw recordLocked(`The ${object} record is pending approval (${pending.workflow}) and cannot be edited`);
  await ctx.db
    .withSchema(ctx.schema)
    .insert({
      instance_id: pending.id,
      object,
      record_id: recordId,
      action: 'override',
      node: pending.current_node,
      actor: ctx.user.id,
      actor_name: ctx.user.name,
      data: JSON.stringify({ operation: opts.operation ?? 'update' }),
      at: clock.now(),
    })
    .into(T.wfEvents);
}
