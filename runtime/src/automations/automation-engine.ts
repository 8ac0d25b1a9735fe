import type { Knex } from 'knex';
import { changeCause } from '../change-cause';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { forbidden } from '../errors';
import type { Logger } from '../logger';
import type { MetaService } from '../meta/meta-service';
import type { Model } from '../model/load-model';
import { PLATFORM_SCHEMA } from '../model/naming';
import type { AfterSavePayload } from '../records/record-hooks';
import type { RecordService } from '../records/record-service';
import { type RecordData, type ScriptEngine, scriptUserOf } from '../scripts';
import { systemCtx, systemUser } from '../system-ctx';
import { runInUnitOfWork, type TxCtx } from '../tx/unit-of-work';
import { type ActionTypeInfo, automationActionCatalog } from './actions/action-registry';
import type { AutomationRule, RunOutcome } from './automation-types';
import { checkAutomation } from './check-automation';
import { type ActionServices, type ActionSummary, runActions } from './run-actions';
import { type DryRunInput, type DryRunResult, dryRunRule } from './dry-run';
import { recordLabels } from './record-labels';
import { resolveTokens } from './resolve-tokens';
import { type RunKey, type RunQuery, type RunView, runStore } from './run-store';
import { type SweepReport, sweepSchedules } from './sweep-schedules';
import { startSaveWorkflows, type SaveWorkflowStarter } from './start-save-workflows';
import { runSegmentRules } from './segment-trigger';

export interface AutomationDeps extends ActionServices {
  /** Writes of the actions, and the records a schedule rule visits. */
  records: Pick<RecordService, 'update' | 'createMany' | 'list' | 'get' | 'withLookupNames'>;
  db: Knex;
  meta: MetaService;
  scripts: ScriptEngine;
  clock: Clock;
  logger: Logger;
  /** Starts workflows triggered `on: create|update|save` (the approval engine's starter). */
  startWorkflow: SaveWorkflowStarter;
}

/** How many rules may trigger each other in a chain before the next one is skipped. */
export const MAX_DEPTH = 5;

export interface RuleRun {
  tenantCtx: TxCtx;
  model: Model;
  name: string;
  rule: AutomationRule;
  key: RunKey;
  record: RecordData;
  old: RecordData | null;
  user: RecordData | null;
  depth: number;
  trigger: string;
}

/**
 * Automation rules (`runtime.automations`): create/update rules run after commit from the durable
 * outbox (records.onSaved), schedule rules from a sweep; each run is claimed in `_automation_runs`
 * (rule, record, version or period) so delivery at least once still acts once, and recorded with its
 * outcome. A failing rule rolls back its own savepoint and is recorded; it never undoes the user's
 * save nor stops the other rules.
 */
export class AutomationEngine {
  constructor(private readonly deps: AutomationDeps) {
    deps.meta.registerSectionCheck<AutomationRule>(
      'automations',
      (ctx, input) => checkAutomation(ctx, input, (e) => deps.scripts.compileExpression(e)),
      'automations',
    );
  }

  /** Whether saves of `object` concern a create/update rule or a save-triggered workflow (else no event is written). */
  wantsSaved = (model: Model, object: string, action: string): boolean => {
    if (action !== 'create' && action !== 'update') return false;
    return (
      rulesOf(model).some(
        ([, r]) =>
          r.object === object && (r.trigger.on === action || (r.trigger.on === 'approval' && action === 'update')),
      ) ||
      Object.values(model.workflows).some(
        (w) => w.object === object && w.active !== false && (w.trigger?.on === action || w.trigger?.on === 'save'),
      )
    );
  };

  /** The records engine's durable after-save listener: rules, then workflows started on save. */
  onSaved = async (tx: TxCtx, event: AfterSavePayload): Promise<void> => {
    if (event.action !== 'create' && event.action !== 'update') return;
    const model = await this.deps.meta.model(tx);
    const rules = rulesOf(model).filter(([, r]) => r.object === event.object && triggerMatches(r.trigger, event));
    if (rules.length) await this.runEventRules(tx, model, rules, event);
    await startSaveWorkflows(tx, model, event, this.deps.startWorkflow, this.deps.logger);
  };

  private async runEventRules(
    tx: TxCtx,
    model: Model,
    rules: Array<[string, AutomationRule]>,
    event: AfterSavePayload,
  ): Promise<void> {
    const record = event.record;
    const period = `v${Number(record.version ?? 0)}`;
    const user = tx.user.id === systemUser().id ? null : (scriptUserOf(tx) as unknown as RecordData);
    const holds = await this.conditions(tx.tenant, model, rules, { record, old: event.old, user });
    const depth = await runStore.depthOf(tx.db, tx.schema, event.id, period);
    for (const [name, rule] of rules.filter((_r, i) => holds[i])) {
      if (!(await this.matchesWhen(tx, rule, event.id))) continue;
      await this.runRule({
        tenantCtx: tx,
        model,
        name,
        rule,
        key: { rule: name, record: event.id, period },
        record,
        old: event.old,
        user,
        depth,
        trigger: rule.trigger.on === 'approval' ? 'approval' : event.action,
      });
    }
  }

  /**
   * Whether the record matches the rule's `when` filter (none: true), asked of the records engine in
   * the caller's transaction, so the filter means exactly what it means in a list.
   */
  async matchesWhen(ctx: Ctx, rule: AutomationRule, id: string, now: Date = this.deps.clock.now()): Promise<boolean> {
    if (!rule.when || !Object.keys(rule.when).length) return true;
    const system = { ...ctx, user: systemUser(), isAdmin: true };
    const page = await this.deps.records.list(system, rule.object, {
      filter: { and: [{ id: { eq: id } }, resolveTokens(rule.when, now)] },
      fields: 'id',
      limit: 1,
    });
    return page.items.length > 0;
  }

  /** Each rule's condition (none: true), all evaluated in one sandbox round trip; a failing evaluation counts as false. */
  async conditions(
    tenant: string,
    model: Model,
    rules: Array<[string, AutomationRule]>,
    scope: { record: RecordData; old: RecordData | null; user: RecordData | null },
  ): Promise<boolean[]> {
    const guarded = rules.map(([, r]) => r.condition).filter((c): c is string => Boolean(c));
    let values: unknown[] = [];
    try {
      values = await this.deps.scripts.evaluateAll(tenant, model.version, guarded, scope as never);
    } catch (err) {
      this.deps.logger.warn({ err, tenant }, 'automation conditions failed to evaluate');
      return rules.map(() => false);
    }
    let i = 0;
    return rules.map(([, r]) => (r.condition ? Boolean(values[i++]) : true));
  }

  /**
   * Claims the run, then runs the actions as the tenant's system identity inside a savepoint of the
   * caller's transaction; the outcome is written in the same transaction as the claim.
   */
  async runRule(r: RuleRun): Promise<RunOutcome | undefined> {
    const { tenantCtx: tx, key } = r;
    const now = this.deps.clock.now();
    const actor = r.user ? String(r.user.id) : null;
    const claimed = await runStore.claim(tx.db, tx.schema, key, {
      object: r.rule.object,
      trigger: r.trigger,
      depth: r.depth,
      actor,
      at: now,
    });
    if (!claimed) return undefined;
    if (r.depth >= MAX_DEPTH) {
      const error = `skipped: ${MAX_DEPTH} rules already triggered each other in a chain on this record (loop guard)`;
      await runStore.finish(tx.db, tx.schema, key, { outcome: 'skipped', error, actions: [], at: now });
      return 'skipped';
    }
    const by = r.user ? ` after a change by ${String(r.user.name ?? r.user.id)}` : ` (${r.trigger})`;
    const cause = changeCause(
      'automation',
      `automation rule ${r.name}${r.rule.label ? ` "${r.rule.label}"` : ''}${by}`,
      {
        rule: r.name,
      },
    );
    const system = { ...tx, user: systemUser(), isAdmin: true, cause };
    let actions: ActionSummary[] = [];
    try {
      await tx.db.transaction(async (sp) => {
        actions = await runActions(
          this.deps,
          {
            tx: { ...system, db: sp, uow: { ...tx.uow, trx: sp } },
            model: r.model,
            rule: r.name,
            label: r.rule.label,
            object: r.rule.object,
            record: r.record,
            old: r.old,
            user: r.user,
            depth: r.depth,
            now,
          },
          r.rule.actions,
        );
      });
    } catch (err) {
      const error = errorText(err);
      this.deps.logger.warn({ err, tenant: tx.tenant, rule: r.name, record: key.record }, 'automation rule failed');
      await runStore.finish(tx.db, tx.schema, key, { outcome: 'failed', error, actions, at: now });
      return 'failed';
    }
    await runStore.finish(tx.db, tx.schema, key, { outcome: 'succeeded', actions, at: now });
    return 'succeeded';
  }

  /**
   * Schedule rules due at `now` (default: the runtime clock), for every active tenant or the given
   * ones (and only the named rules, when given). The real server runs it every minute on pg-boss;
   * any number of sweeps may run at once.
   */
  async sweep(
    now: Date = this.deps.clock.now(),
    opts: { tenants?: string[]; rules?: string[] } = {},
  ): Promise<SweepReport> {
    const tenants: string[] =
      opts.tenants ??
      (await this.deps.db.withSchema(PLATFORM_SCHEMA).from('tenants').where('status', 'active').pluck('id'));
    const report: SweepReport = { succeeded: 0, failed: 0, skipped: 0 };
    for (const tenant of tenants) {
      try {
        const one = await this.sweepTenant(await systemCtx(this.deps.db, tenant), now, opts.rules);
        for (const k of Object.keys(report) as Array<keyof SweepReport>) report[k] += one[k];
      } catch (err) {
        this.deps.logger.error({ err, tenant }, 'automation sweep failed');
      }
    }
    return report;
  }

  /**
   * One tenant's due schedule rules, in `ctx` (the tenant's system context; its `db` may be an open
   * transaction, e.g. while a tenant is being created, and each run then is a savepoint of it).
   */
  async sweepTenant(ctx: Ctx, now: Date = this.deps.clock.now(), only?: string[]): Promise<SweepReport> {
    const model = await this.deps.meta.model(ctx);
    const rules = rulesOf(model).filter(([name, r]) => r.trigger.on === 'schedule' && (!only || only.includes(name)));
    if (!rules.length) return { succeeded: 0, failed: 0, skipped: 0 };
    return sweepSchedules(this, this.deps, ctx, model, rules, now);
  }

  /**
   * The rules "entered segment" / "left segment" of one refresh of `segment` (the segment service
   * calls it after the refresh committed; see segment-trigger.ts).
   */
  onSegmentChanges = async (ctx: Ctx, model: Model, segment: string, refreshId: string): Promise<void> => {
    await runSegmentRules(this, this.deps, ctx, model, rulesOf(model), segment, refreshId);
  };

  /** `GET /api/automations/runs`: tenant admins only; each run with its record's label (null once deleted). */
  async runs(ctx: Ctx, query: RunQuery = {}): Promise<Array<RunView & { recordLabel: string | null }>> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    const runs = await runStore.list(ctx.db as Knex, ctx.schema, query);
    const labels = await recordLabels(this.deps, ctx, await this.deps.meta.model(ctx), runs);
    return runs.map((r) => ({ ...r, recordLabel: labels.get(`${r.object}:${r.record}`) ?? null }));
  }

  /** `GET /api/automations/action-types`: tenant admins only. */
  actionTypes(ctx: Ctx): ActionTypeInfo[] {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    return automationActionCatalog();
  }

  /**
   * `POST /api/automations/dry-run`: what a rule (published, or a draft checked as publishing would
   * check it) would do on one record, changing nothing. See dry-run.ts.
   */
  dryRun(ctx: Ctx, input: DryRunInput): Promise<DryRunResult> {
    return dryRunRule(this, this.deps, ctx, input);
  }

  /** Runs `fn` in a new unit of work as the tenant's system identity (schedule runs). */
  inSystemTx<T>(ctx: Ctx, fn: (tx: TxCtx) => Promise<T>): Promise<T> {
    return runInUnitOfWork(ctx, fn, {
      onAfterCommitError: (err) => this.deps.logger.error({ err }, 'automation after-commit work failed'),
    });
  }
}

/** Whether a save event is one a rule's trigger waits for. */
export function triggerMatches(trigger: AutomationRule['trigger'], event: AfterSavePayload): boolean {
  const changes = event.changes ?? {};
  switch (trigger.on) {
    case 'create':
      return event.action === 'create';
    case 'update':
      if (event.action !== 'update' || (trigger.fields && !trigger.fields.some((f) => f in changes))) return false;
      // "changed to": the new value, compared as text so 5 and "5" agree as they do in a form.
      return (
        trigger.changedTo === undefined || String(event.record[trigger.fields?.[0] ?? '']) === String(trigger.changedTo)
      );
    case 'approval': {
      // An approval ends when the approval engine saves its outcome as the record's approval status.
      const status = event.record.approval_status;
      return (
        event.action === 'update' &&
        'approval_status' in changes &&
        (trigger.outcome ? status === trigger.outcome : status === 'approved' || status === 'rejected')
      );
    }
    default:
      return false;
  }
}

/** The enabled rules of a model, in name order (the order rules run in). */
export function rulesOf(model: Model): Array<[string, AutomationRule]> {
  const section = ((model.document as { automations?: Record<string, AutomationRule> }).automations ?? {}) as Record<
    string,
    AutomationRule
  >;
  return Object.entries(section)
    .filter(([, r]) => r.enabled !== false)
    .sort(([a], [b]) => a.localeCompare(b));
}

/** An error as one line for the run log: its message and, for validation errors, each field's problem. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const fields = (err as { fields?: Record<string, string> }).fields;
  const detail =
    fields && Object.keys(fields).length
      ? ` (${Object.entries(fields)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ')})`
      : '';
  return `${err.message}${detail}`;
}
