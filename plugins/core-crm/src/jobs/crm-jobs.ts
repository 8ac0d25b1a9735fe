import type { Ctx, PluginContext, PluginJob } from '@forma/platform/plugin-api';
import { SLA_HOURS } from '../objects/engagement';
import { agingOf, dueStateOf, isoDay } from './classify';
import { eachRecord } from './each-record';

type JobContext = PluginContext & { now: Date };

/** Tenants without the CRM's objects are skipped (the jobs run for every tenant of the installation). */
async function hasObjects(context: JobContext, ctx: Ctx, objects: string[]): Promise<boolean> {
  const model = await context.runtime.meta.model(ctx);
  return objects.every((o) => model.objects.has(o));
}

/** Keeps every open receivable's aging bucket (30/60/90/180 days) and days overdue current. */
export async function refreshAging(ctx: Ctx, context: JobContext): Promise<number> {
  if (!(await hasObjects(context, ctx, ['receivable']))) return 0;
  const today = isoDay(context.now);
  let changed = 0;
  await eachRecord(context.runtime, ctx, 'receivable', { aging: { ne: 'paid' } }, async (r) => {
    const balance = Number(r.amount ?? 0) - Number(r.paid ?? 0);
    const next = agingOf(String(r.due_on), today, balance);
    if (next.aging === r.aging && next.daysOverdue === Number(r.days_overdue)) return;
    await context.runtime.records.update(ctx, 'receivable', String(r.id), {
      aging: next.aging,
      days_overdue: next.daysOverdue,
    });
    changed += 1;
  });
  return changed;
}

/** Moves open activities into the "due today" and "overdue" reminder lists as the days pass. */
export async function refreshReminders(ctx: Ctx, context: JobContext): Promise<number> {
  if (!(await hasObjects(context, ctx, ['activity']))) return 0;
  const today = isoDay(context.now);
  let changed = 0;
  await eachRecord(context.runtime, ctx, 'activity', { status: { eq: 'open' } }, async (a) => {
    const state = dueStateOf(String(a.status), (a.due_on as string | null) ?? null, today);
    if (state === a.due_state) return;
    await context.runtime.records.update(ctx, 'activity', String(a.id), { due_state: state });
    changed += 1;
  });
  return changed;
}

/**
 * SLA escalation: an unresolved case past its deadline goes to its owner's manager (level 1); still
 * unresolved one more SLA period later, to the manager's manager (level 2). Each escalation also
 * gives the new person a high-priority activity due today, so it shows in their reminders.
 */
export async function escalateCases(ctx: Ctx, context: JobContext): Promise<number> {
  if (!(await hasObjects(context, ctx, ['service_case', 'activity']))) return 0;
  const { runtime, now } = context;
  const users = new Map(
    ((await runtime.users.list(ctx)) as Array<{ id?: string; manager?: string | null }>).map((u) => [u.id, u]),
  );
  let escalated = 0;
  const filter = { status: { nin: ['resolved', 'closed'] }, sla_due_at: { lt: now.toISOString() } };
  await eachRecord(runtime, ctx, 'service_case', filter, async (c) => {
    const level = Number(c.escalation_level ?? 0);
    const periodMs = (SLA_HOURS[String(c.priority)] ?? 24) * 3_600_000;
    const dueAt = Date.parse(String(c.sla_due_at));
    if (level >= 2 || now.getTime() < dueAt + level * periodMs) return;
    let target: string | null | undefined = String(c.owner ?? '');
    for (let i = 0; i <= level && target; i += 1) target = users.get(target)?.manager ?? null;
    if (!target) return;
    await runtime.records.update(ctx, 'service_case', String(c.id), {
      escalation_level: level + 1,
      escalated_to: target,
    });
    await runtime.records.createMany(
      ctx,
      'activity',
      [
        {
          subject: `Escalated case ${String(c.number)}: ${String(c.subject)}`.slice(0, 200),
          type: 'task',
          priority: 'high',
          due_on: isoDay(now),
          due_state: 'today',
          assigned_to: target,
          service_case: c.id,
          ...(c.account ? { account: c.account } : {}),
        },
      ],
      { owner: target },
    );
    escalated += 1;
  });
  return escalated;
}

export const jobs: PluginJob[] = [
  {
    name: 'receivables-aging',
    cron: '10 0 * * *',
    run: async (ctx, context) => void (await refreshAging(ctx, context)),
  },
  {
    name: 'activity-reminders',
    cron: '0 * * * *',
    run: async (ctx, context) => void (await refreshReminders(ctx, context)),
  },
  {
    name: 'case-escalation',
    cron: '*/5 * * * *',
    run: async (ctx, context) => void (await escalateCases(ctx, context)),
  },
];
