import { ADMIN_ROLE } from '../../ctx';
import { SYSTEM_TABLE as T } from '../../model/naming';
import type { RecordData } from '../../scripts';
import type { Recipient } from '../automation-types';
import type { ActionRun } from '../run-actions';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Active users a notification (or a created record's owner) goes to, without duplicates. */
export async function recipients(run: ActionRun, record: RecordData, to: readonly Recipient[]): Promise<string[]> {
  const { db, schema } = run.tx;
  const ids: string[] = [];
  const roles: string[] = [];
  for (const r of to) {
    if (r === 'owner') ids.push(String(record.owner ?? ''));
    else if (r === 'managerOfOwner' || 'managerOf' in r) {
      const of = record[r === 'managerOfOwner' ? 'owner' : r.managerOf];
      const user =
        typeof of === 'string' && UUID.test(of)
          ? await db.withSchema(schema).from(T.users).where('id', of).first('manager')
          : undefined;
      if (user?.manager) ids.push(String(user.manager));
    } else if ('user' in r) ids.push(r.user);
    else if ('field' in r) {
      const v = record[r.field];
      if (typeof v === 'string') ids.push(v);
    } else roles.push(r.role);
  }
  const uuids = ids.filter((id) => UUID.test(id));
  const q = db
    .withSchema(schema)
    .from(T.users)
    .where('active', true)
    .where((w) => {
      w.whereIn('id', uuids);
      if (roles.length) w.orWhereRaw('?? && ?::text[]', ['roles', roles]);
    })
    .orderBy('id')
    .pluck('id');
  const found = new Set<string>(((await q) as unknown[]).map(String));
  // Keep the order the rule names them in (the first is a created record's owner).
  return [...new Set([...uuids.filter((id) => found.has(id)), ...found])];
}

/**
 * A notification never goes to nobody (as an approval step falls back, docs/workflows.md): when the
 * people a rule names resolve to no active user — the manager of a user without one, an empty role,
 * an empty user field — it goes to the tenant admins instead, and the run log says why.
 */
export async function recipientsOrAdmins(
  run: ActionRun,
  record: RecordData,
  to: readonly Recipient[],
): Promise<{ users: string[]; fallback?: { to: 'admins'; reason: string } }> {
  const users = await recipients(run, record, to);
  if (users.length) return { users };
  const admins = await recipients(run, record, [{ role: ADMIN_ROLE }]);
  const manager = to.some((r) => r === 'managerOfOwner' || (typeof r === 'object' && 'managerOf' in r));
  return {
    users: admins,
    fallback: { to: 'admins', reason: manager ? 'no manager: sent to admins' : 'no recipient: sent to admins' },
  };
}
