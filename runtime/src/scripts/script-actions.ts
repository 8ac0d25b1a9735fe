import { changeCause } from '../change-cause';
import type { Ctx } from '../ctx';
import { AppError, notFound, validationFailed } from '../errors';
import type { Model } from '../model/load-model';
import { scriptErrorCodes, scriptUserOf } from './record-scripts';
import type { ScriptEngine } from './script-engine';
import type {
  RecordData,
  ScriptDefinition,
  ScriptHost,
  ScriptRef,
  ScriptRunResult,
  ScriptVersion,
} from './script-types';

/**
 * What actions need of the records engine: the record as the caller may read it (404 outside their
 * scope), an update through the normal save path (permissions, validation, scripts, formulas, audit)
 * and `query()` as the caller.
 */
export interface ActionRecords {
  get(ctx: Ctx, object: string, id: string): Promise<RecordData>;
  update(ctx: Ctx, object: string, id: string, changes: RecordData, opts: { version?: number }): Promise<RecordData>;
  scriptHost(ctx: Ctx): ScriptHost;
}

/** The answer of `POST /api/records/:object/:id/actions/:script`. */
export interface ActionResult extends ScriptRunResult {
  /** The record after the action: updated when the script called `set()`, else as read. */
  record: RecordData;
}

export interface ScriptTestRequest {
  /** The saved script to run, or the name to give `script`. */
  name: string;
  /** An unsaved definition to run instead of the saved one. */
  script?: ScriptDefinition;
  record: RecordData;
  old?: RecordData | null;
  params?: RecordData;
}

export interface ScriptActionsDeps {
  runner: Pick<ScriptEngine, 'checkDefinition' | 'runSave' | 'runScript'>;
  /** The tenant's metadata: saved scripts by name. */
  meta: { model(ctx: Ctx): Promise<Model> };
  records: ActionRecords;
}

const SCRIPT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;

/**
 * Scripts people run by hand: action scripts on a record (`runtime.scriptActions.runAction`, the
 * action buttons and automation rules' `script` action) and test runs from the script editor.
 */
export class ScriptActions {
  constructor(private readonly deps: ScriptActionsDeps) {}

  /**
   * An action script on one record (`POST /api/records/:object/:id/actions/:script`): the record is
   * read as the caller may see it, the script runs with `params`, and what it `set()` is saved through
   * the records engine's normal update (the caller's permissions, validation, scripts; 409 when the
   * record changed meanwhile). Unknown, inactive or non-action scripts of the object answer 404.
   */
  async runAction(ctx: Ctx, object: string, id: string, name: string, params: RecordData = {}): Promise<ActionResult> {
    const found = SCRIPT_NAME.test(name) ? await this.load(ctx, name) : undefined;
    const def = found?.definition as (ScriptDefinition & { active?: boolean }) | undefined;
    if (!found || !def || def.object !== object || def.event !== 'action' || def.active === false) {
      throw notFound(`Action "${name.slice(0, 100)}" not found on ${object}`);
    }
    const { records } = this.deps;
    const record = await records.get(ctx, object, id);
    const result = await this.deps.runner.runScript(
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
      records.scriptHost(ctx),
    );
    if (Object.keys(result.errors).length > 0) {
      const fields = result.errors;
      throw new AppError('VALIDATION_FAILED', `Action "${name}" refused: ${Object.values(fields)[0]}`, {
        fields,
        fieldCodes: scriptErrorCodes(fields, result.errorI18n),
        adminDetails: { logs: result.logs },
      });
    }
    // Logs are for tenant admins; the user who pressed the button gets the result.
    const answer = ctx.isAdmin ? result : { ...result, logs: [] };
    if (Object.keys(result.changes).length === 0) return { ...answer, record };
    const version = typeof record.version === 'number' ? record.version : undefined;
    // Run by a rule, the rule is the cause; run by a person, the action is.
    const cause = ctx.cause ?? changeCause('action', `action ${name}`, { script: name });
    const updated = await records.update(
      { ...ctx, cause },
      object,
      id,
      result.changes,
      version === undefined ? {} : { version },
    );
    return { ...answer, record: updated };
  }

  /**
   * Runs a script on a sample record without saving (`POST /api/meta/scripts/:name/test`): a saved
   * script by name, or an unsaved definition, which is fully checked first.
   */
  async test(ctx: Ctx, request: ScriptTestRequest): Promise<ScriptRunResult> {
    const { runner } = this.deps;
    let definition: ScriptDefinition;
    let version: ScriptVersion;
    if (request.script) {
      const check = runner.checkDefinition(request.script);
      if (!check.ok)
        throw validationFailed('The script is not valid', check.fields, { diagnostics: check.diagnostics });
      definition = request.script;
      version = 'test';
    } else {
      const found = await this.load(ctx, request.name);
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
    const live = this.deps.records.scriptHost(ctx);
    // A test run writes nothing: adjust() answers what it would do from the record as the user reads it.
    const host: ScriptHost = {
      query: live.query,
      adjust: async (object, id, spec) => {
        const [row] = await live.query(object, { id: { eq: id } }, { limit: 1 });
        if (!row) throw notFound(`No ${object} record ${id}`);
        const value = Number(row[spec.field] ?? 0);
        const next = value + spec.by;
        const ok = !((spec.min !== undefined && next < spec.min) || (spec.max !== undefined && next > spec.max));
        return { ok, value: ok ? next : value };
      },
    };
    if (definition.event === 'validate' || definition.event === 'beforeSave') {
      const isValidate = definition.event === 'validate';
      return runner.runSave(
        { ...common, validate: isValidate ? [ref] : [], beforeSave: isValidate ? [] : [ref], formulas: {} },
        host,
      );
    }
    return runner.runScript({ ...common, event: definition.event, script: ref, params: request.params ?? {} }, host);
  }

  /** A saved script by name, with the metadata version it belongs to. */
  private async load(
    ctx: Ctx,
    name: string,
  ): Promise<{ definition: ScriptDefinition; version: ScriptVersion } | undefined> {
    const model = await this.deps.meta.model(ctx);
    const definition = Object.hasOwn(model.scripts, name) ? model.scripts[name] : undefined;
    return definition ? { definition: definition as ScriptDefinition, version: model.version } : undefined;
  }
}
