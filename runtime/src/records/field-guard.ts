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

/** Payload keys naming fields the user may not edit: `{field: message}` for a 403. */
export function forbiddenWrites(
  object: ObjectModel,
  access: ObjectAccess,
  payload: Record<string, unknown>,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const key of Object.keys(payload)) {
    const level = access.fields[key];
    if (!object.fields.has(key)) continue;
    if (level === 'read' || level === 'none') errors[key] = 'You may not edit this field';
  }
  return errors;
}

/** A row from the database as the API answers it: only the given columns. */
export function toRecord(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) if (c in row) out[c] = row[c];
  return out;
}
