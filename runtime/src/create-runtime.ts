import type { Knex } from 'knex';
import { AuthService } from './auth/auth-service';
import { type Clock, systemClock } from './clock';
import { type DeepPartial, defaultRuntimeConfig, mergeConfig, type RuntimeConfig } from './config';
import { pingDb } from './db/connect-db';
import { platformMigrations } from './db/platform-migrations';
import { runMigrations } from './db/run-migrations';
import { PLATFORM_SCHEMA } from './model/naming';
import { TenantService } from './tenants/tenant-service';
import { UserService } from './users/user-service';
import { HookBus } from './events/hook-bus';
import { Outbox } from './events/outbox';
import { type Logger, silentLogger } from './logger';
import { systemCtx } from './system-ctx';
import { InstallationSecrets } from './security/installation-secrets';
import { ScriptEngine } from './scripts/script-engine';
import { connectScriptsToMeta, connectScriptsToOutbox } from './scripts/connect-scripts';
import { tenantSettingsLimitsStore } from './scripts/tenant-script-limits';
import { PermissionService } from './permissions/permission-service';
import { connectPermissions } from './permissions/connect-permissions';
import { MetaService } from './meta/meta-service';
import { TemplateRegistry } from './templates/template-registry';
import { sampleDataLoader } from './templates/load-sample-data';
import { WorkflowEngine } from './workflows/workflow-engine';
import { RecordService } from './records/record-service';
import { createRecordsIo } from './records/records-io';
import { DocumentService } from './documents/document-service';
import { FileService } from './documents/file-service';
import { ReportService } from './reports/report-service';
import { MailMerge } from './documents/mail-merge';
import { checkDashboardItem, checkReportItem } from './reports/report-checks';
import { AutomationEngine } from './automations/automation-engine';
import { attachDocument } from './automations/attach-document';
import { startInstance } from './workflows/start-instance';
import { CURSOR_SECRET } from './records/cursor-codec';
import { APPROVAL_LINK_SECRET } from './workflows/approval-links';

export interface RuntimeOptions {
  db: Knex;
  config?: DeepPartial<RuntimeConfig>;
  clock?: Clock;
  logger?: Logger;
}

/** Wires the runtime services together. The platform holds one per process. */
export function createRuntime(opts: RuntimeOptions) {
  const config = mergeConfig(defaultRuntimeConfig, opts.config);
  const clock = opts.clock ?? systemClock;
  const db = opts.db;
  const users = new UserService(config, clock);
  const tenants = new TenantService(db, users);
  const auth = new AuthService(db, config, clock);
  const logger = opts.logger ?? silentLogger;
  const hooks = new HookBus((err, event, source) => logger.error({ err, event, source }, 'action hook failed'));
  const outbox = new Outbox(db, {
    ctxFor: (tenant, userId, base) => systemCtx(base, tenant, userId),
    onError: (err, topic, id) => logger.error({ err, topic, id }, 'outbox event failed'),
  });
  const scripts = new ScriptEngine(config.scripts, { clock, logger });
  const meta = new MetaService(db, { clock, logger, config: config.meta });
  const templates = new TemplateRegistry(meta, logger);
  connectScriptsToMeta(scripts, meta);
  const permissions = new PermissionService(meta);
  connectPermissions(permissions, users, meta);
  connectScriptsToOutbox(scripts, outbox, meta);
  scripts.useTenantLimitsStore(tenantSettingsLimitsStore(db));
  tenants.templateNames = () => templates.names();
  tenants.createdHooks.push(templates.onTenantCreated);

  const secrets = new InstallationSecrets(db);
  const workflows = new WorkflowEngine(
    {
      db,
      meta,
      scripts,
      permissions: () => permissions,
      clock,
      secrets,
      logger,
      hooks,
    },
    { publicUrl: config.publicUrl },
  );
  const records = new RecordService({
    meta,
    permissions: () => permissions,
    hooks,
    outbox,
    scripts,
    secrets,
    clock,
    logger,
  });
  const recordsIo = createRecordsIo({
    meta,
    permissions: () => permissions,
    records: () => records,
    hooks,
    clock,
    importLimits: config.imports,
  });
  const documents = new DocumentService({ meta, records: () => records });
  const files = new FileService({ records: () => records }, config.files.maxBytes, config.files.dir || undefined);
  const reports = new ReportService({
    meta,
    permissions: () => permissions,
    aggregates: () => recordsIo.aggregates,
    records: () => records,
  });
  const mailMerge = new MailMerge({
    meta,
    documents: () => documents,
    records: () => records,
    permissions: () => permissions,
    files: () => files,
    clock,
  });
  meta.registerSectionCheck('reports', checkReportItem, 'reports');
  meta.registerSectionCheck('dashboards', checkDashboardItem, 'reports');
  templates.sampleDataLoader = sampleDataLoader({ meta, records, users });
  const automations = new AutomationEngine({
    db,
    meta,
    scripts,
    clock,
    logger,
    records: () => records,
    documents: () => documents,
    files: () => files,
    startWorkflow: async (ctx, object, id, on) => {
      await startInstance(ctx, workflows.env, { model: await meta.model(ctx), permissions }, object, id, { on });
    },
  });
  records.onSaved(automations.onSaved, automations.wantsSaved);
  // Workflow action nodes' `document` shares the automation executor: rendered as the workflow's
  // submitter, never as the system, so it holds only what they may read.
  workflows.env.attachDocument = (ctx, object, id, template, author) =>
    attachDocument({ documents: () => documents, files: () => files }, ctx, object, id, template, { author });
  workflows.env.afterRecordWrite = (ctx, model, object, old, row) =>
    records.refreshRelatedRollups(ctx, model, object, [{ old, row }]);
  scripts.useRecordsQuery(records.scriptQuery);
  scripts.useActionRecords({
    get: (ctx, object, id) => records.get(ctx, object, id),
    update: (ctx, object, id, changes, version) =>
      records.update(ctx, object, id, changes, version === undefined ? {} : { version }),
  });

  return {
    db,
    config,
    clock,
    users,
    tenants,
    auth,
    logger,
    hooks,
    outbox,
    secrets,
    scripts,
    /** Metadata: models per version, plan/apply, history, export (runtime/src/meta). */
    meta,
    templates,
    /** Records: CRUD, queries, recycle bin, audit (runtime/src/records, docs/records.md). */
    records,
    /** Import, export, aggregates and duplicate rules over records (docs/records-io.md). */
    recordsIo,
    /** Print templates, PDFs, files, Word documents, mail merge (runtime/src/documents, docs/documents.md). */
    documents,
    /** Files attached to records (runtime/src/documents/file-service.ts). */
    files,
    /** Mail merge: a print template over a filtered list → PDF, ZIP, preview or outbox e-mails (docs/documents.md). */
    mailMerge,
    /** Saved reports and home dashboards over the aggregate engine (runtime/src/reports, docs/documents.md). */
    reports,
    /** Roles, record scopes, field security, sharing (runtime/src/permissions, docs/permissions.md). */
    permissions,
    /** Approval workflows: submit, decide, inbox, escalation, notifications (runtime/src/workflows). */
    workflows,
    /** Automation rules: on create/update/schedule, runs and their outcomes (runtime/src/automations, docs/workflows.md). */
    automations,
    /** Platform and tenant system migrations; safe to run from several processes at once. */
    async migrate(): Promise<void> {
      await runMigrations(db, PLATFORM_SCHEMA, platformMigrations);
      await tenants.migrateAll();
      await secrets.warm([CURSOR_SECRET, APPROVAL_LINK_SECRET]);
    },
    health: () => pingDb(db),
    async close(): Promise<void> {
      await workflows.stop();
      await scripts.close();
      await outbox.close();
      await db.destroy();
    },
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
