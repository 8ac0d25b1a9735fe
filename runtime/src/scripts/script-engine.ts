import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { type Clock, systemClock } from '../clock';
import { type AppError, badRequest, scriptBusy } from '../errors';
import { type Logger, silentLogger } from '../logger';
import { isIdentifier, isTenantId } from '../model/naming';
import { CircuitBreaker } from './circuit-breaker';
import { compileExpression, compileScript, formatDiagnostics } from './compile-script';
import { nestsDeeperThan } from './json-depth';
import type { SourceDef } from './sandbox-protocol';
import { SandboxPool } from './sandbox-pool';
import type { CallTrace, SandboxOutcome } from './sandbox-process';
import { scriptFailure, type UnitLabel } from './script-failure';
import type {
  CompileResult,
  Diagnostic,
  ExpressionScope,
  FailureReason,
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
import { ScriptLimitsStore } from './script-limits-store';
import type { ScriptLimits, ScriptsConfig } from './scripts-config';

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
      errorI18n?: unknown;
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
/**
 * Says nothing about the tenant's scripts either way: stopped with another call of the tenant
 * (an in-flight call must not close the breaker that call just opened), or refused by the breaker.
 */
const NEUTRAL_REASONS: ReadonlySet<FailureReason> = new Set(['aborted', 'suspended']);

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
const LOCALE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;
/** `{"zh-CN": "…"}` from the sandbox, re-checked on this side. */
const isTextMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.entries(v).every(([k, t]) => LOCALE_TAG.test(k) && typeof t === 'string' && t.length <= 1000);
const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isString) : []);
const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;

/**
 * The script runner: compiles tenant scripts and expressions once, runs them in the sandbox child
 * process under each tenant's limits (`limits`), and turns every failure into a clear
 * `SCRIPT_FAILED`. Three run kinds: a save's scripts and formulas (`runSave`), one script
 * (`runScript`), expressions (`evaluateAll`); `query()` is answered by the host each call is given.
 * What a record save runs is the save pipeline's (save-pipeline.ts); action scripts and test runs are
 * `ScriptActions`' (script-actions.ts).
 */
export class ScriptEngine {
  readonly limits: ScriptLimitsStore;
  private readonly sandbox: SandboxPool;
  private readonly breaker: CircuitBreaker;
  private readonly units = new LRUCache<string, Unit>({ max: 20_000 });

  constructor(config: ScriptsConfig, opts: { clock?: Clock; logger?: Logger; limits?: ScriptLimitsStore } = {}) {
    const logger = opts.logger ?? silentLogger;
    const clock = opts.clock ?? systemClock;
    this.limits = opts.limits ?? new ScriptLimitsStore(config, { clock, logger });
    this.sandbox = new SandboxPool({ config: config.sandbox, maxIsolates: config.maxIsolates, logger });
    this.breaker = new CircuitBreaker(config.breaker, clock);
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

  /** The limits a tenant's calls run under (`limits.limitsFor`). */
  limitsFor(tenant: string): ScriptLimits {
    return this.limits.limitsFor(tenant);
  }

  /** Overrides a tenant's limits in this process only (`limits.setTenantLimits`; tests, operators). */
  setTenantLimits(tenant: string, limits: Partial<ScriptLimits> | undefined): void {
    this.limits.setTenantLimits(tenant, limits);
  }

  /** Starts the sandbox process ahead of the first call. */
  warmUp(): Promise<void> {
    return this.sandbox.start();
  }

  /** Process id of the first sandbox child, if running. */
  get sandboxPid(): number | undefined {
    return this.sandbox.pid();
  }

  /** Process id of the sandbox child that runs `tenant`'s calls, if running. */
  sandboxPidOf(tenant: string): number | undefined {
    return this.sandbox.pid(tenant);
  }

  /** Process id of the low-priority sandbox child (`sandbox.slowLane`), if running. */
  get sandboxSlowPid(): number | undefined {
    return this.sandbox.slowPid;
  }

  /** `tenant`'s calls run in the low-priority child now: one of them used too much CPU lately. */
  sandboxIsSlow(tenant: string): boolean {
    return this.sandbox.isSlow(tenant);
  }

  /** Which sandbox child (0 … children − 1) runs `tenant`'s calls. */
  sandboxShardOf(tenant: string): number {
    return this.sandbox.shardOf(tenant);
  }

  /** `tenant`'s sandbox lane: a call running, and how many wait behind it (tests, health details). */
  sandboxLoad(tenant: string): { running: boolean; waiting: number } {
    return this.sandbox.load(tenant);
  }

  /** The tenant's running sandbox call has outlived the child's quick attempt (tests). */
  sandboxRunsLong(tenant: string): boolean {
    return this.sandbox.runsLong(tenant);
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }

  /**
   * A record save in one sandbox call: the `validate` scripts (all of them, collecting errors), then,
   * if none reported an error, the `beforeSave` scripts in order (each sees the earlier ones' `set()`),
   * then the formulas in order on the resulting record. Throws `SCRIPT_FAILED` when a script fails.
   * `trace` (the bench, diagnostics) is filled in with where the call's time went when the child
   * completes it at once.
   */
  async runSave(input: SaveInput, host?: ScriptHost, trace?: CallTrace): Promise<SaveResult> {
    const started = performance.now();
    if (trace) trace.startedAt = started;
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
      trace,
      retriable: true,
      op: 'save',
      validate: validate.map((u) => u.key),
      beforeSave: beforeSave.map((u) => u.key),
      formulas: formulaUnits.map((u, i) => [formulas[i]![0], u.key]),
      record: input.record,
      old: input.old,
      user: input.user,
    });
    const errorI18n = fieldMap(out.errorI18n, isTextMap);
    const result = {
      errors: fieldMap(out.errors, isString),
      ...(Object.keys(errorI18n).length ? { errorI18n } : {}),
      changes: fieldMap(out.changes, isAny),
      logs: stringList(out.logs),
      ms: elapsed(started),
    };
    if (trace) trace.endedAt = performance.now();
    return result;
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
    const errorI18n = fieldMap(out.errorI18n, isTextMap);
    return {
      errors: fieldMap(out.errors, isString),
      ...(Object.keys(errorI18n).length ? { errorI18n } : {}),
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
      retriable: true,
      op: 'eval',
      keys: units.map((u) => u.key),
      record: scope.record ?? {},
      old: scope.old ?? null,
      user: scope.user ?? null,
    });
    return Array.isArray(out.values) ? out.values : [];
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

  /**
   * The refusal a call of `tenant` gets now because its scripts are suspended (the breaker is open),
   * or undefined. The records engine asks before it opens a save's transaction: a suspended tenant's
   * saves are then refused without a connection, a row lock or a rollback.
   */
  suspendedRefusal(tenant: string, units: UnitLabel[]): AppError | undefined {
    const retryInMs = this.breaker.retryIn(tenant);
    if (retryInMs <= 0) return undefined;
    return scriptFailure({ reason: 'suspended', units, limits: this.limits.limitsFor(tenant), retryInMs });
  }

  /**
   * Before a save of `tenant` opens its transaction: refused if its scripts are suspended; held
   * (without a connection) while its running sandbox call is long, then checked again, so the saves
   * a runaway sends during its timeout are refused by the breaker it opens without ever having
   * opened a transaction. Resolves at once (no promise) in the usual case.
   */
  beforeSaveTransaction(tenant: string, units: UnitLabel[]): Promise<void> | undefined {
    const refused = this.suspendedRefusal(tenant, units);
    if (refused) throw refused;
    const wait = this.sandbox.afterLongCall(tenant);
    if (wait === undefined) return undefined;
    if (!(wait instanceof Promise)) {
      if (!wait.ok && wait.kind === 'busy') throw scriptBusy(wait.message, wait.retryInMs / 1000);
      return undefined;
    }
    return wait.then(() => {
      const again = this.suspendedRefusal(tenant, units);
      if (again) throw again;
    });
  }

  private async execute(
    tenant: string,
    units: Unit[],
    host: ScriptHost | undefined,
    job: Record<string, unknown>,
  ): Promise<Extract<RunnerOutput, { ok: true }>> {
    await this.limits.refresh(tenant);
    const limits = this.limits.limitsFor(tenant);
    const labels = units.map((u) => u.label);
    const broken = units.find((u) => u.problem);
    if (broken?.problem) {
      throw scriptFailure({ reason: 'syntax', unit: broken.label, units: labels, limits, ...broken.problem });
    }
    const suspended = () => this.suspendedRefusal(tenant, labels);
    const refused = suspended();
    if (refused) throw refused;
    // Saves and expressions only compute an answer: safe to run again after a sandbox crash.
    const { retriable, trace, ...runnerJob } = job;

    for (const field of ['record', 'old', 'user', 'params'] as const) {
      if (nestsDeeperThan(job[field], MAX_DEPTH)) {
        throw badRequest(`The ${field} given to the script nests more than ${MAX_DEPTH} levels deep`);
      }
    }
    let jobJson: string;
    try {
      jobJson = JSON.stringify({ ...runnerJob, limits });
    } catch {
      throw badRequest('The data given to the script is not JSON data');
    }
    const byKey = new Map(units.map((u) => [u.key, u]));
    let breakerRefusal: Error | undefined;
    let settledOut: ReturnType<ScriptEngine['read']> | undefined;
    let turnAt = 0;
    const outcome = await this.sandbox.call({
      tenant,
      limits,
      keys: [...byKey.keys()],
      job: jobJson,
      sourceOf: (key) => byKey.get(key)!.def,
      host,
      retriable: retriable === true,
      ...(trace ? { trace: trace as CallTrace } : {}),
      // A call that waited behind one that opened the breaker is refused when its turn comes.
      admit: () => {
        turnAt = performance.now();
        breakerRefusal = suspended();
        return breakerRefusal ? { ok: false, kind: 'aborted', message: 'suspended' } : undefined;
      },
      // Counted before the tenant's next call is let through, so a timeout suspends that one.
      settled: (settledOutcome) => {
        const out = this.read(settledOutcome);
        settledOut = out;
        if (out.ok) return this.breaker.success(tenant);
        // A crash another tenant's isolate caused says nothing about this tenant's scripts.
        if (!settledOutcome.ok && settledOutcome.kind === 'crash' && settledOutcome.blame === 'other') return;
        if (BREAKER_REASONS.has(out.reason)) this.breaker.failure(tenant);
        else if (!NEUTRAL_REASONS.has(out.reason)) this.breaker.success(tenant);
      },
    });
    if (breakerRefusal) throw breakerRefusal;
    if (!outcome.ok && outcome.kind === 'busy') throw scriptBusy(outcome.message, outcome.retryInMs / 1000);
    const out = settledOut ?? this.read(outcome);
    if (out.ok) return out;
    const reason = out.reason;
    const unit =
      out.key !== undefined
        ? byKey.get(out.key)?.label
        : out.position !== undefined
          ? units[out.position]?.label
          : out.name !== undefined
            ? units.find((u) => u.def.name === out.name)?.label
            : // The parent's watchdog cannot say which unit ran; with one unit there is no doubt.
              units.length === 1
              ? units[0]?.label
              : undefined;
    const elapsedMs = reason === 'timeout' && turnAt > 0 ? Math.round(performance.now() - turnAt) : undefined;
    throw scriptFailure({
      ...out,
      reason,
      unit,
      units: labels,
      limits,
      ...(elapsedMs !== undefined ? { elapsedMs } : {}),
    });
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
