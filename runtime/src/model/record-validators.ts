import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldErrors } from '../errors';
import { codeOfAjvError, type FieldErrorCode, type FieldErrorCodes, fieldErrorText } from '../field-error-codes';
import type { FieldModel, ObjectModel } from './load-model';

export type RecordPayload = Record<string, unknown>;

/** `errors` is the English text of `codes` (same keys). */
export type ValidationResult =
  | { ok: true; value: RecordPayload }
  | { ok: false; errors: FieldErrors; codes: FieldErrorCodes };

export interface RecordValidators {
  /** JSON Schemas of a create and an update payload (`additionalProperties: false`). */
  createSchema: Record<string, unknown>;
  updateSchema: Record<string, unknown>;
  /**
   * A new record: required fields must be present and non-null; missing fields with a `default`
   * get it (in the returned copy). Unknown fields, read-only and system fields are errors.
   */
  create(payload: unknown): ValidationResult;
  /** A partial update: any subset of writable fields; required fields cannot be cleared. */
  update(payload: unknown): ValidationResult;
}

function nullable(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema };
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  return out;
}

function payloadSchema(object: ObjectModel, mode: 'create' | 'update'): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of object.fields.values()) {
    if (f.readOnly) {
      // Listed so ajv does not call them unknown; the wrapper reports them as read-only.
      properties[f.name] = true;
      continue;
    }
    properties[f.name] = f.required ? f.valueSchema : nullable(f.valueSchema);
    if (f.required && mode === 'create') required.push(f.name);
  }
  return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}

function fieldOf(e: ErrorObject): string {
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) return params.missingProperty;
  if (params.additionalProperty) return params.additionalProperty;
  return e.instancePath.split('/')[1] ?? '_';
}

// A new ajv compiles the draft 2020-12 meta-schema before its first schema, which costs several
// times what compiling an object's payload schema does; every object of every model version (each
// tenant, each publish) paid it. One instance now serves many compilations. Each compilation still
// leaves its schema in the instance's code scope, so after COMPILES_PER_AJV a fresh instance takes
// over and the old one goes away with the last validator compiled by it.
const COMPILES_PER_AJV = 100;
let shared: { ajv: Ajv2020; compiles: number } | undefined;

function compileOnce(schema: Record<string, unknown>) {
  if (!shared || shared.compiles >= COMPILES_PER_AJV) {
    shared = {
      ajv: addFormats(new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false })),
      compiles: 0,
    };
  }
  shared.compiles += 1;
  const validate = shared.ajv.compile(schema);
  // The validator stands on its own; the instance's cache need not hold the schema.
  shared.ajv.removeSchema(schema);
  return validate;
}

/** Compiles the payload validators of one object (dropped with its model version). */
export function compileRecordValidators(object: ObjectModel): RecordValidators {
  const createSchema = payloadSchema(object, 'create');
  const updateSchema = payloadSchema(object, 'update');
  const validateCreate = compileOnce(createSchema);
  const validateUpdate = compileOnce(updateSchema);
  const readOnly = new Map<string, FieldModel>(
    [...object.fields.values()].filter((f) => f.readOnly).map((f) => [f.name, f]),
  );

  const run = (payload: unknown, mode: 'create' | 'update'): ValidationResult => {
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      return {
        ok: false,
        errors: { _: 'The record must be a JSON object' },
        codes: { _: { code: 'not_an_object' } },
      };
    }
    const value: RecordPayload = { ...(payload as RecordPayload) };
    const codes: Record<string, FieldErrorCode> = {};
    for (const key of Object.keys(value)) {
      const f = readOnly.get(key);
      if (f) codes[key] = { code: f.system ? 'system_field' : 'read_only' };
    }
    if (mode === 'create') {
      for (const f of object.customFields) {
        if (f.default !== undefined && value[f.name] === undefined && !f.readOnly)
          value[f.name] = structuredClone(f.default);
      }
    }
    const validate = mode === 'create' ? validateCreate : validateUpdate;
    if (!validate(value)) {
      for (const e of validate.errors ?? []) codes[fieldOf(e)] ??= codeOfAjvError(e);
    }
    if (!Object.keys(codes).length) return { ok: true, value };
    const errors: FieldErrors = {};
    for (const [k, c] of Object.entries(codes)) errors[k] = fieldErrorText(c);
    return { ok: false, errors, codes };
  };

  return {
    createSchema,
    updateSchema,
    create: (payload) => run(payload, 'create'),
    update: (payload) => run(payload, 'update'),
  };
}
