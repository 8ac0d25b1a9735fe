import type { Knex } from 'knex';
import { badRequest } from '../errors';
import { SYSTEM_TABLE } from '../model/naming';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SharedWithSpec {
  user: string;
  roles: string[];
  level: 'read' | 'edit';
}

/**
 * SQL of the two internal operators only the permission engine produces (see object-access.ts), for
 * every compiler of filters: each is a `column IN (sub-select)` on a system table, so a scoped read
 * stays one query and never depends on data cached in a process.
 */
export function inTeamOfQuery(db: Knex | Knex.Transaction, schema: string, userId: unknown): Knex.QueryBuilder {
  if (typeof userId !== 'string' || !UUID.test(userId)) throw badRequest('Invalid $inTeamOf operand');
  return db.withSchema(schema).from(SYSTEM_TABLE.userTree).select('descendant').where('ancestor', userId);
}

export function sharedWithQuery(
  db: Knex | Knex.Transaction,
  schema: string,
  object: string,
  spec: unknown,
): Knex.QueryBuilder {
  const s = parseSharedWith(spec);
  return db
    .withSchema(schema)
    .from(SYSTEM_TABLE.recordShares)
    .select('record_id')
    .where('object', object)
    .andWhere((q) => {
      q.where('user_id', s.user);
      if (s.roles.length) q.orWhereIn('role', s.roles);
    })
    .whereIn('level', s.level === 'edit' ? ['edit'] : ['read', 'edit']);
}

export function parseSharedWith(spec: unknown): SharedWithSpec {
  const s = spec as Partial<SharedWithSpec> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    typeof s.user !== 'string' ||
    !UUID.test(s.user) ||
    !Array.isArray(s.roles) ||
    s.roles.some((r) => typeof r !== 'string') ||
    (s.level !== 'read' && s.level !== 'edit')
  )
    throw badRequest('Invalid $sharedWith operand');
  return { user: s.user, roles: s.roles, level: s.level };
}
