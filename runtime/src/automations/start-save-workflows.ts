import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Model } from '../model/load-model';
import type { AfterSavePayload } from '../records/record-hooks';
import type { TxCtx } from '../tx/unit-of-work';

/** Starts the first active workflow of the record's object triggered on this save whose condition holds. */
export type SaveWorkflowStarter = (ctx: TxCtx, object: string, id: string, on: 'create' | 'update') => Promise<void>;

/**
 * Workflows with `trigger.on: create | update | save`: after a save commits, in the outbox handler's
 * transaction, as the user who saved (the submitter). It runs in a savepoint: a record already pending,
 * no condition holding, or a failing start leaves the save and the other after-save work alone.
 */
export async function startSaveWorkflows(
  tx: TxCtx,
  model: Model,
  event: AfterSavePayload,
  start: SaveWorkflowStarter,
  logger: Logger,
): Promise<void> {
  const on = event.action;
  if (on !== 'create' && on !== 'update') return;
  // A workflow's own writes (its fields, the approval status) never start a workflow: an approved
  // or recalled record would otherwise be submitted again by the change that settled it.
  if (event.cause?.kind === 'workflow') return;
  const any = Object.values(model.workflows).some(
    (w) => w.object === event.object && w.active !== false && (w.trigger?.on === on || w.trigger?.on === 'save'),
  );
  if (!any || event.record.approval_status === 'pending') return;
  try {
    await tx.db.transaction((sp) => start({ ...tx, db: sp, uow: { ...tx.uow, trx: sp } }, event.object, event.id, on));
  } catch (err) {
    // "No workflow's trigger holds" and "already pending" are the normal ways of not starting.
    if (err instanceof AppError && (err.status === 400 || err.status === 409)) return;
    logger.warn({ err, tenant: tx.tenant, object: event.object, id: event.id }, 'workflow start on save failed');
  }
}
