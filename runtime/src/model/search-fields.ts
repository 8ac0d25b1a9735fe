import type { FieldModel, ObjectModel } from './load-model';

/**
 * The fields full-text search (`q`) looks in: the object's `x-search` list when it has one (each
 * field gets a trigram index from the schema compiler, so `ILIKE '%word%'` stays indexed), else
 * every custom field holding free text (text, textarea, e-mail, URL, autonumber, text formulas),
 * never choice lists.
 */
export function searchableFields(object: ObjectModel): FieldModel[] {
  const declared = indexedSearchFields(object);
  return declared.length ? declared : object.customFields.filter(isFreeText);
}

/** The `x-search` fields that can carry a trigram index (others are ignored). */
export function indexedSearchFields(object: ObjectModel): FieldModel[] {
  const names = (object.definition as { 'x-search'?: readonly string[] })['x-search'] ?? [];
  return names.flatMap((n) => {
    const f = object.fields.get(n);
    return f && isFreeText(f) ? [f] : [];
  });
}

export function isFreeText(f: FieldModel): boolean {
  const base = f.columnType?.base;
  return Boolean(f.column) && !f.system && !f.enum && (base === 'text' || base === 'varchar');
}
