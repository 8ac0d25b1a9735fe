export * from './errors';
export * from './ctx';
export { type ChangeCause, changeCause } from './change-cause';
export * from './clock';
export * from './config';
export { connectDb, pingDb, type Db, type DbOptions } from './db/connect-db';
export {
  DATABASE_RETRY_AFTER_S,
  isDatabaseUnavailable,
  isStaleShape,
  translateDatabaseError,
} from './db/translate-database-error';
export { withIndexPhaseLease } from './schema/reconcile-indexes';
export { DbLoad, defaultDbLoadConfig, type DbLoadConfig, type DbLoadStats, type DbTimeouts } from './db/db-load';
export { Admission, type AdmissionConfig, type DbLane, type GoneSignal, QUEUE_FULL } from './db/admission';
export { createRuntime, type Runtime, type RuntimeOptions } from './create-runtime';
export type { NewTenant, TenantRow } from './tenants/tenant-service';
export type { NewUser, UserPatch } from './users/user-service';
export type { PublicUser } from './users/user-row';
export type { Delivery, ImportRow, InviteInput } from './users/user-admin-service';
export type { Logger } from './logger';
export {
  parseIdempotencyKey,
  withIdempotencyKey,
  type KeyedAnswer,
  type KeyedWrite,
} from './records/idempotent-write';
export { runInUnitOfWork, type TxCtx, type UnitOfWork } from './tx/unit-of-work';
export type { ActionHook, FilterHook, HookBus } from './events/hook-bus';
export type { Outbox, OutboxHandler } from './events/outbox';
export { systemCtx, SYSTEM_USER_ID } from './system-ctx';
export * from './permissions/object-access';
export type { PermissionService } from './permissions/permission-service';
export type { AccessExplanation, AccessReason, OperationVerdict } from './permissions/explain-access';
export type { EffectivePermissions, EffectiveObjectPermissions } from './permissions/effective-permissions';
export type { PortalCase, PortalComment, PortalMe, PortalObject } from './portal/portal-service';
export type { RecordShare, ShareInput, ShareLevel } from './permissions/share-service';
export { NO_ROWS, scopeFilter, sharedWithFilter } from './permissions/row-predicate';
export { mayTransferOwnership } from './permissions/may-transfer-ownership';
export { deleteRecordShares } from './permissions/share-service';
export * from './scripts';
export type { ChildrenModel, FieldModel, Model, ObjectModel, RollupModel } from './model/load-model';
export { loadModel } from './model/load-model';
export type { RecordValidators, ValidationResult } from './model/record-validators';
export { nextAutonumber } from './model/autonumber';
export { META_SECTIONS, type MetaSection, type SectionCheck, type SectionCheckInput } from './meta/section-checks';
export type { ApplyOptions, ApplyResult, MetaService, PlanResult, PublicStep } from './meta/meta-service';
export type { DocumentPatch } from './meta/document-patch';
export type { HistoryEntry } from './meta/meta-store';
export type {
  SampleDataLoader,
  TemplateApplyResult,
  TemplateDefinition,
  TemplateInfo,
  TemplateRegistry,
} from './templates/template-registry';
export { planMigration, type MigrationPlan, type PlanStep } from './schema/plan-migration';
export { checkPluginMigrations, runPluginMigrations, type PluginMigration } from './plugins/plugin-migrations';
export { pluginTable, pluginTablePrefix } from './model/naming';
export type { TenantCreatedHook } from './tenants/tenant-service';
export { sampleDataLoader, type SampleDataDeps } from './templates/load-sample-data';
export {
  RECORD_LOCK_EVENTS,
  WorkflowEngine,
  type RecordWritePayload,
  type WorkflowOptions,
} from './workflows/workflow-engine';
export type { EscalationReport } from './workflows/escalate';
export { sendOutbox, type EmailSenderOptions, type MailTransport, type SendReport } from './mail/email-sender';
export { smtpTransport } from './mail/smtp-transport';
export type {
  InboundMailConfig,
  InboundMailService,
  ReceiveOutcome,
  ReplyResult,
  ReplyTarget,
} from './inbound-mail/inbound-mail-service';
export type { InboundAddress, InboundMailSettings } from './inbound-mail/inbound-mail-settings';
export { startSmtpListener, type SmtpListener, type SmtpListenerOptions } from './inbound-mail/smtp-listener';
export type { InboxItem } from './workflows/approval-queries';
export type { DelegationInput, DelegationView } from './workflows/delegations';
export { validateGraph, type GraphIssue } from './workflows/validate-graph';
export {
  registerWorkflowNodeType,
  workflowNodeType,
  workflowNodeTypeInfos,
  workflowNodeTypes,
} from './workflows/nodes/node-registry';
export type {
  GraphCheck,
  ModelCheck,
  PaletteEntry,
  PaletteHandle,
  SimulatedStep,
  SimulationVisit,
  WorkflowNodeType,
} from './workflows/nodes/node-type';
export { event as recordWorkflowEvent, setFields as setWorkflowFields } from './workflows/transition';
export type { Run as WorkflowRun } from './workflows/workflow-env';
export { automationAction, automationActions, registerAutomationAction } from './automations/actions/action-registry';
export type { ActionCheck, ActionResult, ActionStep, AutomationActionType } from './automations/actions/action-type';
export {
  checkSimulateInput,
  type SimulateInput,
  type SimulationResult,
  type SimulationStep,
} from './workflows/simulate';
export {
  RecordService,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type ApprovalStatus,
  type CreateManyOptions,
  type CreateManyResult,
  type DeleteTarget,
  type SystemUpdateOptions,
  type ListOptions,
  type ListResult,
  type WriteOptions,
} from './records/record-service';
export { compileFilter, escapeLike, type QueryAccess, type WhereFn } from './records/compile-query';
export { queryAccessFor } from './permissions/query-access';
export type { GuardedRecord, GuardOptions } from './records/record-guard';
export {
  TIMELINE_MAX_LIMIT,
  type TimelineEntry,
  type TimelinePage,
  TimelineService,
} from './records/timeline-service';
export { SEARCH_LIMITS, type SearchAnswer, SearchService } from './records/search-service';
export { parseFilter, type FilterNode } from './records/parse-filter';
export { parseSort, type SortKey } from './records/parse-sort';
export {
  RECORD_EVENTS,
  type AfterSavePayload,
  type BeforeCreatePayload,
  type BeforeDeletePayload,
  type BeforeUpdatePayload,
} from './records/record-hooks';
export type { HistoryEntry as RecordHistoryEntry, AuditAction } from './records/audit';
export type { RecordsIo } from './records/records-io';
export {
  type BulkReport,
  type BulkRequest,
  DEFAULT_BULK_PAGE,
  MAX_BULK_IDS,
  MAX_BULK_PAGE,
} from './records/bulk-service';
export type { DocumentService, PrintTemplateInput } from './documents/document-service';
export type { PrintTemplate } from './documents/print-template-store';
export type { FileMeta, FileService, FileUpload } from './documents/file-service';
export { MAX_DOCX_BYTES } from './documents/word-template';
export { type DocumentImage, MAX_DOCUMENT_IMAGE_BYTES } from './documents/document-images';
export type { HomeDashboard, ReportColumn, ReportResult, ReportService, ReportSummary } from './reports/report-service';
export { reportXlsx } from './reports/report-xlsx';
export { RFM_SEGMENTS } from './reports/report-analysis';
export type { RfmTarget } from './reports/rfm-store';
export type { MailMerge, MailMergeInput, MergeEmailReport, MergePreview } from './documents/mail-merge';
export type { ImportFormat } from './records/import-row-reader';
export type { ImportOptions, ImportReport, RevertReport } from './records/import-service';
export type { ExportFormat } from './records/export-writer';
export type { AggregateInput } from './records/aggregate-spec';
export type { AggregateResult } from './records/aggregate-sql';
export { allowDuplicates, type DuplicateMatch } from './records/duplicate-finder';
export { WorkflowScheduler, type ScheduledJob } from './workflows/workflow-scheduler';
export { WebhookService, type DeliveryView, type WebhookInput, type WebhookView } from './webhooks/webhook-service';
export { WEBHOOK_EVENTS, type WebhookEvent } from './webhooks/webhook-events';
export { signWebhook, webhookHeaders } from './webhooks/sign-webhook';
export { isRefusedAddress, resolveDestination, type Resolver } from './webhooks/ssrf-guard';
export type { WebhooksConfig } from './webhooks/webhook-config';
export { ApiKeyService, type ApiKeyAuth, type ApiKeyView, type ServiceAccountView } from './api-keys/api-key-service';
export { isApiKey } from './api-keys/api-key-token';
export { SurveyService, type InviteResult, type OpenSurvey } from './surveys/survey-service';
export { signSurveyLink, verifySurveyLink, SURVEY_LINK_SECRET } from './surveys/survey-links';
export { type PublicSurvey, type SurveyLocale, publicSurvey } from './surveys/survey-answers';
export { HONEYPOT_FIELD, POW_FIELD, type WebFormLocale, type WebFormOutcome } from './web-forms/web-form-service';
