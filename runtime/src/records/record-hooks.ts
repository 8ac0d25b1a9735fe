/**
 * Lifecycle events of records on the hook bus: plugins and workflows rely on these names and
 * payload shapes (documented in docs/records.md), so they only ever grow.
 *
 * - `record.beforeCreate` / `record.beforeUpdate` / `record.beforeDelete`: filter hooks, in the save
 *   transaction, after validation and before the scripts; they may change `record`/`patch` or throw
 *   an `AppError` to refuse the save.
 * - `record.rowWritten`: a filter hook, in the save transaction, after the row and its audit entry
 *   are written (each record of a batch, line items included): may refuse the save by throwing, or
 *   do more work in the same transaction (the approval engine's send-back after an approval).
 * - `record.afterCreate` / `record.afterUpdate` / `record.afterDelete`: action hooks, after commit.
 * - `record.written`: a filter hook in the save transaction after the rows, audit and roll-ups are
 *   written, with every change of the batch: work that must commit (or roll back) with the change.
 *
 * Every change to a record comes through these events, whoever makes it: a user, an import or its
 * revert, a workflow step, an automation rule, a script, a plugin. `cause` says what made a change
 * that was not a person editing the record.
 */
import type { ChangeCause } from '../change-cause';

export type RecordData = Record<string, unknown>;

export const RECORD_EVENTS = {
  beforeCreate: 'record.beforeCreate',
  beforeUpdate: 'record.beforeUpdate',
  beforeDelete: 'record.beforeDelete',
  rowWritten: 'record.rowWritten',
  afterCreate: 'record.afterCreate',
  afterUpdate: 'record.afterUpdate',
  afterDelete: 'record.afterDelete',
  written: 'record.written',
} as const;

export interface BeforeCreatePayload {
  object: string;
  /** The validated values about to be inserted (mutable). */
  record: RecordData;
  cause?: ChangeCause;
}

export interface BeforeUpdatePayload {
  object: string;
  id: string;
  /** The validated changes about to be applied (mutable). */
  patch: RecordData;
  old: RecordData;
  /** A tenant admin writes through the approval lock. */
  override?: boolean;
  cause?: ChangeCause;
  /** The approval engine itself writes the record (a step's fields, the approval status). */
  passLock?: boolean;
}

export interface BeforeDeletePayload {
  object: string;
  id: string;
  old: RecordData;
  /** A tenant admin deletes through the approval lock. */
  override?: boolean;
  cause?: ChangeCause;
}

export interface AfterSavePayload {
  object: string;
  id: string;
  action: 'create' | 'update' | 'delete' | 'restore';
  record: RecordData;
  old: RecordData | null;
  /** `{field: [old, new]}` of what changed. */
  changes: Record<string, [unknown, unknown]>;
  /** What made the change, when not a person editing the record. */
  cause?: ChangeCause;
}

/** `record.written`: the changes of one write of one object (a save, a batch, a delete). */
export interface WrittenPayload {
  object: string;
  action: AfterSavePayload['action'];
  events: AfterSavePayload[];
}

/** `record.rowWritten`: one record just written, in the save's transaction. */
export interface RowWrittenPayload {
  object: string;
  id: string;
  action: 'create' | 'update' | 'delete' | 'restore';
  /** The row as written (every column). */
  record: RecordData;
  old: RecordData | null;
  changes: Record<string, [unknown, unknown]>;
  cause?: ChangeCause;
  /** Set by a hook that wrote this record again (through the records engine): the save answers the row as it is now. */
  rewritten?: boolean;
}
