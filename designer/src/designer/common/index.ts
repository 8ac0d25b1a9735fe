export * from './meta-write-api';
export { PublishDialog, type PublishDialogProps } from './publish-dialog';
export {
  describePublishError,
  errorsUnder,
  itemIssues,
  summaryLines,
  type PublishFailure,
  type PublishProblem,
} from './publish-problems';
export { UnsavedChangesGuard, useUnsavedChangesGuard } from './use-unsaved-changes-guard';
export { type ItemDraft, type ItemPublishOptions, useItemDraft, useItemPublish } from './use-item-publish';
export { useUndoHistory, useUndoShortcuts, type UndoHistory } from './use-undo-history';
export { presentEntries, QueryState } from './query-state';
export { MetaDocumentGate } from './meta-document-gate';
