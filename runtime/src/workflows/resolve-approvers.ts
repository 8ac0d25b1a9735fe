import type { Knex } from 'knex';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { RecordData } from '../scripts';
import { ADMIN_ROLE } from '../ctx';
import type { Approver } from './workflow-graph';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApproverContext {
  submitter: string;
  record: RecordData;
  now: Date;
}

export interface ResolvedApprover {
  /** Who gets the task (after dated delegations). */
  assignee: string;
  /** Who the definition named, when a delegation moved the task to someone else. */
  delegatedFrom: string | null;
}

/**
 * Turns approver forms into active users: `{user}`, `{role}` (every active holder), `{managerOf:
 * "submitter"}`, `{field}` (a user lookup on the record). Each is then routed through the dated
 * delegations in force at `now`. Inactive or missing users simply drop out; the caller escalates an
 * empty result.
 */
export async function resolveApprovers(
  db: Knex,
  schema: string,
  approvers: readonly Approver[],
  at: ApproverContext,
): Promise<ResolvedApprover[]> {
  const ids = new Set<string>();
  const roles: string[] = [];
  for (const a of approvers) {
    if ('user' in a) ids.add(a.user);
    else if ('role' in a) roles.push(a.role);
    else if ('field' in a) {
      const v = at.record[a.field];
      if (typeof v === 'string') ids.add(v);
    } else if ('managerOf' in a) {
      const row = await db.withSchema(schema).from(T.users).where('id', at.submitter).first('manager');
      if (row?.manager) ids.add(String(row.manager));
    }
  }
  const q = db.withSchema(schema).from(T.users).where('active', true);
  const valid = [...ids].filter((id) => UUID.test(id));
  if (!valid.length && !roles.length) return [];
  const users: string[] = (
    await q
      .andWhere((w) => {
        if (valid.length) w.orWhereIn('id', valid);
        if (roles.length) w.orWhereRaw('?? && ?::text[]', ['roles', roles]);
      })
      .orderBy('id')
      .pluck('id')
  ).map(String);
  const out = new Map<string, ResolvedApprover>();
  for (const u of users) {
    const assignee = await delegateOf(db, schema, u, at.now);
    if (!out.has(assignee)) out.set(assignee, { assignee, delegatedFrom: assignee === u ? null : u });
  }
  return [...out.values()];
}

/** Follows dated delegations in force at `now` (a chain, stopping at a cycle or an inactive user). */
export async function delegateOf(db: Knex, schema: string, user: string, now: Date): Promise<string> {
  const seen = new Set([user]);
  let current = user;
  for (let hop = 0; hop < 5; hop += 1) {
    const row = await db
      .withSchema(schema)
      .from(`${T.wfDelegations} as d`)
      .join(`${T.users} as u`, 'u.id', 'd.to_user')
      .where('d.user_id', current)
      .where('d.starts_at', '<=', now)
      .where('d.ends_at', '>', now)
      .where('u.active', true)
      .orderBy('d.created_at', 'desc')
      .first('d.to_user');
    if (!row || seen.has(String(row.to_user))) return current;
    current = String(row.to_user);
    seen.add(current);
  }
  return current;
}

/** Which fallback found the people a step goes to (said in the approval trail). */
export type Fallback = 'escalation' | 'role' | 'admins';

/**
 * An approval never goes to nobody: when the named approvers resolve to no active user (a submitter
 * without a manager, an empty role), the step goes to the escalation target, then to the
 * workflow's `fallbackRole`, then to the tenant's admins — the first that resolves to someone.
 */
export async function resolveFallback(
  db: Knex,
  schema: string,
  at: ApproverContext,
  opts: { escalationTo?: Approver | undefined; fallbackRole?: string | undefined },
): Promise<{ assignees: ResolvedApprover[]; fallback: Fallback; role?: string }> {
  if (opts.escalationTo) {
    const assignees = await resolveApprovers(db, schema, [opts.escalationTo], at);
    if (assignees.length) return { assignees, fallback: 'escalation' };
  }
  if (opts.fallbackRole) {
    const assignees = await resolveApprovers(db, schema, [{ role: opts.fallbackRole }], at);
    if (assignees.length) return { assignees, fallback: 'role', role: opts.fallbackRole };
  }
  return { assignees: await resolveApprovers(db, schema, [{ role: ADMIN_ROLE }], at), fallback: 'admins' };
}
