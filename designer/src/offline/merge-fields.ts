import type { FieldConflict, Fields } from './briefcase-db';

/** Values compared as the API sends them (JSON): `[1,2]` and `[1,2]` are the same value. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Three-way merge of one offline edit with the server's record, field by field: `base` holds each
 * field the rep changed as it was when they edited, `mine` their values, `server` the record now.
 * A field the server left alone takes the rep's value; a field both set to the same value needs
 * nothing; a field both changed differently is a conflict for the rep to decide. Fields only the
 * server changed are not in the edit, so they stay the server's.
 */
export function mergeEdit(base: Fields, mine: Fields, server: Fields): { merged: Fields; conflicts: FieldConflict[] } {
  const merged: Fields = {};
  const conflicts: FieldConflict[] = [];
  for (const [field, value] of Object.entries(mine)) {
    const theirs = server[field];
    if (sameValue(theirs, value)) continue;
    if (sameValue(theirs, base[field])) merged[field] = value;
    else conflicts.push({ field, base: base[field], mine: value, theirs });
  }
  return { merged, conflicts };
}

/** The patch after the rep chose per conflicting field: `mine` or `theirs`. */
export function resolveConflicts(
  merged: Fields,
  conflicts: FieldConflict[],
  choice: Record<string, 'mine' | 'theirs'>,
): Fields {
  const patch: Fields = { ...merged };
  for (const c of conflicts) if (choice[c.field] === 'mine') patch[c.field] = c.mine;
  return patch;
}
