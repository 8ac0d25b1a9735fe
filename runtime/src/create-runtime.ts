import { TimelineService } from './records/timeline-service';
import { SearchService } from './records/search-service';
import type { Knex } from 'knex';
import { AuthService } from './auth/auth-service';
import { SessionCache } from './auth/session-cache';
import type pg from 'pg';
import { PortalService } from './portal/portal-service';
import { type Clock, systemClock } from './clock';
import { type DeepPartial, defaultRuntimeConfig, mergeConfig, type RuntimeConfig } from './config';
import { pingDb } from './db/connect-db';
import { sendUnnamed } from './db/prepared';
import { DbLoad } from './db/db-load';
import { platformMigrations } from './db/platform-migrations';
import { runMigrations } from './db/run-migrations';
import { PLATFORM_SCHEMA } from './model/naming';
import { TenantService } from './tenants/tenant-service';
import { UserService } from './users/user-service';
import { UserAdminService } from './users/user-admin-service';
import { HookBus } from './events/hook-bus';
import { Outbox } from './events/outbox';
import { type Logger, silentLogger } from './logger';
import { systemCtx } from './system-ctx';
import { InstallationSecrets } from './security/installation-secrets';
import { RateLimiter } from './security/rate-limiter';
import { WebFormService } from './web-forms/web-form-service';
import { ScriptEngine } from './scripts/script-engine';
import { ScriptLimitsStore } from './scripts/script-limits-store';
import { SavePipeline } from './scripts/save-pipeline';
import { ScriptActions } from './scripts/script-actions';
import { checkScriptItem } from './scripts/check-script-item';
import { tenantSettingsLimitsStore } from './scripts/tenant-script-limits';
import { PermissionService } from './permissions/permission-service';
import { checkRoleItem } from './permissions/check-role-item';
import { MetaService } from './meta/meta-service';
import { TemplateRegistry } from './templates/template-registry';
import { sampleDataLoader } from './templates/load-sample-data';
import { WorkflowEngine } from './workflows/workflow-engine';
import { RecordService } from './records/record-service';
import { createRecordsIo } from './records/records-io';
import { DocumentImages } from './documents/document-images';
import { DocumentService } from './documents/document-service';
import { DocumentWorkers } from './documents/document-workers';
import { FileService } from './documents/file-service';
import { ReportService } from './reports/report-service';
import { MailMerge } from './documents/mail-merge';
import { checkDashboardItem, checkReportItem } from './reports/report-checks';
import { AutomationEngine } from './automations/automation-engine';
import { attachDocument } from './automations/attach-document';
import { CURSOR_SECRET } from './records/cursor-codec';
import { rollupValue } from './records/related-rollups';
import { APPROVAL_LINK_SECRET } from './workflows/approval-links';
import { WebhookService } from './webhooks/webhook-service';
import type { Resolver } from './webhooks/ssrf-guard';
import { ApiKeyService } from './api-keys/api-key-service';
import { RECORD_EVENTS } from './records/record-hooks';
import { InboundMailService } from './inbound-mail/inbound-mail-service';
import { SurveyService } from './surveys/survey-service';
import { SURVEY_LINK_SECRET } from './surveys/survey-links';
import { checkSurveyItem } from './surveys/check-survey';
import { SegmentService } from './segments/segment-service';
import { checkSegmentItem } from './segments/check-segment';

export interface RuntimeOptions {
  db: Knex;
  config?: DeepPartial<RuntimeConfig>;
  clock?: Clock;
  logger?: Logger;
  /**
   * Where a connection with a session of its own goes (the LISTEN of the session cache), when `db`
   * is a transaction-mode pooler that hands its server connections to anyone between transactions
   * and so delivers no notices. Default: `db`'s own connection settings.
   */
  sessionDbUrl?: string;
  /** Host name resolution for webhook destinations (tests inject one; default: the system's). */
  webhookResolver?: Resolver;
}

/**
 * Wires the runtime services together; the platform holds one per process. Each service is given
 * what it needs in its constructor, in dependency order: nothing is assigned after construction and
 * nothing is looked up lazily. Where two services need each other, one of them is reached through an
 * event instead of a reference: the approval lock listens on the records engine's before-write hooks
 * (hook bus), and automation rules follow saves through `records.onSaved` (outbox). The picture of
 * services and ports is docs/architecture.md.
 */
export function createRuntime(opts: RuntimeOptions) {
  const config = mergeConfig(defaultRuntimeConfig, opts.config);
  const clock = opts.clock ?? systemClock;
  const db = opts.db;
  const logger = opts.logger ?? silentLogger;
  // First: it hooks the pool's checkout, which every later service goes through.
  const dbLoad = new DbLoad(db, config.database, logger);
  if (!config.database.namedStatements) sendUnnamed(db);

  // Infrastructure: events, durable after-commit work, secrets.
  const hooks = new HookBus((err, event, source) => logger.error({ err, event, source }, 'action hook failed'));
  const outbox = new Outbox(db, {
    ctxFor: (tenant, userId, base) => systemCtx(base, tenant, userId),
    onError: (err, topic, id) => logger.error({ err, topic, id }, 'outbox event failed'),
  });
  const secrets = new InstallationSecrets(db);

  // Metadata, permissions, users and sign-in.
  // Sessions cached per process; its listening connection uses the pool's connection settings
  // unless a session URL is given (behind a transaction-mode pooler a LISTEN hears nothing).
  const sessionDbUrl = opts.sessionDbUrl;
  // Connections that need a server session of their own (LISTEN, the index phase's builds).
  const sessionSettings = () =>
    sessionDbUrl
      ? { connectionString: sessionDbUrl }
      : (db.client as { connectionSettings?: pg.ClientConfig }).connectionSettings;
  const sessionCache = new SessionCache(sessionSettings, config.sessionCache, clock, logger);
  const revoked = () => sessionCache.barrier(db);
  const meta = new MetaService(db, {
    clock,
    logger,
    config: config.meta,
    rollupValue,
    versionCommitted: revoked,
    indexSession: sessionSettings,
  });
  const permissions = new PermissionService(meta);
  meta.registerSectionCheck('roles', checkRoleItem, 'permissions');
  const users = new UserService(config, clock, [permissions.userHooks()], revoked);
  const auth = new AuthService(db, config, clock, sessionCache);
  const userAdmin = new UserAdminService(config, clock, users, revoked);

  // Scripts: limits, the runner, what a save runs.
  const scriptLimits = new ScriptLimitsStore(config.scripts, { store: tenantSettingsLimitsStore(db), clock, logger });
  const scripts = new ScriptEngine(config.scripts, { clock, logger, limits: scriptLimits });
  const saveScripts = new SavePipeline({ runner: scripts, outbox, logger });
  meta.registerSectionCheck('scripts', checkScriptItem, 'scripts');

  // The records engine — every change to a record goes through it — and what is built on it.
  const records = new RecordService({ meta, permissions, hooks, outbox, saveScripts, secrets, clock, logger });
  const scriptActions = new ScriptActions({ runner: scripts, meta, records });
  const recordsIo = createRecordsIo({ meta, permissions, records, hooks, clock, importLimits: config.imports });
  const documentWorkers = new DocumentWorkers(config.documents);
  const documents = new DocumentService({ meta, records, workers: documentWorkers, images: new DocumentImages() });
  const timeline = new TimelineService({ meta, records });
  const search = new SearchService({ meta, permissions, records });
  const files = new FileService({ records }, config.files.maxBytes, config.files.dir || undefined);
  const portal = new PortalService({ db, config, clock, meta, records, permissions, files });
  const reports = new ReportService({ meta, permissions, aggregates: recordsIo.aggregates, records, clock });
  const mailMerge = new MailMerge({
    meta,
    documents,
    records,
    permissions,
    files,
    clock,
    limiter: new RateLimiter(db, clock),
    emailsPerHour: config.mailMerge.emailsPerHour,
  });
  meta.registerSectionCheck('reports', checkReportItem, 'reports');
  meta.registerSectionCheck('dashboards', checkDashboardItem, 'reports');

  // Integrations: outbound webhooks follow every write in its transaction; API keys of service accounts.
  const webhooks = new WebhookService({
    db,
    model: (ctx) => meta.model(ctx),
    config: config.webhooks,
    clock,
    logger,
    ...(opts.webhookResolver ? { resolver: opts.webhookResolver } : {}),
    notices: sessionCache,
    changed: revoked,
  });
  hooks.filter(RECORD_EVENTS.written, webhooks.capture, 'webhooks');
  const apiKeys = new ApiKeyService(db, users, clock);
  const inboundMail = new InboundMailService(
    { db, meta, records, files, limiter: new RateLimiter(db, clock), clock, logger },
    config.inboundMail,
  );

  // Satisfaction surveys: invitations (the send_survey action), the public page, answers as records.
  const surveys = new SurveyService({
    db,
    meta,
    records,
    secrets,
    limiter: new RateLimiter(db, clock),
    clock,
    config,
  });
  meta.registerSectionCheck('surveys', checkSurveyItem, 'surveys');
  // Public web forms: visitors' submissions saved through the records engine as the form's owner.
  const webForms = new WebFormService({
    db,
    meta,
    records,
    limiter: new RateLimiter(db, clock),
    secrets,
    clock,
    logger,
    config: config.webForms,
  });

  // Approvals and automation rules: they change records through the records engine.
  const workflows = new WorkflowEngine(
    {
      db,
      meta,
      scripts,
      records,
      permissions,
      clock,
      secrets,
      logger,
      hooks,
      // Action nodes' `document` shares the automation executor: rendered as the workflow's
      // submitter, never as the system, so it holds only what they may read.
      attachDocument: (ctx, object, id, template, author) =>
        attachDocument({ documents, files }, ctx, object, id, template, { author }),
    },
    { publicUrl: config.publicUrl },
  );
  users.addHooks(workflows.userHooks());
  const automations = new AutomationEngine({
    db,
    meta,
    scripts,
    scriptActions,
    records,
    documents,
    files,
    webhooks,
    surveys,
    clock,
    logger,
    startWorkflow: (ctx, object, id, on) => workflows.startOnSave(ctx, object, id, on),
  });
  records.onSaved(automations.onSaved, automations.wantsSaved);
  // Saved segments: stored membership refreshed on demand or on schedule; entered/left run rules.
  const segments = new SegmentService({
    db,
    meta,
    permissions,
    records,
    clock,
    logger,
    config: config.segments,
    onChanges: automations.onSegmentChanges,
    heavy: (fn) => dbLoad.within('heavy', fn),
  });
  meta.registerSectionCheck('segments', checkSegmentItem, 'segments');

  // Templates (sample data through the records engine) and tenants (a template applied at creation).
  const templates = new TemplateRegistry(
    meta,
    logger,
    sampleDataLoader({ meta, records, users, clock, volume: config.sampleData.volume }),
  );
  const tenants = new TenantService(db, users, templates);

  return {
    db,
    config,
    clock,
    users,
    userAdmin,
    tenants,
    auth,
    logger,
    hooks,
    outbox,
    secrets,
    /** The script runner: compiles and runs scripts and expressions in the sandbox (runtime/src/scripts). */
    scripts,
    /** Per-tenant script limits: configuration, tenant settings, this process's overrides. */
    scriptLimits,
    /** What a record save runs in the sandbox: validate, beforeSave, formulas, afterSave (for the records engine). */
    saveScripts,
    /** Action scripts on records and test runs of scripts (docs/scripts.md). */
    scriptActions,
    /** Metadata: models per version, plan/apply, history, export (runtime/src/meta). */
    meta,
    /** Industry templates and tenant exports, applied as metadata layers (runtime/src/templates). */
    templates,
    /** Records: CRUD, queries, recycle bin, audit (runtime/src/records, docs/records.md). */
    records,
    /** Import, export, aggregates and duplicate rules over records (docs/records-io.md). */
    recordsIo,
    /** Print templates, PDFs, files, Word documents, mail merge (runtime/src/documents, docs/documents.md). */
    documents,
    /** Files attached to records (runtime/src/documents/file-service.ts). */
    files,
    /** The customer portal: magic-link sign-in, the account's cases, orders, invoices (docs/portal.md). */
    portal,
    /** A record's activity timeline: changes, approvals, activities, e-mails, files (docs/records.md). */
    timeline,
    /** Global search across every object the user may read (docs/records.md). */
    search,
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
    /** Outbound webhooks: subscriptions, deliveries on pg-boss, the delivery log (docs/webhooks.md). */
    webhooks,
    /** Service accounts and their API keys (docs/api-keys.md). */
    apiKeys,
    /** E-mail to case: inbound addresses, received messages, threaded replies (docs/email-to-case.md). */
    inboundMail,
    /** Satisfaction surveys: invitations, the public page, answers saved as records (docs/surveys.md). */
    surveys,
    /** Public web forms: rendering, proof of work, submissions (runtime/src/web-forms, docs/public-forms.md). */
    webForms,
    /** Saved segments: stored membership, refreshes and their history (runtime/src/segments, docs/analytics.md). */
    segments,
    /** Platform and tenant system migrations; safe to run from several processes at once. */
    async migrate(): Promise<void> {
      await runMigrations(db, PLATFORM_SCHEMA, platformMigrations);
      await tenants.migrateAll();
      await secrets.warm([CURSOR_SECRET, APPROVAL_LINK_SECRET, SURVEY_LINK_SECRET]);
    },
    /**
     * The index phase of every active tenant, one after another: at start-up (`npm start` runs it
     * in the background), it finishes what a crash cut and builds indexes new to this version of
     * Forma. `signal` stops it between tenants (server shutdown).
     */
    async reconcileIndexes(opts: { signal?: AbortSignal } = {}): Promise<void> {
      for (const t of await tenants.list()) {
        if (opts.signal?.aborted) return;
        if (t.status !== 'active') continue;
        try {
          await meta.reconcileTenantIndexes(tenants.bootstrapCtx(t.id));
        } catch (err) {
          // A tenant deleted meanwhile, or its model failing to load: the others still get theirs.
          logger.warn({ err, tenant: t.id }, 'index phase at start-up skipped a tenant');
        }
      }
    },
    health: () => pingDb(db),
    /** Signed-in sessions cached in this process, revoked in every process (auth/session-cache.ts). */
    sessionCache,
    /** Admission of requests' database work, per-kind timeouts, cancelling, load figures (runtime/src/db/db-load.ts). */
    dbLoad,
    async close(): Promise<void> {
      dbLoad.close();
      await sessionCache.close();
      await webhooks.stop();
      await workflows.stop();
      await scripts.close();
      await documentWorkers.close();
      await outbox.close();
      await db.destroy();
    },
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
