import { NAME_PATTERN, RESERVED_FIELD_NAMES, RESERVED_OBJECT_NAMES } from '@forma/metadata/identifiers';

/** Names of objects, fields and views: the server's identifier rule (docs/metadata.md). */
export const IDENTIFIER = NAME_PATTERN;

export type NameProblem = 'empty' | 'pattern' | 'reserved' | 'taken';

/** Why a name cannot be used, or null; `taken` lists the names already in use. */
export function nameProblem(
  name: string,
  what: 'object' | 'field' | 'view',
  taken: Iterable<string>,
): NameProblem | null {
  if (!name) return 'empty';
  if (!IDENTIFIER.test(name)) return 'pattern';
  if (what === 'field' && RESERVED_FIELD_NAMES.has(name)) return 'reserved';
  if (what === 'object' && RESERVED_OBJECT_NAMES.has(name)) return 'reserved';
  for (const t of taken) if (t === name) return 'taken';
  return null;
}

/**
 * A name suggested from a label: `Close date` → `close_date`. Labels in other scripts give
 * nothing usable, so `fallback` is used then.
 */
export function nameFromLabel(label: string, fallback: string): string {
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 63)
    .replace(/_+$/, '');
  return slug || fallback;
}
