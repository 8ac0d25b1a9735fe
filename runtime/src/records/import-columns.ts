/**
 * Maps the columns of an import file to fields, before any row is read: a column names a field by
 * its name or its label (case-insensitively). Unknown columns refuse the file (400, all listed);
 * columns of fields the user may not edit refuse it too (403, as a write of those fields would);
 * read-only and system columns (an exported file's `id`, `created_at`, …) are ignored and reported.
 */
import { badRequest, forbidden } from '../errors';
import type { FieldModel, ObjectModel } from '../model/load-model';
import type { ObjectAccess } from '../permissions/object-access';

export interface ColumnMap {
  /** Per file column: the field it fills, or null when ignored. */
  fields: (FieldModel | null)[];
  ignored: string[];
  /** Index of the upsert key column (which may be `id`). */
  keyIndex: number;
}

function shown(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

export function mapColumns(
  object: ObjectModel,
  header: readonly string[],
  access: ObjectAccess,
  key: string | undefined,
): ColumnMap {
  const byName = new Map<string, FieldModel>();
  for (const f of object.fields.values()) {
    if (access.fields[f.name] === 'none') continue;
    byName.set(f.name, f);
  }
  const byLabel = new Map<string, FieldModel>();
  for (const f of byName.values()) if (!byLabel.has(f.label.toLowerCase())) byLabel.set(f.label.toLowerCase(), f);

  const fields: (FieldModel | null)[] = [];
  const ignored: string[] = [];
  const unknown: string[] = [];
  const denied: string[] = [];
  const used = new Set<string>();
  let keyIndex = -1;
  header.forEach((name, i) => {
    const f = byName.get(name) ?? byName.get(name.toLowerCase()) ?? byLabel.get(name.toLowerCase());
    if (!f?.column) {
      unknown.push(name);
      fields.push(null);
      return;
    }
    if (used.has(f.name)) throw badRequest(`Columns ${shown(name)} and another both name the field ${f.name}`);
    used.add(f.name);
    if (key !== undefined && f.name === key) keyIndex = i;
    if (f.readOnly) {
      if (f.name !== key) ignored.push(name);
      fields.push(f.name === key ? f : null);
      return;
    }
    if (access.fields[f.name] === 'read') denied.push(f.name);
    fields.push(f);
  });
  if (unknown.length)
    throw badRequest(`Unknown columns: ${unknown.map(shown).join(', ')}`, { unknownColumns: unknown.slice(0, 50) });
  if (denied.length) throw forbidden(`You may not edit: ${denied.join(', ')}`);
  if (key !== undefined && keyIndex < 0) throw badRequest(`The file has no column for the key field ${key}`);
  return { fields, ignored, keyIndex };
}
