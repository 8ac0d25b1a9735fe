import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { type Clock, systemClock } from '../clock';
import type { Ctx } from '../ctx';
import { AppError, badRequest, isAppError, notFound, validationFailed } from '../errors';
import type { Outbox } from '../events/outbox';
import { type Logger, silentLogger } from '../logger';
import type { Model } from '../model/load-model';
import type { TxCtx } from '../tx/unit-of-work';
import { isIdentifier, isTenantId } from '../model/naming';
import { CircuitBreaker } from './circuit-breaker';
import { compileExpression, compileScript, formatDiagnostics } from './compile-script';
import { nestsDeeperThan } from './json-depth';
import {
  hasSaveWork,
  type RecordsQuery,
  saveInputFor,
  scriptHostFor,
  scriptsFor,
  scriptUserOf,
} from './record-scripts';
import type { SourceDef } from './sandbox-protocol';
import { type SandboxOutcome, SandboxProcess } from './sandbox-process';
import { scriptFailure, type UnitLabel } from './script-failure';
import type {
  CompileResult,
  Diagnostic,
  ExpressionScope,
  FailureReason,
  RecordData,
  SaveInput,
  SaveResult,
  ScriptDefinition,
  ScriptHost,
  ScriptLanguage,
  ScriptRef,
  ScriptRunInput,
  ScriptRunResult,
  ScriptVersion,
} from './script-types';
import { SCRIPT_EVENTS } from './script-types';
import { limitsFor, type ScriptLimits, type ScriptsConfig } from './scripts-config';
import { parseScriptLimits, type TenantLimitsStore } from './tenant-script-limits';

/** Gives the `ScriptHost` that answers `query()` for a request (the records engine registers one). */
export type ScriptHostFactory = (ctx: Ctx) => ScriptHost;

/**
 * What an action needs of the records engine: the record as the caller may read it (404 outside their
 * scope) and an update through the normal save path (permissions, validation, scripts, formulas).
 */
export interface ActionRecords {
  get(ctx: Ctx, object: string, id: string): Promise<RecordData>;
  update(ctx: Ctx, object: string, id: string, changes: RecordData, version: number | undefined): Promise<RecordData>;
}

/** The answer of `POST /api/records/:object/:id/actions/:script`. */
export interface ActionResult extends ScriptRunResult {
  /** The record after the action: updated when the script called `set()`, else as read. */
  record: RecordData;
}

/** Outbox topic of the afterSave scripts of one save; the payload is `AfterSavePayload`. */
export const AFTER_SAVE_TOPIC = 'scripts.afterSave';

export interface AfterSavePayload {
  object: string;
  record: RecordData;
  old: RecordData | null;
}

/** How long a tenant's first call waits for its stored limits before running under the configured ones. */
const FIRST_READ_WAIT_MS = 500;

/** Failures of an afterSave script that running it again cannot fix: logged, not retried. */
const FINAL_REASONS: ReadonlySet<string> = new Set(['error', 'syntax', 'output']);

/** Finds a saved script by name (the metadata service registers one). */
export type ScriptLoader = (
  ctx: Ctx,
  name: string,
) => Promise<{ definition: ScriptDefinition; version: ScriptVersion } | undefined>;

export interface ScriptTestRequest {
  /** The saved script to run, or the name to give `script`. */
  name: string;
  /** An unsaved definition to run instead of the saved one. */
  script?: ScriptDefinition;
  record: RecordData;
  old?: RecordData | null;
  params?: RecordData;
}

/** One compiled unit as the parent knows it. */
interface Unit {
  key: string;
  def: SourceDef;
  label: UnitLabel;
  source: string;
  language: ScriptLanguage;
  problem?: Diagnostic;
}

type RunnerOutput =
  | {
      ok: true;
      errors?: unknown;
      changes?: unknown;
      logs?: unknown;
      result?: unknown;
      values?: unknown;
    }
  | { ok: false; kind: string; key?: string; message?: string; line?: number; column?: number; logs?: unknown };

const SCRIPT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
/** Deeper data is refused before it reaches JSON.stringify or the sandbox (no record needs it). */
const MAX_DEPTH = 64;
const KEY = /^(_|[a-z][a-z0-9_]{0,62})$/;
/** Failures that say the tenant's scripts hurt the sandbox, as opposed to a rule throwing an error. */
const BREAKER_REASONS: ReadonlySet<FailureReason> = new Set(['timeout', 'memory', 'crash']);

const noHost: ScriptHost = {
  query: async () => {
    throw badRequest('queries are not available: no records engine is connected');
  },
};

function unitKey(def: SourceDef): string {
  return createHash('sha256').update(`${def.kind}\0${def.name}\0${def.code}`).digest('base64url').slice(0, 24);
}

/** Keeps only field-named keys (the sandbox already does; this does not trust it to). */
function fieldMap<T>(value: unknown, accept: (v: unknown) => v is T): Record<string, T> {
  const out: Record<string, T> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value)) if (KEY.test(key) && accept(v)) out[key] = v;
  return out;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isAny = (_v: unknown): _v is unknown => true;
const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isString) : []);
const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;

/**
 * The script engine: compiles tenant scripts and expressions once, runs them in the sandbox child
 * process under each tenant's limits, and turns every failure into a clear `SCRIPT_FAILED`.
 */
export class ScriptEngine {
  private readonly sandbox: SandboxProcess;
  private readonly breaker: CircuitBreaker;
  private readonly units = new LRUCache<string, Unit>({ max: 20_000 });
  private readonly overrides = new Map<string, Partial<ScriptLimits>>();
  private hostFactory: ScriptHostFactory = () => noHost;
  private loader: ScriptLoader | undefined;
  private outbox: Pick<Outbox, 'enqueue'> | undefined;
  private records: ActionRecords | undefined;
  private limitsStore: TenantLimitsStore | undefined;
  /** Overrides read from tenant settings, with when they were read (ms). */
  private readonly stored = new Map<string, { limits: Partial<ScriptLimits> | undefined; at: number }>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(
    private readonly config: ScriptsConfig,
    opts: { clock?: Clock; logger?: Logger } = {},
  ) {
    const logger = opts.logger ?? silentLogger;
    this.logger = logger;
    this.clock = opts.clock ?? systemClock;
    this.sandbox = new SandboxProcess({ maxIsolates: config.maxIsolates, logger });
    this.breaker = new CircuitBreaker(config.breaker, this.clock);
  }

  /** Full check of a script as on save: syntax, and for TypeScript the types against the script API. */
  compile(source: string, language: ScriptLanguage = 'js'): CompileResult {
    return compileScript(source, language);
  }

  compileExpression(expression: string): CompileResult {
    return compileExpression(expression);
  }

  /**
   * Checks a script definition as the metadata document holds it; `fields` name what is wrong
   * (`code` carries the diagnostics as "line L, column C: message").
   */
  checkDefinition(definition: unknown): { ok: boolean; fields: Record<string, string>; diagnostics: Diagnostic[] } {
    const fields: Record<string, string> = {};
    const def = (typeof definition === 'object' && definition !== null ? definition : {}) as Partial<
      Record<keyof ScriptDefinition, unknown>
    >;
    if (!isIdentifier(def.object)) fields.object = 'must be an object name';
    if (!SCRIPT_EVENTS.includes(def.event as never)) fields.event = `must be one of ${SCRIPT_EVENTS.join(', ')}`;
    if (def.language !== undefined && def.language !== 'js' && def.language !== 'ts')
      fields.language = 'must be js or ts';
    let diagnostics: Diagnostic[] = [];
    if (typeof def.code !== 'string') fields.code = 'must be a string';
    else {
      const result = compileScript(def.code, def.language === 'ts' ? 'ts' : 'js');
      diagnostics = result.diagnostics;
      if (!result.ok) fields.code = formatDiagnostics(diagnostics);
    }
    return { ok: Object.keys(fields).length === 0, fields, diagnostics };
  }

  /**
   * The limits a tenant's calls run under: the defaults, then the configuration's overrides, then
   * the tenant's settings (as last read), then `setTenantLimits` of this process.
   */
  limitsFor(tenant: string): ScriptLimits {
    return limitsFor(this.config, {
      ...this.config.tenants[tenant],
      ...this.stored.get(tenant)?.limits,
      ...this.overrides.get(tenant),
    });
  }

  /** Overrides a tenant's limits in this process only (`undefined` removes the override). */
  setTenantLimits(tenant: string, limits: Partial<ScriptLimits> | undefined): void {
    if (limits) this.overrides.set(tenant, { ...limits });
    else this.overrides.delete(tenant);
  }

  /** Where tenants' limit overrides are kept for every process (tenant settings in the database). */
  useTenantLimitsStore(store: TenantLimitsStore): void {
    this.limitsStore = store;
    this.stored.clear();
  }

  /** The overrides kept in the tenant's settings and the limits its calls now run under. */
  async tenantLimits(tenant: string): Promise<{ overrides: Partial<ScriptLimits>; effective: ScriptLimits }> {
    this.assertTenant(tenant);
    if (this.limitsStore) {
      const limits = await this.limitsStore.read(tenant);
      this.stored.set(tenant, { limits, at: this.clock.now().getTime() });
    }
    return { overrides: { ...this.stored.get(tenant)?.limits }, effective: this.limitsFor(tenant) };
  }

  /** Replaces the overrides kept in the tenant's settings (`{}` removes them); other processes follow within `settingsTtlMs`. */
  async putTenantLimits(
    tenant: string,
    limits: unknown,
  ): Promise<{ overrides: Partial<ScriptLimits>; effective: ScriptLimits }> {
    this.assertTenant(tenant);
    const parsed = parseScriptLimits(limits);
    if (Object.keys(parsed.fields).length) throw validationFailed('Invalid script limits', parsed.fields);
    if (!this.limitsStore) throw badRequest('Tenant script limits are not stored in this deployment');
    await this.limitsStore.write(tenant, parsed.limits);
    return this.tenantLimits(tenant);
  }

  /**
   * Reads the tenant's stored overrides when the copy held is older than `settingsTtlMs`. A stale copy
   * is refreshed in the background; only a tenant's first call waits, and not for long, because the
   * read needs a pooled connection that callers holding transactions may be keeping busy.
   */
  private async refreshStoredLimits(tenant: string): Promise<void> {
    const store = this.limitsStore;
    if (!store) return;
    const now = this.clock.now().getTime();
    const held = this.stored.get(tenant);
    if (held && now - held.at < this.config.settingsTtlMs) return;
    let loading = this.loading.get(tenant);
    if (!loading) {
      loading = store
        .read(tenant)
        .then(
          (limits) => this.stored.set(tenant, { limits, at: this.clock.now().getTime() }),
          (err) => {
            // Scripts keep their last known limits rather than failing saves over a settings read.
            this.logger.warn({ err, tenant }, 'could not read the tenant’s script limits');
            this.stored.set(tenant, { limits: held?.limits, at: this.clock.now().getTime() });
          },
        )
        .then(() => undefined)
        .finally(() => this.loading.delete(tenant));
      this.loading.set(tenant, loading);
    }
    if (held) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([loading, new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_READ_WAIT_MS)))]);
    clearTimeout(timer);
  }

  useHostFactory(factory: ScriptHostFactory): void {
    this.hostFactory = factory;
  }

  useScriptLoader(loader: ScriptLoader): void {
    this.loader = loader;
  }

  /** `query()` of every script goes through the records engine as the calling user. */
  useRecordsQuery(query: RecordsQuery): void {
    this.hostFactory = (ctx) => scriptHostFor(ctx, query);
  }

  /** Where `queueAfterSave` records its events (the handler is `connectScriptsToOutbox`'s). */
  useOutbox(outbox: Pick<Outbox, 'enqueue'>): void {
    this.outbox = outbox;
  }

  /** Record access for action scripts (`runAction`). */
  useActionRecords(records: ActionRecords): void {
    this.records = records;
  }

  /** The host that answers `query()` for this request's user. */
  hostFor(ctx: Ctx): ScriptHost {
    return this.hostFactory(ctx);
  }

  /** Starts the sandbox process ahead of the first call. */
  warmUp(): Promise<void> {
    return this.sandbox.start();
  }

  /** Process id of the sandbox child, if running. */
  get sandboxPid(): number | undefined {
    return this.sandbox.pid;
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }

  /**
   * A record save in one sandbox call: the `validate` scripts (all of them, collecting errors), then,
   * if none reported an error, the `beforeSave` scripts in order (each sees the earlier ones' `set()`),
   * then the formulas in order on the resulting record. Throws `SCRIPT_FAILED` when a script fails.
   */
  async runSave(input: SaveInput, host?: ScriptHost): Promise<SaveResult> {
    const started = performance.now();
    const formulas = Object.entries(input.formulas ?? {});
    if (input.validate.length === 0 && input.beforeSave.length === 0 && formulas.length === 0) {
      return { errors: {}, changes: {}, logs: [], ms: 0 };
    }
    this.assertTenant(input.tenant);
    const validate = input.validate.map((ref) => this.scriptUnit(input.tenant, input.version, ref));
    const beforeSave = input.beforeSave.map((ref) => this.scriptUnit(input.tenant, input.version, ref));
    const formulaUnits = formulas.map(([field, expression]) => {
      if (!isIdentifier(field)) throw badRequest(`Invalid formula field name "${String(field).slice(0, 64)}"`);
      return this.expressionUnit(input.tenant, input.version, { kind: 'formula', name: field }, expression);
    });
    const out = await this.execute(input.tenant, [...validate, ...beforeSave, ...formulaUnits], host, {
      op: 'save',
      validate: validate.map((u) => u.key),
      beforeSave: beforeSave.map((u) => u.key),
      formulas: formulaUnits.map((u, i) => [formulas[i]![0], u.key]),
      record: input.record,
      old: input.old,
      user: input.user,
    });
    return {
      errors: fieldMap(out.errors, isString),
      changes: fieldMap(out.changes, isAny),
      logs: stringList(out.logs),
      ms: elapsed(started),
    };
  }

  /**
   * The records engine's one call per save: the object's validate and beforeSave scripts and its
   * formulas on `record` (the whole record as it will be saved; on update, old merged with the patch),
   * with `query()` answered as `ctx.user` inside `ctx.db`. Apply `changes` to the record when `errors`
   * is empty; otherwise refuse the save (`assertNoScriptErrors`). Throws `SCRIPT_FAILED` (422).
   */
  async runRecordSave(
    ctx: Ctx,
    model: Model,
    object: string,
    record: RecordData,
    old: RecordData | null,
  ): Promise<SaveResult> {
    if (!hasSaveWork(model, object)) return { errors: {}, changes: {}, logs: [], ms: 0 };
    return this.runSave(saveInputFor(ctx, model, object, record, old), this.hostFor(ctx));
  }

  /**
   * Records, in the save's transaction, that the object's afterSave scripts must run once it commits
   * (nothing is recorded when the object has none). A rolled-back save never runs them.
   */
  async queueAfterSave(
    tx: TxCtx,
    model: Model,
    object: string,
    record: RecordData,
    old: RecordData | null,
  ): Promise<boolean> {
    if (scriptsFor(model, object, 'afterSave').length === 0) return false;
    if (!this.outbox) throw new Error('afterSave scripts need an outbox: call connectScriptsToOutbox');
    const payload: AfterSavePayload = { object, record, old };
    await this.outbox.enqueue(tx, AFTER_SAVE_TOPIC, payload as unknown as Record<string, unknown>);
    return true;
  }

  /**
   * Runs the afterSave scripts of a committed save (the outbox handler). Scripts run as the user who
   * saved, as the metadata stands when the event is handled. A script that throws is logged and the
   * others still run; a timeout, memory exhaustion or crash is thrown so the outbox retries the event.
   */
  async runAfterSave(ctx: Ctx, model: Model, payload: AfterSavePayload): Promise<ScriptRunResult[]> {
    if (!model.objects.has(payload.object)) return [];
    const results: ScriptRunResult[] = [];
    const host = this.hostFor(ctx);
    for (const script of scriptsFor(model, payload.object, 'afterSave')) {
      try {
        const result = await this.runScript(
          {
            tenant: ctx.tenant,
            version: model.version,
            object: payload.object,
            event: 'afterSave',
            script,
            record: payload.record,
            old: payload.old,
            user: scriptUserOf(ctx),
          },
          host,
        );
        if (result.logs.length || Object.keys(result.errors).length) {
          this.logger.info(
            { tenant: ctx.tenant, script: script.name, logs: result.logs, errors: result.errors },
            'afterSave script',
          );
        }
        results.push(result);
      } catch (e) {
        const reason = isAppError(e) ? e.details?.reason : undefined;
        if (typeof reason !== 'string' || !FINAL_REASONS.has(reason)) throw e;
        this.logger.warn({ tenant: ctx.tenant, script: script.name, err: e }, 'afterSave script failed');
      }
    }
    return results;
  }

  /**
   * An action script on one record (`POST /api/records/:object/:id/actions/:script`): the record is
   * read as the caller may see it, the script runs with `params`, and what it `set()` is saved through
   * the records engine's normal update (the caller's permissions, validation, scripts; 409 when the
   * record changed meanwhile). Unknown, inactive or non-action scripts of the object answer 404.
   */
  async runAction(ctx: Ctx, object: string, id: string, name: string, params: RecordData = {}): Promise<ActionResult> {
    const found = SCRIPT_NAME.test(name) ? await this.loader?.(ctx, name) : undefined;
    const def = found?.definition as (ScriptDefinition & { active?: boolean }) | undefined;
    if (!found || !def || def.object !== object || def.event !== 'action' || def.active === false) {
      throw notFound(`Action "${name.slice(0, 100)}" not found on ${object}`);
    }
    if (!this.records) throw badRequest('Actions are not available: no records engine is connected');
    const record = await this.records.get(ctx, object, id);
    const result = await this.runScript(
      {
        tenant: ctx.tenant,
        version: found.version,
        object,
        event: 'action',
        script: { name, code: def.code, language: def.language ?? 'js' },
        record,
        old: null,
        user: scriptUserOf(ctx),
        params,
      },
      this.hostFor(ctx),
    );
    if (Object.keys(result.errors).length > 0) {
      const fields = result.errors;
      throw new AppError('VALIDATION_FAILED', `Action "${name}" refused: ${Object.values(fields)[0]}`, {
        fields,
        adminDetails: { logs: result.logs },
      });
    }
    // Logs are for tenant admins; the user who pressed the button gets the result.
    const answer = ctx.isAdmin ? result : { ...result, logs: [] };
    if (Object.keys(result.changes).length === 0) return { ...answer, record };
    const version = typeof record.version === 'number' ? record.version : undefined;
    const updated = await this.records.update(ctx, object, id, result.changes, version);
    return { ...answer, record: updated };
  }

  /** One script on its own: `afterSave` and `action` events (`set()` allowed for `beforeSave` and `action`). */
  async runScript(input: ScriptRunInput, host?: ScriptHost): Promise<ScriptRunResult> {
    const started = performance.now();
    this.assertTenant(input.tenant);
    const unit = this.scriptUnit(input.tenant, input.version, input.script);
    const out = await this.execute(input.tenant, [unit], host, {
      op: 'script',
      script: unit.key,
      canSet: input.event === 'beforeSave' || input.event === 'action',
      record: input.record,
      old: input.old,
      user: input.user,
      params: input.params ?? {},
    });
    return {
      errors: fieldMap(out.errors, isString),
      changes: fieldMap(out.changes, isAny),
      logs: stringList(out.logs),
      ...(out.result !== undefined ? { result: out.result } : {}),
      ms: elapsed(started),
    };
  }

  /** Evaluates one expression (workflow trigger, condition edge) to a plain JSON value. */
  async evaluate(tenant: string, version: ScriptVersion, expression: string, scope: ExpressionScope): Promise<unknown> {
    const [value] = await this.evaluateAll(tenant, version, [expression], scope);
    return value;
  }

  /** Several expressions on the same scope in one sandbox call (e.g. all edges of a condition node). */
  async evaluateAll(
    tenant: string,
    version: ScriptVersion,
    expressions: string[],
    scope: ExpressionScope,
  ): Promise<unknown[]> {
    if (expressions.length === 0) return [];
    this.assertTenant(tenant);
    const units = expressions.map((e) => this.expressionUnit(tenant, version, { kind: 'expression', name: e }, e));
    const out = await this.execute(tenant, units, undefined, {
      op: 'eval',
      keys: units.map((u) => u.key),
      record: scope.record ?? {},
      old: scope.old ?? null,
      user: scope.user ?? null,
    });
    return Array.isArray(out.values) ? out.values : [];
  }

  /**
   * Runs a script on a sample record without saving (`POST /api/meta/scripts/:name/test`): a saved
   * script by name, or an unsaved definition, which is fully checked first.
   */
  async test(ctx: Ctx, request: ScriptTestRequest): Promise<ScriptRunResult> {
    let definition: ScriptDefinition;
    let version: ScriptVersion;
    if (request.script) {
      const check = this.checkDefinition(request.script);
      if (!check.ok)
        throw validationFailed('The script is not valid', check.fields, { diagnostics: check.diagnostics });
      definition = request.script;
      version = 'test';
    } else {
      const found = await this.loader?.(ctx, request.name);
      if (!found) throw notFound(`Script "${request.name}" not found`);
      ({ definition, version } = found);
    }
    const ref: ScriptRef = { name: request.name, code: definition.code, language: definition.language ?? 'js' };
    const common = {
      tenant: ctx.tenant,
      version,
      object: definition.object,
      record: request.record,
      old: request.old ?? null,
      user: scriptUserOf(ctx),
    };
    const host = this.hostFor(ctx);
    if (definition.event === 'validate' || definition.event === 'beforeSave') {
      const isValidate = definition.event === 'validate';
      return this.runSave(
        { ...common, validate: isValidate ? [ref] : [], beforeSave: isValidate ? [] : [ref], formulas: {} },
        host,
      );
    }
    return this.runScript({ ...common, event: definition.event, script: ref, params: request.params ?? {} }, host);
  }

  private assertTenant(tenant: string): void {
    if (!isTenantId(tenant)) throw badRequest('Invalid tenant id');
  }

  /**
   * Compiled units are cached per tenant and metadata version (two tenants' scripts of the same name
   * and version would otherwise evict each other), and checked against the source, so a stale entry
   * is never used.
   */
  private scriptUnit(tenant: string, version: ScriptVersion, ref: ScriptRef): Unit {
    if (typeof ref?.name !== 'string' || !SCRIPT_NAME.test(ref.name)) {
      throw badRequest(`Invalid script name "${String(ref?.name).slice(0, 64)}"`);
    }
    const language = ref.language ?? 'js';
    const cacheKey = `s\0${tenant}\0${version}\0${ref.name}`;
    const cached = this.units.get(cacheKey);
    if (cached && cached.source === ref.code && cached.language === language) return cached;
    // Run time takes the fast path: syntax only. Types were checked when the script was saved.
    const compiled = compileScript(ref.code, language, { typeCheck: false });
    return this.remember(cacheKey, { kind: 'script', name: ref.name }, ref.code, language, compiled);
  }

  private expressionUnit(tenant: string, version: ScriptVersion, label: UnitLabel, expression: string): Unit {
    // An expression is its own name, so tenants share its compiled form; a formula is named by its field.
    const owner = label.kind === 'expression' ? '' : tenant;
    const cacheKey = `${label.kind}\0${owner}\0${version}\0${label.name}`;
    const cached = this.units.get(cacheKey);
    if (cached && cached.source === expression) return cached;
    return this.remember(cacheKey, label, expression, 'js', compileExpression(expression));
  }

  private remember(
    cacheKey: string,
    label: UnitLabel,
    source: string,
    language: ScriptLanguage,
    compiled: CompileResult,
  ): Unit {
    const def: SourceDef = {
      kind: label.kind === 'script' ? 'script' : 'expression',
      name: label.kind === 'expression' ? 'expression' : label.name,
      code: compiled.code,
    };
    const unit: Unit = { key: unitKey(def), def, label, source, language };
    if (!compiled.ok) unit.problem = compiled.diagnostics[0];
    this.units.set(cacheKey, unit);
    return unit;
  }

  private async execute(
    tenant: string,
    units: Unit[],
    host: ScriptHost | undefined,
    job: Record<string, unknown>,
  ): Promise<Extract<RunnerOutput, { ok: true }>> {
    await this.refreshStoredLimits(tenant);
    const limits = this.limitsFor(tenant);
    const labels = units.map((u) => u.label);
    const broken = units.find((u) => u.problem);
    if (broken?.problem) {
      throw scriptFailure({ reason: 'syntax', unit: broken.label, units: labels, limits, ...broken.problem });
    }
    const retryInMs = this.breaker.retryIn(tenant);
    if (retryInMs > 0) throw scriptFailure({ reason: 'suspended', units: labels, limits, retryInMs });

    for (const field of ['record', 'old', 'user', 'params'] as const) {
      if (nestsDeeperThan(job[field], MAX_DEPTH)) {
        throw badRequest(`The ${field} given to the script nests more than ${MAX_DEPTH} levels deep`);
      }
    }
    let jobJson: string;
    try {
      jobJson = JSON.stringify({ ...job, limits });
    } catch {
      throw badRequest('The data given to the script is not JSON data');
    }
    const byKey = new Map(units.map((u) => [u.key, u]));
    const outcome = await this.sandbox.call({
      tenant,
      limits,
      keys: [...byKey.keys()],
      job: jobJson,
      sourceOf: (key) => byKey.get(key)!.def,
      host,
    });
    const out = this.read(outcome);
    if (out.ok) {
      this.breaker.success(tenant);
      return out;
    }
    const reason = out.reason;
    if (BREAKER_REASONS.has(reason)) this.breaker.failure(tenant);
    else this.breaker.success(tenant);
    const unit =
      out.key !== undefined
        ? byKey.get(out.key)?.label
        : out.position !== undefined
          ? units[out.position]?.label
          : out.name !== undefined
            ? units.find((u) => u.def.name === out.name)?.label
            : undefined;
    throw scriptFailure({ ...out, reason, unit, units: labels, limits });
  }

  /** The child's outcome as either the runner's result or one failure with its reason. */
  private read(outcome: SandboxOutcome):
    | Extract<RunnerOutput, { ok: true }>
    | {
        ok: false;
        reason: FailureReason;
        message?: string;
        key?: string;
        position?: number;
        name?: string;
        line?: number;
        column?: number;
        logs?: string[];
      } {
    if (!outcome.ok) {
      const reason: FailureReason =
        outcome.kind === 'internal' ? 'crash' : outcome.kind === 'crash' ? 'crash' : outcome.kind;
      return {
        ok: false,
        reason,
        message: outcome.message,
        ...(outcome.position !== undefined ? { position: outcome.position } : {}),
        ...(outcome.name !== undefined ? { name: outcome.name } : {}),
      };
    }
    let out: RunnerOutput;
    try {
      out = JSON.parse(outcome.out) as RunnerOutput;
    } catch {
      return { ok: false, reason: 'crash', message: 'unreadable answer from the sandbox' };
    }
    if (out.ok) return out;
    const reason: FailureReason = out.kind === 'error' ? 'error' : out.kind === 'output' ? 'output' : 'crash';
    return {
      ok: false,
      reason,
      ...(typeof out.message === 'string' ? { message: out.message } : {}),
      ...(typeof out.key === 'string' ? { key: out.key } : {}),
      ...(Number.isInteger(out.line) ? { line: out.line } : {}),
      ...(Number.isInteger(out.column) ? { column: out.column } : {}),
      logs: stringList(out.logs),
    };
  }
}
