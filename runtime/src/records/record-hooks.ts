/**
 * Lifecycle events of records on the hook bus: plugins and workflows rely on these names and
 * payload shapes (documented in docs/records.md), so they only ever grow.
 *
 * - `record.beforeCreate` / `record.beforeUpdate` / `record.beforeDelete`: filter hooks, in the save
 *   transaction, after validation and before the scripts; they may change `record`/`patch` or throw
 *   an `AppError` to refuse the save.
 * - `record.afterCreate` / `record.afterUpdate` / `record.afterDelete`: action hooks, after commit.
 */
export type RecordData = Record<string, unknown>;

export const RECORD_EVENTS = {
  beforeCreate: 'record.beforeCreate',
  beforeUpdate: 'record.beforeUpdate',
  beforeDelete: 'record.beforeDelete',
  afterCreate: 'record.afterCreate',
  afterUpdate: 'record.afterUpdate',
  afterDelete: 'record.afterDelete',
} as const;

export interface BeforeCreatePayload {
  object: string;
  /** The validated values about to be inserted (mutable). */
  record: RecordData;
}

export interface BeforeUpdatePayload {
  object: string;
  id: string;
  /** The validated changes about to be applied (mutable). */
  patch: RecordData;
  old: RecordData;
  /** A tenant admin writes through the approval lock. */
  override?: boolean;
}

export interface BeforeDeletePayload {
  object: string;
  id: string;
  old: RecordData;
  /** A tenant admin deletes through the approval lock. */
  override?: boolean;
}

export interface AfterSavePayload {
  object: string;
  id: string;
  action: 'create' | 'update' | 'delete' | 'restore';
  record: RecordData;
  old: RecordData | null;
  /** `{field: [old, new]}` of what changed. */
  changes: Record<string, [unknown, unknown]>;
}
