/**
 * `sort=-amount,name` → typed sort keys over readable, sortable columns. `id` always closes the
 * list so that the order is total (ties never reorder between pages) and keyset cursors are exact.
 */
import { badRequest } from '../errors';
import type { FieldModel, ObjectModel } from '../model/load-model';
import { isIdentifier } from '../model/naming';
import type { FieldAccess } from '../permissions/object-access';
import { safe } from './parse-filter';

export interface SortKey {
  field: FieldModel;
  column: string;
  desc: boolean;
}

export const MAX_SORT_KEYS = 5;

export function parseSort(
  object: ObjectModel,
  sort: string | undefined,
  fieldAccess: Readonly<Record<string, FieldAccess>>,
): SortKey[] {
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  const parts = (sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length > MAX_SORT_KEYS) throw badRequest(`sort: at most ${MAX_SORT_KEYS} keys`);
  for (const part of parts) {
    const desc = part.startsWith('-');
    const name = desc ? part.slice(1) : part;
    const field = isIdentifier(name) ? object.fields.get(name) : undefined;
    if (!field || fieldAccess[name] === 'none') throw badRequest(`sort: unknown field ${safe(name)}`);
    if (!field.column || field.columnType?.base === 'text[]')
      throw badRequest(`sort: ${safe(name)} cannot be sorted on`);
    if (seen.has(name)) throw badRequest(`sort: ${safe(name)} given twice`);
    seen.add(name);
    keys.push({ field, column: field.column, desc });
  }
  if (!seen.has('id')) keys.push({ field: object.field('id'), column: 'id', desc: false });
  return keys;
}

/** The canonical text of a sort, which a cursor is bound to. */
export function sortSignature(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.desc ? '-' : ''}${k.column}`).join(',');
}
