/**
 * Duplicate rules (`x-duplicates: [["email"], ["name", "city"]]` on an object): a record is a likely
 * duplicate of another when, for one rule, every field of the rule has the same value in both,
 * ignoring case, accents of width (NFKC) and surrounding/repeated whitespace. A rule with an empty
 * field never matches, so records without an e-mail are not all "duplicates" of each other.
 */
import type { ObjectModel } from '../model/load-model';

export type DuplicateRule = readonly string[];

/** The object's duplicate rules, keeping only fields that still exist and have a column. */
export function duplicateRules(object: ObjectModel): DuplicateRule[] {
  const raw = (object.definition as { 'x-duplicates'?: unknown })['x-duplicates'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((rule) => {
    if (!Array.isArray(rule) || rule.length === 0) return [];
    const fields = rule.filter((f): f is string => typeof f === 'string' && Boolean(object.fields.get(f)?.column));
    return fields.length === rule.length ? [fields] : [];
  });
}

/**
 * The comparable form of one value, or null when it is empty. Mirrors `normalizedSql` in
 * duplicate-finder.ts (lower(regexp_replace(btrim(v), '\s+', ' ', 'g'))): keep the two in step.
 */
export function normalizeDuplicateValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
  const out = text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return out === '' ? null : out;
}

/** The rule's key for a record (normalized values in rule order), or null when a value is empty. */
export function duplicateKey(rule: DuplicateRule, record: Record<string, unknown>): string[] | null {
  const key: string[] = [];
  for (const f of rule) {
    const v = normalizeDuplicateValue(record[f]);
    if (v === null) return null;
    key.push(v);
  }
  return key;
}

/** One string per key, safe to use in a Set (the separator cannot appear in JSON string output). */
export function keyString(rule: DuplicateRule, key: readonly string[]): string {
  return JSON.stringify([rule, key]);
}
