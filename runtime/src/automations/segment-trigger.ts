/**
 * The automation triggers "entered segment" / "left segment" (`on: segment_entered | segment_left`,
 * `segment: <name>`): a refresh of a saved segment (runtime/src/segments) logs who entered and left;
 * the rules following that segment then run on each such record, as schedule rules do: as the
 * system, each run claimed per (rule, record, refresh), so a refresh's rules resumed after a crash
 * act once. Records deleted since the refresh are skipped (their leaving is their deletion).
 */
import type { MetadataIssue } from '@forma/metadata';
import type { Ctx } from '../ctx';
import type { Model, ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE as T } from '../model/naming';
import type { RecordService } from '../records/record-service';
import type { RecordData } from '../scripts';
import type { AutomationEngine } from './automation-engine';
import type { AutomationRule, AutomationTrigger } from './automation-types';

const PAGE = 200;

export const SEGMENT_TRIGGERS = ['segment_entered', 'segment_left'] as const;

export function isSegmentTrigger(on: AutomationTrigger['on']): on is (typeof SEGMENT_TRIGGERS)[number] {
  return (SEGMENT_TRIGGERS as readonly string[]).includes(on);
}

/** Save-time problems of a rule's trigger about segments (paths inside the rule). */
export function segmentTriggerIssues(model: Model, object: ObjectModel, trigger: AutomationTrigger): MetadataIssue[] {
  if (!isSegmentTrigger(trigger.on)) {
    return trigger.segment ? [{ path: '/trigger/segment', message: '"segment" applies to segment triggers only' }] : [];
  }
  if (!trigger.segment) return [{ path: '/trigger/segment', message: `${trigger.on} needs "segment"` }];
  const segments = (model.document.segments ?? {}) as Record<string, { object: string }>;
  const segment = Object.hasOwn(segments, trigger.segment) ? segments[trigger.segment] : undefined;
  if (!segment) return [{ path: '/trigger/segment', message: `unknown segment "${trigger.segment}"` }];
  if (segment.object !== object.name)
    return [
      {
        path: '/trigger/segment',
        message: `segment "${trigger.segment}" is over ${segment.object}, not ${object.name}`,
      },
    ];
  return [];
}

/** Runs the rules following `segment` on the records one refresh logged as entered or left. */
export async function runSegmentRules(
  engine: AutomationEngine,
  deps: { records: Pick<RecordService, 'list'> },
  ctx: Ctx,
  model: Model,
  rules: Array<[string, AutomationRule]>,
  segment: string,
  refreshId: string,
): Promise<void> {
  const following = rules.filter(([, r]) => isSegmentTrigger(r.trigger.on) && r.trigger.segment === segment);
  if (!following.length) return;
  let after = '';
  for (;;) {
    const changes = (await ctx.db
      .withSchema(ctx.schema)
      .from(T.segmentChanges)
      .where('refresh_id', refreshId)
      .andWhere('record_id', '>', after || '00000000-0000-0000-0000-000000000000')
      .orderBy('record_id')
      .limit(PAGE)
      .select('record_id', 'change')) as Array<{ record_id: string; change: 'entered' | 'left' }>;
    if (!changes.length) return;
    after = changes[changes.length - 1]!.record_id;
    for (const [name, rule] of following) {
      const wanted = rule.trigger.on === 'segment_entered' ? 'entered' : 'left';
      const ids = changes.filter((c) => c.change === wanted).map((c) => c.record_id);
      if (!ids.length || !model.objects.has(rule.object)) continue;
      const page = await deps.records.list(ctx, rule.object, { filter: { id: { in: ids } }, limit: PAGE });
      for (const record of page.items) {
        const [holds] = await engine.conditions(ctx.tenant, model, [[name, rule]], { record, old: null, user: null });
        if (!holds || !(await engine.matchesWhen(ctx, rule, String(record.id)))) continue;
        await engine.inSystemTx(ctx, (tx) =>
          engine.runRule({
            tenantCtx: tx,
            model,
            name,
            rule,
            key: { rule: name, record: String(record.id), period: `segment:${refreshId}` },
            record: record as RecordData,
            old: null,
            user: null,
            depth: 0,
            trigger: rule.trigger.on,
          }),
        );
      }
    }
    if (changes.length < PAGE) return;
  }
}
