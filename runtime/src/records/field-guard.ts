/**
 * Field security applied to payloads and column lists: `none` fields do not exist for the user
 * (never selected, never accepted), `read` fields refuse writes with 403, system and computed
 * fields refuse writes with 400 (the validators report those).
 */
import { badRequest, type FieldErrors } from '../errors';
import type { ObjectModel } from '../model/load-model';
import { isIdentifier } from '../model/naming';
import type { ObjectAccess } from '../permissions/object-access';
import { safe } from './parse-filter';

/** Columns the user may read (system columns always; `id` first). */
export function readableColumns(object: ObjectModel, access: ObjectAccess): string[] {
  return object.columns.filter((c) => access.fields[c] !== 'none');
}

/** `fields=name,amount` → those columns (plus `id`), each readable; otherwise every readable column. */
export function projectColumns(object: ObjectModel, access: ObjectAccess, fields: string | undefined): string[] {
  const readable = readableColumns(object, access);
  if (fields === undefined || !fields.trim()) return readable;
  const names = fields
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length > 500) throw badRequest('fields: too many fields');
  const allowed = new Set(readable);
  const out = ['id'];
  for (const n of names) {
    if (!isIdentifier(n) || !allowed.has(n)) throw badRequest(`fields: unknown field ${safe(n)}`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * Payload keys naming fields the user may read but not edit: `{field: message}` for a 403. Fields
 * they may not read are left to `withoutHiddenFields`: naming them here would confirm they exist.
 */
export function forbiddenWrites(
  object: ObjectModel,
  access: ObjectAccess,
  payload: Record<string, unknown>,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const key of Object.keys(payload)) {
    if (!object.fields.has(key)) continue;
    if (access.fields[key] === 'read') errors[key] = 'You may not edit this field';
  }
  return errors;
}

/** The payload without fields the user may not read, and those fields as the validator reports unknown ones. */
export function withoutHiddenFields(
  access: ObjectAccess,
  payload: Record<string, unknown>,
): { known: Record<string, unknown>; unknown: FieldErrors } {
  const known: Record<string, unknown> = {};
  const unknown: FieldErrors = {};
  for (const [key, value] of Object.entries(payload)) {
    if (Object.hasOwn(access.fields, key) && access.fields[key] === 'none') unknown[key] = UNKNOWN_FIELD;
    else known[key] = value;
  }
  return { known, unknown };
}

/** The validator's word for a field the object does not have (record-validators.ts). */
const UNKNOWN_FIELD = 'Unknown field';

/** A row from the database as the API answers it: only the given columns. */
export function toRecord(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) if (c in row) out[c] = row[c];
  return out;
}
