import type { Ctx, PluginContext, PluginJob } from '@forma/platform/plugin-api';
import { isoDay } from './classify';
import { eachRecord } from './each-record';

type JobContext = PluginContext & { now: Date };

/**
 * Members whose next birthday has passed are saved again, so the membership template's
 * `next_birthday` formula (it reads today()) moves it to next year and the `member_birthday` rule can
 * look ahead to it. The date itself is the formula's (metadata a consultant reads); this job only
 * re-saves.
 */
export async function rollBirthdays(ctx: Ctx, context: JobContext): Promise<number> {
  const model = await context.runtime.meta.model(ctx);
  const member = model.objects.get('member');
  if (!member?.fields.has('next_birthday')) return 0;
  let moved = 0;
  await eachRecord(context.runtime, ctx, 'member', { next_birthday: { lt: isoDay(context.now) } }, async (r) => {
    await context.runtime.records.update(ctx, 'member', String(r.id), {});
    moved += 1;
  });
  return moved;
}

export const membershipJobs: PluginJob[] = [
  {
    name: 'member-birthdays',
    cron: '5 0 * * *',
    run: async (ctx, context) => void (await rollBirthdays(ctx, context)),
  },
];
