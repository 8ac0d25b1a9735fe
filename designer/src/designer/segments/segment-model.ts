import type { SegmentDefinition } from '@forma/metadata';
import {
  type ConditionGroup,
  type ConditionLookups,
  type ConditionProblem,
  emptyGroup,
  fromFilter,
  toFilter,
} from '../../conditions/condition-model';
import type { ObjectSchema } from '../../meta/meta-types';

export type { SegmentDefinition };

/** Refresh schedules offered by name; anything else is typed as cron or an ISO-8601 duration. */
export const SEGMENT_SCHEDULES = ['P1D', 'PT6H', 'PT1H', '0 6 * * 1'] as const;

/** The server follows segment filter paths through up to three lookups (docs/analytics.md). */
export const SEGMENT_HOPS = 3;

/** A segment as the editor holds it: plain strings for inputs, the filter as builder groups or raw JSON. */
export interface SegmentDraft {
  label: string;
  labelZh: string;
  description: string;
  object: string;
  /** The builder's groups; unused while `raw` holds the filter. */
  group: ConditionGroup;
  /**
   * The filter as JSON text when the builder cannot show it (date tokens such as `$today-P90D`,
   * shapes it does not draw): the admin edits it as text and nothing is lost.
   */
  raw: string | null;
  mode: 'manual' | 'schedule';
  every: string;
  roles: string[];
}

const TOKEN = /"\$(?:today|now)/;

export const lookupsOf = (objects: Record<string, ObjectSchema | null | undefined>): ConditionLookups => ({
  objects,
  hops: SEGMENT_HOPS,
});

export function newDraft(object: string, label: string): SegmentDraft {
  return {
    label,
    labelZh: '',
    description: '',
    object,
    group: emptyGroup(),
    raw: null,
    mode: 'manual',
    every: SEGMENT_SCHEDULES[0],
    roles: [],
  };
}

export function draftOf(
  def: SegmentDefinition,
  schema: ObjectSchema | undefined,
  lookups: ConditionLookups,
): SegmentDraft {
  const filter = def.filter as Record<string, unknown>;
  const group = schema && !TOKEN.test(JSON.stringify(filter)) ? fromFilter(filter, schema, lookups) : null;
  return {
    label: def.label,
    labelZh: def['x-i18n']?.['zh-CN']?.label ?? '',
    description: def.description ?? '',
    object: def.object,
    group: group ?? emptyGroup(),
    raw: group ? null : JSON.stringify(filter, null, 2),
    mode: def.refresh?.mode ?? 'manual',
    every: def.refresh?.every ?? SEGMENT_SCHEDULES[0],
    roles: [...(def.roles ?? [])],
  };
}

/** The filter the draft stands for, or why there is none yet. */
export function filterOf(
  draft: SegmentDraft,
  schema: ObjectSchema | undefined,
  lookups: ConditionLookups,
): { filter: Record<string, unknown> | undefined; problems: ConditionProblem[]; rawInvalid: boolean } {
  if (draft.raw !== null) {
    try {
      const parsed = JSON.parse(draft.raw) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return { filter: parsed as Record<string, unknown>, problems: [], rawInvalid: false };
    } catch {
      // Reported as rawInvalid below.
    }
    return { filter: undefined, problems: [], rawInvalid: true };
  }
  const r = toFilter(draft.group, schema ?? {}, lookups);
  // No conditions: every record of the object, as the server reads an empty filter.
  return { filter: r.problems.length ? undefined : (r.filter ?? {}), problems: r.problems, rawInvalid: false };
}

/** The definition to publish (keeping what the editor does not show from the stored one). */
export function definitionOf(
  draft: SegmentDraft,
  stored: SegmentDefinition | undefined,
  filter: Record<string, unknown>,
): SegmentDefinition {
  const i18n = { ...(stored?.['x-i18n'] ?? {}) } as NonNullable<SegmentDefinition['x-i18n']>;
  const zh = { ...(i18n['zh-CN'] ?? {}) };
  if (draft.labelZh.trim()) zh.label = draft.labelZh.trim();
  else delete zh.label;
  if (Object.keys(zh).length) i18n['zh-CN'] = zh;
  else delete i18n['zh-CN'];
  const def: SegmentDefinition = {
    label: draft.label.trim(),
    object: draft.object,
    filter: filter as SegmentDefinition['filter'],
  };
  if (draft.description.trim()) def.description = draft.description.trim();
  // Absent and manual mean the same: a segment stored without it is left without it.
  if (draft.mode === 'schedule') def.refresh = { mode: 'schedule', every: draft.every.trim() };
  else if (stored?.refresh) def.refresh = { mode: 'manual' };
  if (draft.roles.length) def.roles = [...draft.roles];
  if (Object.keys(i18n).length) def['x-i18n'] = i18n;
  return def;
}

export type SegmentProblem = 'required' | 'json';

/** What the editor can tell without the server, at the paths the server would use. */
export function localProblems(draft: SegmentDraft, rawInvalid: boolean): Record<string, SegmentProblem> {
  const out: Record<string, SegmentProblem> = {};
  if (!draft.label.trim()) out['/label'] = 'required';
  if (!draft.object) out['/object'] = 'required';
  if (draft.mode === 'schedule' && !draft.every.trim()) out['/refresh/every'] = 'required';
  if (rawInvalid) out['/filter'] = 'json';
  return out;
}

/** The label in the admin's language. */
export function segmentLabel(def: Pick<SegmentDefinition, 'label' | 'x-i18n'>, lang: string): string {
  return (lang.startsWith('zh') ? def['x-i18n']?.['zh-CN']?.label : undefined) || def.label;
}
