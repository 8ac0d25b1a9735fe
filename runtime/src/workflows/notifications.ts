import type { Ctx } from '../ctx';
import { notFound } from '../errors';
import { SYSTEM_TABLE as T } from '../model/naming';

/** The signed-in user's in-app notifications. */
export const notifications = {
  async list(ctx: Ctx, opts: { unread?: boolean; limit?: number } = {}) {
    const q = ctx.db
      .withSchema(ctx.schema)
      .from(T.notifications)
      .where('user_id', ctx.user.id)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(Math.min(opts.limit ?? 50, 200));
    if (opts.unread) q.whereNull('read_at');
    const [rows, unread] = await Promise.all([
      q.select('id', 'kind', 'title', 'body', 'data', 'created_at', 'read_at'),
      ctx.db
        .withSchema(ctx.schema)
        .from(T.notifications)
        .where('user_id', ctx.user.id)
        .whereNull('read_at')
        .count({ n: '*' })
        .first(),
    ]);
    return {
      items: rows.map((r: Record<string, unknown>) => ({
        id: r.id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        data: r.data,
        createdAt: r.created_at,
        readAt: r.read_at,
      })),
      unread: Number(unread?.n ?? 0),
    };
  },

  async markRead(ctx: Ctx, id: string, at: Date): Promise<void> {
    const n = await ctx.db
      .withSchema(ctx.schema)
      .table(T.notifications)
      .where({ id, user_id: ctx.user.id })
      .update({ read_at: ctx.db.raw('coalesce(??, ?)', ['read_at', at]) });
    if (!n) throw notFound('No such notification');
  },

  async markAllRead(ctx: Ctx, at: Date): Promise<number> {
    return ctx.db
      .withSchema(ctx.schema)
      .table(T.notifications)
      .where({ user_id: ctx.user.id })
      .whereNull('read_at')
      .update({ read_at: at });
  },
};
