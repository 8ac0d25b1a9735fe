import type { Ctx, PluginContext, PluginJob } from '@forma/platform/plugin-api';
import { agingOf, isoDay } from './classify';
import { eachRecord } from './each-record';

type JobContext = PluginContext & { now: Date };

/** Tenants without the CRM's objects are skipped (the jobs run for every tenant of the installation). */
async function hasObjects(context: JobContext, ctx: Ctx, objects: string[]): Promise<boolean> {
  const model = await context.runtime.meta.model(ctx);
  return objects.every((o) => model.objects.has(o));
}

/**
 * Keeps every open receivable's aging bucket (30/60/90/180 days) and days overdue current — and the
 * payables' of templates that have them (product-sales): the same fields, the same buckets.
 */
export async function refreshAging(ctx: Ctx, context: JobContext): Promise<number> {
  const today = isoDay(context.now);
  let changed = 0;
  for (const object of ['receivable', 'payable']) {
    if (!(await hasObjects(context, ctx, [object]))) continue;
    await eachRecord(context.runtime, ctx, object, { aging: { ne: 'paid' } }, async (r) => {
      const balance = Number(r.amount ?? 0) - Number(r.paid ?? 0);
      const next = agingOf(String(r.due_on), today, balance);
      if (next.aging === r.aging && next.daysOverdue === Number(r.days_overdue)) return;
      await context.runtime.records.update(ctx, object, String(r.id), {
        aging: next.aging,
        days_overdue: next.daysOverdue,
      });
      changed += 1;
    });
  }
  return changed;
}

/**
 * Receivables aging stays a job (a computed bucket on every open receivable). Reminders and SLA
 * escalation are automation rules (../automations.ts), so a consultant can edit them as metadata.
 */
export const jobs: PluginJob[] = [
  {
    name: 'receivables-aging',
    cron: '10 0 * * *',
    run: async (ctx, context) => void (await refreshAging(ctx, context)),
  },
];
