import type { Ctx } from '../ctx';
import { isAppError } from '../errors';
import type { Outbox } from '../events/outbox';
import { type Logger, silentLogger } from '../logger';
import type { Model } from '../model/load-model';
import type { TxCtx } from '../tx/unit-of-work';
import { DeclarativeFormulas } from './declarative-formulas';
import { formulasFor, hasSaveWork, saveInputFor, scriptsFor, scriptUserOf } from './record-scripts';
import type { ScriptEngine } from './script-engine';
import type { RecordData, SaveResult, ScriptHost, ScriptRunResult } from './script-types';

/** Outbox topic of the afterSave scripts of one save; the payload is `AfterSavePayload`. */
export const AFTER_SAVE_TOPIC = 'scripts.afterSave';

export interface AfterSavePayload {
  object: string;
  record: RecordData;
  old: RecordData | null;
}

/** Failures of an afterSave script that running it again cannot fix: logged, not retried. */
const FINAL_REASONS: ReadonlySet<string> = new Set(['error', 'syntax', 'output']);

export interface SavePipelineDeps {
  runner: Pick<ScriptEngine, 'runSave' | 'runScript' | 'suspendedRefusal'> &
    Partial<Pick<ScriptEngine, 'beforeSaveTransaction'>>;
  /** Where `queueAfterSave` records its events (the records engine handles `AFTER_SAVE_TOPIC`). */
  outbox: Pick<Outbox, 'enqueue'>;
  logger?: Logger;
}

/**
 * What the scripts of a record save run, for the records engine: the validate and beforeSave scripts
 * and the formulas in one sandbox call, formulas again after roll-ups move, and the afterSave
 * scripts after commit. `query()` is answered by the host the records engine gives, as the saving
 * user inside the save's transaction.
 */
export class SavePipeline {
  private readonly logger: Logger;
  private readonly declarative = new DeclarativeFormulas();

  constructor(private readonly deps: SavePipelineDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  /**
   * The object's validate and beforeSave scripts and its formulas on `record` (the whole record as it
   * will be saved; on update, old merged with the patch). Apply `changes` when `errors` is empty;
   * otherwise refuse the save (`assertNoScriptErrors`). Throws `SCRIPT_FAILED` (422).
   */
  async runRecordSave(
    ctx: Ctx,
    model: Model,
    object: string,
    record: RecordData,
    old: RecordData | null,
    host: ScriptHost,
  ): Promise<SaveResult> {
    if (!hasSaveWork(model, object)) return { errors: {}, changes: {}, logs: [], ms: 0 };
    // Formulas alone, all declarative: computed here, no sandbox call (declarative-formulas.ts).
    if (scriptsFor(model, object, 'validate').length === 0 && scriptsFor(model, object, 'beforeSave').length === 0) {
      const compiled = this.declarative.compile(formulasFor(model, object));
      if (compiled) {
        const started = performance.now();
        const changes = this.declarative.run(object, compiled, record);
        return { errors: {}, changes, logs: [], ms: performance.now() - started };
      }
    }
    return this.deps.runner.runSave(saveInputFor(ctx, model, object, record, old), host);
  }

  /**
   * Refuses a save whose validate or beforeSave scripts are suspended (`SCRIPT_FAILED`, reason
   * `suspended`). The records engine asks before it opens the save's transaction, so a runaway
   * tenant's refused saves hold no connection and wait on no row lock.
   */
  assertNotSuspended(ctx: Ctx, model: Model, object: string): Promise<void> | undefined {
    const scripts = [...scriptsFor(model, object, 'validate'), ...scriptsFor(model, object, 'beforeSave')];
    if (scripts.length === 0) return undefined;
    const units = scripts.map((s) => ({ kind: 'script' as const, name: s.name }));
    // The engine also holds the save while the tenant's running call is long (a runaway's timeout).
    if (this.deps.runner.beforeSaveTransaction) return this.deps.runner.beforeSaveTransaction(ctx.tenant, units);
    const refusal = this.deps.runner.suspendedRefusal(ctx.tenant, units);
    if (refusal) throw refusal;
    return undefined;
  }

  /** Only the given formulas (`field → expression`) on a stored row: the ones reading roll-ups that moved. */
  async runFormulas(
    ctx: Ctx,
    model: Model,
    object: string,
    row: RecordData,
    formulas: Record<string, string>,
  ): Promise<RecordData> {
    const compiled = this.declarative.compile(formulas);
    if (compiled) return this.declarative.run(object, compiled, row);
    const input = saveInputFor(ctx, model, object, row, row);
    return (await this.deps.runner.runSave({ ...input, validate: [], beforeSave: [], formulas })).changes;
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
    const payload: AfterSavePayload = { object, record, old };
    await this.deps.outbox.enqueue(tx, AFTER_SAVE_TOPIC, payload as unknown as Record<string, unknown>);
    return true;
  }

  /**
   * Runs the afterSave scripts of a committed save (the outbox handler). Scripts run as the user who
   * saved, as the metadata stands when the event is handled. A script that throws is logged and the
   * others still run; a timeout, memory exhaustion or crash is thrown so the outbox retries the event.
   */
  async runAfterSave(ctx: Ctx, model: Model, payload: AfterSavePayload, host: ScriptHost): Promise<ScriptRunResult[]> {
    if (!model.objects.has(payload.object)) return [];
    const results: ScriptRunResult[] = [];
    for (const script of scriptsFor(model, payload.object, 'afterSave')) {
      try {
        const result = await this.deps.runner.runScript(
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
}
