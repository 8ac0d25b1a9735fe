import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { badRequest, forbidden, isAppError, notFound } from '../errors';
import { resolveRecord } from '../records/record-guard';
import type { HookBus } from '../events/hook-bus';
import type { Logger } from '../logger';
import type { MetaService } from '../meta/meta-service';
import { PLATFORM_SCHEMA, SYSTEM_TABLE } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import type { ScriptEngine } from '../scripts';
import type { InstallationSecrets } from '../security/installation-secrets';
import { systemCtx } from '../system-ctx';
import type { TxCtx } from '../tx/unit-of-work';
import type { UserHooks } from '../users/user-service';
import { RECORD_EVENTS, type RowWrittenPayload } from '../records/record-hooks';
import { afterRecordWritten, approvalHold, unlockRecord } from './after-approval';
import { verifyLink } from './approval-links';
import { inbox, instanceDetail, instanceView, recordApprovals } from './approval-queries';
import { checkWorkflow } from './check-workflow';
import { decide, delegate } from './decide';
import { type DelegationInput, delegations } from './delegations';
import { escalateDue, type EscalationReport } from './escalate';
import { notifications } from './notifications';
import { matchTrigger } from './match-trigger';
import { recall } from './recall';
import { reassignTasksOfInactive } from './reassign-inactive';
import { readRecord } from './record-rows';
import { assertEditable } from './record-lock';
import { type SimulateInput, type SimulationResult, simulateWorkflow } from './simulate';
import { startInstance, type SubmitInput } from './start-instance';
import type { AttachDocument, WorkflowEnv, WorkflowRecords } from './workflow-env';
import type { WorkflowDefinition } from './workflow-graph';
import { type ScheduledJob, WorkflowScheduler } from './workflow-scheduler';
import { workflowStore as store } from './workflow-store';
import { moveInstancesToCurrent, workflowVersions } from './workflow-versions';

export interface WorkflowDeps {
  db: Knex;
  meta: MetaService;
  scripts: ScriptEngine;
  /** The records engine: every change a workflow makes to its record goes through it. */
  records: WorkflowRecords;
  permissions: PermissionEngine;
  clock: Clock;
  secrets: InstallationSecrets;
  logger: Logger;
  /** The approval lock listens on the records engine's before-write hooks. */
  hooks: HookBus;
  /** Action nodes' `document` (the automation engine's executor; absent: documents are not available). */
  attachDocument?: AttachDocument;
}

export interface WorkflowOptions {
  publicUrl?: string;
  linkTtlHours?: number;
}

/** Payload of the records engine's `record.beforeUpdate` / `record.beforeDelete` filter hooks. */
export interface RecordWritePayload {
  object: string;
  id: string;
  /** The record as it is before the write (its `approval_status` says whether an approval holds it). */
  old?: Record<string, unknown>;
  /** An admin's explicit override of the approval lock (audited). */
  override?: boolean;
  /** The approval engine's own write (a step's fields, the approval status): not locked out. */
  passLock?: boolean;
}

/** Record hook events the approval lock listens to (emitted by the records engine). */
export const RECORD_LOCK_EVENTS = { update: 'record.beforeUpdate', delete: 'record.beforeDelete' } as const;

/** The approval workflow engine: `runtime.workflows`. */
export class WorkflowEngine {
  readonly env: WorkflowEnv;
  readonly delegations = delegations;
  readonly notifications = notifications;
  private readonly scheduler: WorkflowScheduler;

  constructor(
    private readonly deps: WorkflowDeps,
    opts: WorkflowOptions = {},
  ) {
    this.env = {
      scripts: deps.scripts,
      records: deps.records,
      clock: deps.clock,
      secrets: deps.secrets,
      logger: deps.logger,
      publicUrl: (opts.publicUrl ?? '').replace(/\/+$/, ''),
      linkTtlMs: (opts.linkTtlHours ?? 24 * 7) * 3_600_000,
      ...(deps.attachDocument ? { attachDocument: deps.attachDocument } : {}),
    };
    this.scheduler = new WorkflowScheduler(deps.db, deps.logger);
    deps.meta.registerSectionCheck<WorkflowDefinition>(
      'workflows',
      (ctx, input) => checkWorkflow(ctx, input, (e) => deps.scripts.compileExpression(e)),
      'workflows',
    );
    for (const [operation, event] of Object.entries(RECORD_LOCK_EVENTS))
      deps.hooks.filter<RecordWritePayload>(
        event,
        async (ctx, p) => {
          if (p.passLock) return;
          const model = await this.model(ctx);
          await this.assertEditable(ctx, p.object, p.id, {
            override: p.override === true,
            operation: operation as 'update',
            status: p.old?.approval_status,
            label: model.objects.get(p.object)?.label.toLowerCase() ?? p.object,
          });
        },
        'workflows',
      );
    deps.hooks.filter<RowWrittenPayload>(
      RECORD_EVENTS.rowWritten,
      async (ctx, p) =>
        afterRecordWritten(ctx, this.env, { model: await this.model(ctx), permissions: this.deps.permissions }, p),
      'workflows',
    );
  }

  private model(ctx: Ctx) {
    return this.deps.meta.model(ctx);
  }

  async submit(ctx: Ctx, object: string, id: string, input: SubmitInput = {}) {
    const model = await this.model(ctx);
    const i = await startInstance(ctx, this.env, { model, permissions: this.deps.permissions }, object, id, input);
    return instanceView(i);
  }

  /**
   * Starts the first workflow triggered on this save (`trigger.on: create | update | save`) whose
   * condition holds: the automation engine's after-save starter, as the user who saved.
   */
  async startOnSave(ctx: TxCtx, object: string, id: string, on: 'create' | 'update'): Promise<void> {
    await startInstance(
      ctx,
      this.env,
      { model: await this.model(ctx), permissions: this.deps.permissions },
      object,
      id,
      {
        on,
      },
    );
  }

  async approve(ctx: Ctx, task: string, comment?: string) {
    return instanceView(
      await decide(ctx, this.env, await this.model(ctx), task, {
        decision: 'approved',
        ...(comment ? { comment } : {}),
      }),
    );
  }

  async reject(ctx: Ctx, task: string, comment: string) {
    return instanceView(await decide(ctx, this.env, await this.model(ctx), task, { decision: 'rejected', comment }));
  }

  async delegate(ctx: Ctx, task: string, to: string) {
    return instanceView(await delegate(ctx, this.env, await this.model(ctx), task, to));
  }

  async recall(ctx: Ctx, instance: string, comment?: string) {
    const deps = { model: await this.model(ctx), permissions: this.deps.permissions };
    return instanceView(await recall(ctx, this.env, deps, instance, comment));
  }

  async inbox(ctx: Ctx) {
    return inbox(ctx, this.deps.permissions, await this.model(ctx));
  }

  async recordApprovals(ctx: Ctx, object: string, id: string) {
    return recordApprovals(ctx, this.deps.permissions, await this.model(ctx), object, id);
  }

  /**
   * Whether the user can submit this record now, and which workflow it would start: the same
   * trigger match a submit runs (active, `on: submit`, condition true for the record as it is
   * stored), so the app offers "Submit for approval" only where it will work. A record the user
   * may not update, or one already pending, cannot be submitted.
   */
  async submitOption(ctx: Ctx, objectName: string, id: string): Promise<{ available: boolean; workflow?: string }> {
    const model = await this.model(ctx);
    const object = model.object(objectName);
    await resolveRecord(ctx, model, this.deps.permissions, objectName, id, { columns: ['id'] });
    const hasCandidate = Object.values(model.workflows).some(
      (w) => w.object === objectName && w.active !== false && (w.trigger?.on ?? 'submit') === 'submit',
    );
    if (!hasCandidate) return { available: false };
    const canUpdate = await resolveRecord(ctx, model, this.deps.permissions, objectName, id, {
      op: 'update',
      columns: ['id'],
    }).then(
      () => true,
      (e) => {
        if (isAppError(e)) return false;
        throw e;
      },
    );
    if (!canUpdate) return { available: false };
    const record = await readRecord(ctx.db, ctx.schema, object, id);
    if (!record || record.approval_status === 'pending') return { available: false };
    const hit = await matchTrigger(this.env.scripts, ctx, model, objectName, record);
    return hit ? { available: true, workflow: hit.name } : { available: false };
  }

  /**
   * Whether the record is held locked after its approval (`afterApproval: lock`), so a record page
   * can say so before anyone tries a save; `canUnlock` when the caller is a tenant admin.
   */
  async lockOption(
    ctx: Ctx,
    objectName: string,
    id: string,
  ): Promise<{ locked: boolean; workflow?: string; canUnlock?: boolean }> {
    const model = await this.model(ctx);
    const object = model.object(objectName);
    await resolveRecord(ctx, model, this.deps.permissions, objectName, id, { columns: ['id'] });
    const record = await readRecord(ctx.db, ctx.schema, object, id);
    const hold = await approvalHold(ctx, objectName, id, record?.approval_status);
    if (hold?.after.mode !== 'lock') return { locked: false };
    return { locked: true, workflow: hold.instance.workflow, canUnlock: ctx.isAdmin };
  }

  /** Hooks for `UserService`: a deactivated approver's open tasks go down their step's fallback chain. */
  userHooks(): UserHooks {
    return {
      afterChange: async (ctx, userId, trx) => {
        const tx: TxCtx = {
          ...ctx,
          db: trx,
          uow: {
            trx,
            base: ctx.db as Knex,
            // The user service owns this transaction: work for after the commit waits for it.
            afterCommit: (fn) => {
              trx.executionPromise
                .then(fn, () => undefined)
                .catch((err: unknown) => {
                  this.deps.logger.error({ err }, 'after-commit work of a user change failed');
                });
            },
          },
        };
        await reassignTasksOfInactive(tx, this.env, () => this.model(ctx), userId);
      },
    };
  }

  instance(ctx: Ctx, id: string) {
    return instanceDetail(ctx, id);
  }

  async versions(ctx: Ctx, workflow: string) {
    return workflowVersions(ctx, await this.model(ctx), workflow);
  }

  /**
   * Where a sample record would go through a workflow (the stored one, or the draft given), without
   * writing anything: tenant admins (the designer's simulation).
   */
  async simulate(ctx: Ctx, workflow: string, input: SimulateInput): Promise<SimulationResult> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    const model = await this.model(ctx);
    const definition = input.definition ?? model.workflows[workflow];
    if (!definition) throw notFound(`No workflow named ${workflow}`);
    // Formulas may query() as the admin; a dry run must not adjust() anything.
    const host = this.env.records.scriptHost(ctx);
    return simulateWorkflow(this.deps.scripts, ctx, model, definition, input, {
      query: (...args) => host.query(...args),
    });
  }

  async moveToCurrent(ctx: Ctx, workflow: string) {
    return moveInstancesToCurrent(ctx, await this.model(ctx), workflow, this.deps.clock.now());
  }

  /** What a link in an e-mail would do (for the confirmation page), without doing it. */
  async linkInfo(token: string) {
    const { claims, ctx, task } = await this.openLink(token);
    const instance = await store.instance(ctx.db, ctx.schema, task.instance_id);
    return {
      decision: claims.decision,
      task: task.id,
      status: task.status,
      step: task.node,
      ...(instance ? { instance: instanceView(instance) } : {}),
    };
  }

  /** Spends a signed single-use link: decides the task as its assignee. */
  async decideByLink(token: string, comment?: string) {
    const { claims, ctx } = await this.openLink(token);
    const model = await this.deps.meta.model(ctx);
    const i = await decide(ctx, this.env, model, claims.task, {
      decision: claims.decision,
      ...(comment ? { comment } : {}),
      linkId: claims.jti,
    });
    return instanceView(i);
  }

  private async openLink(token: string) {
    const invalid = () => notFound('This link is not valid or has expired');
    const claims = await verifyLink(this.deps.secrets, token, this.deps.clock.now());
    if (!claims) throw invalid();
    const tenant = await this.deps.db
      .withSchema(PLATFORM_SCHEMA)
      .from('tenants')
      .where({ id: claims.tenant, status: 'active' })
      .first('id');
    if (!tenant) throw invalid();
    const base = await systemCtx(this.deps.db, claims.tenant);
    const task = await store.task(base.db, base.schema, claims.task);
    if (!task) throw invalid();
    // The link acts for the task's assignee only while they are an active user: deactivating
    // someone ends their links as it ends their sessions (a delegated task is no longer theirs: 409).
    const active = await base.db
      .withSchema(base.schema)
      .from(SYSTEM_TABLE.users)
      .where({ id: task.assignee, active: true })
      .first('id');
    if (!active) throw invalid();
    const ctx = await systemCtx(this.deps.db, claims.tenant, task.assignee);
    if (ctx.user.id !== task.assignee) throw invalid();
    return { claims, ctx, task };
  }

  /** The escalation sweep (see escalate.ts); the scheduler runs it every minute, over every tenant. */
  escalateDue(now: Date = this.deps.clock.now(), only?: string): Promise<EscalationReport> {
    return escalateDue(this.deps.db, this.env, (tenant) => this.tenantModel(tenant), now, this.deps.logger, only);
  }

  private async tenantModel(tenant: string) {
    return this.deps.meta.model(await systemCtx(this.deps.db, tenant));
  }

  /** RECORD_LOCKED unless no approval is pending (or an admin overrides, which is audited). */
  assertEditable(
    ctx: Ctx | TxCtx,
    object: string,
    id: string,
    opts: { override?: boolean; operation?: 'update' | 'delete'; status?: unknown; label?: string } = {},
  ): Promise<void> {
    return assertEditable(ctx, this.deps.clock, object, id, opts);
  }

  /** A tenant admin unlocks a record an approval holds locked (`afterApproval: lock`), with a reason. */
  async unlock(ctx: Ctx, object: string, id: string, reason: unknown) {
    const deps = { model: await this.model(ctx), permissions: this.deps.permissions };
    return unlockRecord(ctx, this.env, deps, object, id, reason);
  }

  createDelegation(ctx: Ctx, input: DelegationInput) {
    if (!input || typeof input.to !== 'string') throw badRequest('"to" is required');
    return delegations.create(ctx, input);
  }

  /** Starts the pg-boss schedules (real server only), plus `extra` ones; `stop()` ends them. */
  async startScheduler(extra: ScheduledJob[] = []): Promise<void> {
    await this.scheduler.start([
      { name: 'forma-approval-escalations', cron: '* * * * *', run: () => this.escalateDue() },
      ...extra,
    ]);
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }
}
