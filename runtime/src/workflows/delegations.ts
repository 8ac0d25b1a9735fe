import type { Ctx } from '../ctx';
import { badRequest, notFound } from '../errors';
import { SYSTEM_TABLE as T } from '../model/naming';

export interface DelegationInput {
  to: string;
  from: string;
  until: string;
  /** Admins may set up a delegation for someone else. */
  user?: string;
}

export type DelegationView = {
  id: string;
  user: string;
  to: string;
  from: Date;
  until: Date;
};

const view = (r: Record<string, unknown>): DelegationView => ({
  id: String(r.id),
  user: String(r.user_id),
  to: String(r.to_user),
  from: r.starts_at as Date,
  until: r.ends_at as Date,
});

/** Dated delegations ("out of office: my approvals go to X from A to B"). */
export const delegations = {
  async list(ctx: Ctx): Promise<DelegationView[]> {
    const rows = await ctx.db
      .withSchema(ctx.schema)
      .from(T.wfDelegations)
      .where((w) => {
        w.where('user_id', ctx.user.id).orWhere('to_user', ctx.user.id);
      })
      .orderBy('starts_at');
    return rows.map(view);
  },

  async create(ctx: Ctx, input: DelegationInput): Promise<DelegationView> {
    const user = input.user ?? ctx.user.id;
    if (user !== ctx.user.id && !ctx.isAdmin) throw notFound('No such user');
    const from = new Date(input.from);
    const until = new Date(input.until);
    if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime()))
      throw badRequest('"from" and "until" must be ISO-8601 date-times', { fields: ['from', 'until'] });
    if (from >= until) throw badRequest('"until" must be after "from"', { field: 'until' });
    if (input.to === user) throw badRequest('Cannot delegate to yourself', { field: 'to' });
    const found = await ctx.db
      .withSchema(ctx.schema)
      .from(T.users)
      .whereIn('id', [user, input.to])
      .where('active', true)
      .pluck('id');
    if (!found.map(String).includes(input.to)) throw badRequest('No active user with that id', { field: 'to' });
    if (!found.map(String).includes(user)) throw notFound('No such user');
    const [row] = await ctx.db
      .withSchema(ctx.schema)
      .insert({ user_id: user, to_user: input.to, starts_at: from, ends_at: until })
      .into(T.wfDelegations)
      .returning('*');
    return view(row);
  },

  async remove(ctx: Ctx, id: string): Promise<void> {
    const q = ctx.db.withSchema(ctx.schema).from(T.wfDelegations).where({ id });
    if (!ctx.isAdmin) q.where('user_id', ctx.user.id);
    const n = await q.delete();
    if (!n) throw notFound('No such delegation');
  },
};
