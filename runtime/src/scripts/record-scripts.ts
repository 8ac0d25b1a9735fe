import type { Ctx } from '../ctx';
import { validationFailed } from '../errors';
import type { FieldErrorCodes } from '../field-error-codes';
import type { Model } from '../model/load-model';
import type {
  AdjustResult,
  AdjustSpec,
  QueryOptions,
  RecordData,
  SaveInput,
  SaveResult,
  ScriptEvent,
  ScriptHost,
  ScriptRef,
  ScriptUser,
} from './script-types';

/**
 * The records engine's list query as a script's `query()` needs it: the records `ctx.user` may read
 * (row scope, field security), newest metadata of `ctx`, in `ctx.db` (the save's transaction when
 * called during a save).
 */
export type RecordsQuery = (
  ctx: Ctx,
  object: string,
  query: { filter: Record<string, unknown>; sort?: string; limit: number },
) => Promise<RecordData[]>;

/** The calling user as scripts see it (`user`): no session or locale details. */
export function scriptUserOf(ctx: Ctx): ScriptUser {
  const { id, email, name, roles, manager } = ctx.user;
  return { id, email, name, roles: [...roles], manager };
}

/**
 * The active scripts of one object and event, in run order: `order` ascending (absent = 0), then by
 * name, so the order never depends on how the document happened to be written.
 */
export function scriptsFor(model: Model, object: string, event: ScriptEvent): readonly ScriptRef[] {
  return perModel(model, `${event}:${object}`, () => {
    const found: Array<[string, Model['scripts'][string] & {}]> = [];
    for (const [name, def] of Object.entries(model.scripts)) {
      if (def && def.object === object && def.event === event && def.active !== false) found.push([name, def]);
    }
    found.sort(([an, a], [bn, b]) => (a.order ?? 0) - (b.order ?? 0) || (an < bn ? -1 : an > bn ? 1 : 0));
    return Object.freeze(found.map(([name, def]) => ({ name, code: def.code, language: def.language ?? 'js' })));
  });
}

/** `field → expression` of the object's `x-formula` fields, in dependency order (a formula after those it reads). */
export function formulasFor(model: Model, object: string): Readonly<Record<string, string>> {
  return perModel(model, `formulas:${object}`, () => {
    const out: Record<string, string> = {};
    for (const field of model.object(object).formulas) {
      if (field.formula) out[field.name] = field.formula.expression;
    }
    return Object.freeze(out);
  });
}

/**
 * What every save asks of the metadata (an object's scripts by event, its formulas) is worked out
 * once per model: a model is one frozen metadata version, so the answer cannot change under it, and
 * a new version is a new model (the old one's answers go with it).
 */
const derived = new WeakMap<Model, Map<string, unknown>>();

function perModel<T>(model: Model, key: string, compute: () => T): T {
  let cache = derived.get(model);
  if (!cache) {
    cache = new Map();
    derived.set(model, cache);
  }
  if (cache.has(key)) return cache.get(key) as T;
  const value = compute();
  cache.set(key, value);
  return value;
}

/** Everything one save of `object` runs in the sandbox: validate, beforeSave, formulas. */
export function saveInputFor(
  ctx: Ctx,
  model: Model,
  object: string,
  record: RecordData,
  old: RecordData | null,
): SaveInput {
  return {
    tenant: ctx.tenant,
    version: model.version,
    object,
    validate: scriptsFor(model, object, 'validate'),
    beforeSave: scriptsFor(model, object, 'beforeSave'),
    formulas: formulasFor(model, object),
    record,
    old,
    user: scriptUserOf(ctx),
  };
}

/** Whether saving `object` runs anything in the sandbox (lets a caller skip building the input). */
export function hasSaveWork(model: Model, object: string): boolean {
  return (
    model.object(object).formulas.length > 0 ||
    scriptsFor(model, object, 'validate').length > 0 ||
    scriptsFor(model, object, 'beforeSave').length > 0
  );
}

/** A script's `error()` texts are its author's words: the code says so and carries them. */
export function scriptErrorCodes(
  fields: Record<string, string>,
  i18n: Record<string, Record<string, string>> = {},
): FieldErrorCodes {
  return Object.fromEntries(
    Object.entries(fields).map(([k, message]) => [k, { code: 'script', params: { ...i18n[k], message } }]),
  );
}

/** Turns the `error()` calls of a save into the API's 400 `VALIDATION_FAILED` with `fields`. */
export function assertNoScriptErrors(result: Pick<SaveResult, 'errors' | 'errorI18n'>): void {
  const fields = result.errors;
  const names = Object.keys(fields);
  if (names.length === 0) return;
  const first = fields[names[0]!];
  throw validationFailed(
    names.length === 1 && first ? first : 'The record breaks the rules of this object',
    fields,
    undefined,
    scriptErrorCodes(fields, result.errorI18n),
  );
}

/** The records engine's guarded number change behind the script API's `adjust()`. */
export type RecordsAdjust = (ctx: Ctx, object: string, id: string, spec: AdjustSpec) => Promise<AdjustResult>;

/** A `ScriptHost` answering `query()` as the user of `ctx` through the records engine (and `adjust()` when given). */
export function scriptHostFor(ctx: Ctx, query: RecordsQuery, adjust?: RecordsAdjust): ScriptHost {
  return {
    ...(adjust ? { adjust: (object: string, id: string, spec: AdjustSpec) => adjust(ctx, object, id, spec) } : {}),
    query: (object: string, filter: Record<string, unknown>, options: QueryOptions) =>
      query(ctx, object, {
        filter,
        ...(options.sort ? { sort: options.sort } : {}),
        limit: options.limit ?? 50,
      }),
  };
}
