/**
 * The one sandbox call of a save: validate scripts, beforeSave scripts and formulas of the object,
 * batched through the save pipeline (`SavePipeline.runRecordSave`). Script `error()`s become 400 VALIDATION_FAILED; a script
 * that sets an invalid value is the script's fault (422 SCRIPT_FAILED); a crashing or runaway script
 * is already a 422 from the engine.
 */
import type { Ctx } from '../ctx';
import { forbidden, scriptFailed, validationFailed } from '../errors';
import type { Model, ObjectModel } from '../model/load-model';
import type { ObjectAccess } from '../permissions/object-access';
import type { SavePipeline } from '../scripts/save-pipeline';
import { scriptErrorCodes } from '../scripts/record-scripts';
import type { ScriptHost } from '../scripts/script-types';
import type { RecordData } from './record-hooks';

/**
 * Runs the save scripts on `record` (the full record as it will be saved) and returns the values
 * they set (beforeSave `set()` and formulas), already checked like a client's values; `host` answers the
 * scripts' `query()` as the saving user. A script
 * writes for the user who saves: changing a field their roles may not edit refuses the save (403),
 * as the same change sent by the client would be. Values users may not edit but that must follow
 * others belong in formulas (computed for everyone) or in hooks acting as the system.
 */
export async function runSaveScripts(
  saves: Pick<SavePipeline, 'runRecordSave'>,
  ctx: Ctx,
  model: Model,
  object: ObjectModel,
  access: ObjectAccess,
  record: RecordData,
  old: RecordData | null,
  host: ScriptHost,
): Promise<RecordData> {
  const result = await saves.runRecordSave(ctx, model, object.name, record, old, host);
  if (Object.keys(result.errors).length)
    throw validationFailed(
      'The record did not pass validation',
      result.errors,
      undefined,
      scriptErrorCodes(result.errors, result.errorI18n),
    );
  const changes: RecordData = {};
  const invalid: Record<string, string> = {};
  const writable: RecordData = {};
  const denied: Record<string, string> = {};
  let hiddenDenied = false;
  for (const [field, value] of Object.entries(result.changes)) {
    const f = object.fields.get(field);
    if (!f?.column || f.system || f.rollup || f.autonumber) {
      invalid[field] = 'Scripts cannot set this field';
      continue;
    }
    changes[field] = value === undefined ? null : value;
    if (!f.readOnly) writable[field] = changes[field];
    const level = access.fields[field];
    if (!f.formula && (level === 'read' || level === 'none') && !sameValue(record[field], changes[field])) {
      // A hidden field is not named: the user does not know it exists.
      if (level === 'read') denied[field] = 'A script changed this field, which you may not edit';
      else hiddenDenied = true;
    }
  }
  if (Object.keys(denied).length || hiddenDenied)
    throw forbidden(
      'A script of this object changed fields you may not edit',
      Object.keys(denied).length ? denied : undefined,
    );
  if (Object.keys(writable).length) {
    const check = object.validators.update(writable);
    if (!check.ok) Object.assign(invalid, check.errors);
  }
  for (const f of object.formulas) {
    const v = changes[f.name];
    if (typeof v === 'number' && !Number.isFinite(v)) changes[f.name] = null;
    else if (v !== null && v !== undefined && !matchesKind(f.columnType?.base, v))
      invalid[f.name] = 'Formula gave a value of the wrong type';
  }
  if (Object.keys(invalid).length)
    throw scriptFailed('A script set invalid values', { reason: 'error', object: object.name }, invalid);
  return changes;
}

/** A stored value and a script's JSON value are the same (timestamps compare as instants). */
function sameValue(stored: unknown, next: unknown): boolean {
  if (stored instanceof Date) return typeof next === 'string' && Date.parse(next) === stored.getTime();
  return JSON.stringify(stored ?? null) === JSON.stringify(next ?? null);
}

function matchesKind(base: string | undefined, v: unknown): boolean {
  switch (base) {
    case 'numeric':
    case 'bigint':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'text[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    default:
      return typeof v === 'string';
  }
}
