import { type Ctx, pluginTable } from '@forma/platform/plugin-api';

const VOTES = pluginTable('example-feedback', 'votes');
const DAILY = pluginTable('example-feedback', 'daily');

export interface Nps {
  nps: number;
  votes: number;
  promoters: number;
  detractors: number;
}

/** The plugin's data access: its own tables in the tenant's schema, through the request's connection. */
export async function addVote(ctx: Ctx, vote: { score: number; comment?: string | undefined }) {
  const [row] = await ctx.db
    .withSchema(ctx.schema)
    .insert({ score: vote.score, comment: vote.comment ?? null, voter: ctx.user.id })
    .into(VOTES)
    .returning(['id', 'score', 'comment', 'at']);
  return { ...row, id: Number(row.id) };
}

/** Net promoter score: % of 9–10 votes minus % of 0–6 votes, over the votes since `since`. */
export async function computeNps(ctx: Ctx, since?: Date): Promise<Nps> {
  const q = ctx.db
    .withSchema(ctx.schema)
    .from(VOTES)
    .select(
      ctx.db.raw('count(*)::int as votes'),
      ctx.db.raw('count(*) filter (where ?? >= 9)::int as promoters', ['score']),
      ctx.db.raw('count(*) filter (where ?? <= 6)::int as detractors', ['score']),
    );
  if (since) q.where('at', '>=', since);
  const row = (await q.first()) as { votes: number; promoters: number; detractors: number };
  const nps = row.votes ? Math.round(((row.promoters - row.detractors) * 100) / row.votes) : 0;
  return { nps, ...row };
}

/** Stores (or refreshes) one day's score; the daily job calls it, so running it twice is harmless. */
export async function snapshot(ctx: Ctx, day: string): Promise<void> {
  const { nps, votes } = await computeNps(ctx);
  await ctx.db.withSchema(ctx.schema).insert({ day, nps, votes }).into(DAILY).onConflict('day').merge();
}

export async function history(ctx: Ctx): Promise<Array<{ day: string; nps: number; votes: number }>> {
  const rows = await ctx.db
    .withSchema(ctx.schema)
    .from(DAILY)
    .select(ctx.db.raw("to_char(??, 'YYYY-MM-DD') as day", ['day']), 'nps', 'votes')
    .orderBy('day');
  return rows as Array<{ day: string; nps: number; votes: number }>;
}
