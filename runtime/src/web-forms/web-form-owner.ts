import type { Knex } from 'knex';
import { ADMIN_ROLE } from '../ctx';
import { SYSTEM_TABLE } from '../model/naming';

export interface FormOwner {
  id: string;
  name: string;
  roles: string[];
}

/**
 * Who owns (and saves) a form's records: the configured user while active, or — when the form names
 * none — the tenant's first active admin (so a template's form works in every tenant it is applied to).
 */
export async function formOwner(
  db: Knex | Knex.Transaction,
  schema: string,
  ownerId: string | undefined,
): Promise<FormOwner | undefined> {
  const q = db.withSchema(schema).from(SYSTEM_TABLE.users).where('active', true);
  const row = ownerId
    ? await q.andWhere('id', ownerId).first('id', 'name', 'roles')
    : await q
        .andWhereRaw('? = any(roles)', [ADMIN_ROLE])
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .first('id', 'name', 'roles');
  return row ? { id: row.id, name: row.name, roles: row.roles ?? [] } : undefined;
}
