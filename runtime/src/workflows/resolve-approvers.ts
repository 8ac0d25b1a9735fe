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
  let managerOfSubmitter = false;
  for (const a of approvers) {
    if ('user' in a) ids.add(a.user);
    else if ('role' in a) roles.push(a.role);
    else if ('field' in a) {
      const v = at.record[a.field];
      if (typeof v === 'string') ids.add(v);
    } else if ('managerOf' in a) managerOfSubmitter = true;
  }
  const valid = [...ids].filter((id) => UUID.test(id));
  if (!valid.length && !roles.length && !managerOfSubmitter) return [];
  // One statement: the active users named, each with the first hop of their delegations in force.
  const rows: Array<{ id: string; first_hop: string | null }> = await db
    .withSchema(schema)
    .from(`${T.users} as u`)
    .where('u.active', true)
    .andWhere((w) => {
      if (valid.length) w.orWhereIn('u.id', valid);
      if (roles.length) w.orWhereRaw('?? && ?::text[]', ['u.roles', roles]);
      if (managerOfSubmitter)
        w.orWhereIn('u.id', db.withSchema(schema).from(T.users).where('id', at.submitter).select('manager'));
    })
    .orderBy('u.id')
    .select('u.id', db.raw('(?) as ??', [delegationHop(db, schema, db.raw('??', ['u.id']), at.now), 'first_hop']));
  return approversOfRows(db, schema, rows, at.now);
}

/** An active user named by an approver form, with the first hop of their delegations in force. */
export interface ApproverRow {
  id: string;
  first_hop: string | null;
}

/** `resolveApprovers`' answer from its statement's rows (read by it, or by another statement: `prefetchApprovers`). */
export async function approversOfRows(
  db: Knex,
  schema: string,
  rows: readonly ApproverRow[],
  now: Date,
): Promise<ResolvedApprover[]> {
  const out = new Map<string, ResolvedApprover>();
  for (const { id, first_hop } of rows) {
    const u = String(id);
    const assignee = first_hop ? await followDelegations(db, schema, u, String(first_hop), now) : u;
    if (!out.has(assignee)) out.set(assignee, { assignee, delegatedFrom: assignee === u ? null : u });
  }
  return [...out.values()];
}

/**
 * What `resolveApprovers` reads for an approver list of users and record fields only (`{user}`,
 * `{field}`), as an expression another statement answers beside its own rows: the record's field
 * values are read from `row` (an alias of the record in that statement). Its answer is
 * `{keys, rows}`: the candidate ids it looked up (as `approverKeys` computes them from the record)
 * and `resolveApprovers`' rows for them. Other approver forms: undefined (no prefetch).
 */
export function prefetchApprovers(
  db: Knex,
  schema: string,
  approvers: readonly Approver[],
  /** The record: an alias of its row in the statement, or its values as the caller has them. */
  row: string | RecordData,
  now: Date,
): Knex.Raw | undefined {
  if (!approvers.length || !approvers.every((a) => 'user' in a || 'field' in a)) return undefined;
  const values = typeof row === 'string' ? undefined : approverKeys(approvers, row);
  if (typeof row !== 'string' && !values) return undefined;
  const parts = approvers.map((a, i) =>
    values
      ? db.raw('?::text', [values[i] ?? null])
      : 'user' in a
        ? db.raw('?::text', [a.user])
        : db.raw('??::text', [`${row}.${(a as { field: string }).field}`]),
  );
  const keys = db.raw(`array[${parts.map(() => '?').join(', ')}]`, parts);
  const rows = db
    .withSchema(schema)
    .from(`${T.users} as u`)
    .where('u.active', true)
    // The same candidates as `resolveApprovers`: well-formed ids only (UUID), compared as uuids.
    .whereRaw(`u.id::text in (select lower(k) from unnest(?) k where k ~* ?)`, [keys, UUID_SQL])
    .select('u.id', db.raw('(?) as ??', [delegationHop(db, schema, db.raw('??', ['u.id']), now), 'first_hop']));
  return db.raw(
    `json_build_object('keys', to_json(?), 'rows', (select coalesce(json_agg(a order by a.id), '[]'::json) from (?) a))`,
    [keys, rows],
  );
}

const UUID_SQL = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** The candidate ids `prefetchApprovers` looks up, from the record as the caller has it (undefined: not comparable). */
export function approverKeys(approvers: readonly Approver[], record: RecordData): (string | null)[] | undefined {
  const keys: (string | null)[] = [];
  for (const a of approvers) {
    if ('user' in a) keys.push(a.user);
    else if ('field' in a) {
      const v = record[a.field];
      if (v !== null && v !== undefined && typeof v !== 'string') return undefined;
      keys.push(v ?? null);
    } else return undefined;
  }
  return keys;
}

/** The newest delegation of `user` in force at `now` to an active user: its `to_user`. */
function delegationHop(db: Knex, schema: string, user: string | Knex.Raw, now: Date) {
  return db
    .withSchema(schema)
    .from(`${T.wfDelegations} as d`)
    .join(`${T.users} as du`, 'du.id', 'd.to_user')
    .where('d.user_id', user as string)
    .where('d.starts_at', '<=', now)
    .where('d.ends_at', '>', now)
    .where('du.active', true)
    .orderBy('d.created_at', 'desc')
    .limit(1)
    .select('d.to_user');
}

/** Follows dated delegations in force at `now` (a chain, stopping at a cycle or an inactive user). */
export async function delegateOf(db: Knex, schema: string, user: string, now: Date): Promise<string> {
  const row = await delegationHop(db, schema, user, now).first();
  return row ? followDelegations(db, schema, user, String(row.to_user), now) : user;
}

/** The rest of a delegation chain from `user`, whose first hop (`next`) is known. */
async function followDelegations(db: Knex, schema: string, user: string, next: string, now: Date): Promise<string> {
  const seen = new Set([user]);
  let current = user;
  let hop: string | undefined = next;
  for (let n = 0; n < 5; n += 1) {
    if (n > 0) hop = (await delegationHop(db, schema, current, now).first())?.to_user;
    if (!hop || seen.has(String(hop))) return current;
    current = String(hop);
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
