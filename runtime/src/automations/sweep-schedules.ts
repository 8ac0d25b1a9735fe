import type { Ctx } from '../ctx';
import type { Model } from '../model/load-model';
import type { RecordService } from '../records/record-service';
import type { RecordData } from '../scripts';
import type { AutomationEngine } from './automation-engine';
import type { AutomationRule } from './automation-types';
import { dateOffsetFilter } from './date-offset';
import { resolveTokens } from './resolve-tokens';
import { runStore } from './run-store';
import { periodOf } from './schedule-period';

export type SweepReport = {
  succeeded: number;
  failed: number;
  skipped: number;
};

const PAGE = 200;

/**
 * One tenant's schedule rules at `now`: each rule's filter picks the records (as the system identity,
 * `$now`/`$today` resolved from the clock), those without a run in the current period and whose
 * condition holds are run, each in its own transaction that first claims (rule, record, period).
 */
export async function sweepSchedules(
  engine: AutomationEngine,
  deps: { records: Pick<RecordService, 'list'> },
  ctx: Ctx,
  model: Model,
  rules: Array<[string, AutomationRule]>,
  now: Date,
): Promise<SweepReport> {
  const report: SweepReport = { succeeded: 0, failed: 0, skipped: 0 };
  for (const [name, rule] of rules) {
    if (!rule.trigger.every || !model.objects.has(rule.object)) continue;
    const period = periodOf(rule.trigger.every, now);
    const object = model.objects.get(rule.object);
    // The trigger's filter, its date offset and the rule's `when`: all must hold.
    const parts = [
      rule.trigger.filter,
      rule.trigger.date && object ? dateOffsetFilter(object, rule.trigger.date) : undefined,
      rule.when && Object.keys(rule.when).length ? rule.when : undefined,
    ].filter((p): p is Record<string, unknown> => Boolean(p));
    const filter = parts.length ? resolveTokens(parts.length === 1 ? parts[0] : { and: parts }, now) : undefined;
    let cursor: string | undefined;
    do {
      const page = await deps.records.list(ctx, rule.object, {
        ...(filter ? { filter } : {}),
        sort: 'id',
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      cursor = page.nextCursor ?? undefined;
      const done = await runStore.done(
        ctx.db as never,
        ctx.schema,
        name,
        period.key,
        page.items.map((r) => String(r.id)),
      );
      for (const record of page.items.filter((r) => !done.has(String(r.id)))) {
        const [holds] = await engine.conditions(ctx.tenant, model, [[name, rule]], { record, old: null, user: null });
        if (!holds) continue;
        const outcome = await engine.inSystemTx(ctx, (tx) =>
          engine.runRule({
            tenantCtx: tx,
            model,
            name,
            rule,
            key: { rule: name, record: String(record.id), period: period.key },
            record: record as RecordData,
            old: null,
            user: null,
            depth: 0,
            trigger: 'schedule',
          }),
        );
        if (outcome) report[outcome] += 1;
      }
    } while (cursor);
  }
  return report;
}
