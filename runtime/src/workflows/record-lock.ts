import type { Ctx } from '../ctx';
import { recordLocked } from '../errors';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { Clock } from '../clock';
import { workflowStore as store } from './workflow-store';

/**
 * The records engine's lock check: a record with a pending approval instance cannot be updated or
 * deleted (409 RECORD_LOCKED). The instance table, not the record's `approval_status` column, is the
 * authority, so even a write that tampers with the column cannot skip a step. An admin may override
 * with `override: true`; the override is written to the approval history in the caller's transaction.
 */
export async function assertEditable(
  ctx: Ctx,
  clock: Clock,
  object: string,
  recordId: string,
  opts: { override?: boolean; operation?: 'update' | 'delete' } = {},
): Promise<void> {
  const pending = await store.pendingInstanceOf(ctx.db, ctx.schema, object, recordId);
  if (!pending) return;
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
