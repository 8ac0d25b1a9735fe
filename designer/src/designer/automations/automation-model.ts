import type { AutomationRule } from '@forma/metadata';
import type { ObjectSchema } from '../../meta/meta-types';
import { valueKind } from '../../records/field-kind';
import { type ConditionGroup, emptyGroup, fromFilter, toFilter } from '../../conditions/condition-model';

/** An action as the editor holds it: its kind and that kind's properties (the registry's schema). */
export type RuleAction = { type: string; [key: string]: unknown };

/** A rule as the editor holds it (the stored shape, actions loosely typed). */
export type Rule = Omit<AutomationRule, 'actions' | 'when'> & { actions: RuleAction[]; when?: Record<string, unknown> };

export type Recipient =
  | 'owner'
  | 'managerOfOwner'
  | { role: string }
  | { field: string }
  | { user: string }
  | { managerOf: string };

export const SCHEDULES = ['0 8 * * *', '0 * * * *', '0 8 * * 1'] as const;

export function newRule(object: string, label: string): Rule {
  return { label, object, trigger: { on: 'create' }, actions: [] };
}

/** What the conditions tab shows: the builder when it can show the stored filter, else the raw filter. */
export function conditionsOf(rule: Rule, schema: ObjectSchema): { group: ConditionGroup; raw: string | null } {
  const group = fromFilter(rule.when, schema);
  return group ? { group, raw: null } : { group: emptyGroup(), raw: JSON.stringify(rule.when, null, 2) };
}

/** The rule to send: the builder's filter as `when` (or the raw one), empty parts left out. */
export function ruleToSave(
  rule: Rule,
  schema: ObjectSchema,
  conditions: { group: ConditionGroup; raw: string | null },
): { rule: Rule; builderProblems: ReturnType<typeof toFilter>['problems']; rawInvalid: boolean } {
  const { when: _w, condition, ...rest } = rule;
  const out: Rule = { ...rest };
  if (condition?.trim()) out.condition = condition.trim();
  let rawInvalid = false;
  let builderProblems: ReturnType<typeof toFilter>['problems'] = [];
  if (conditions.raw !== null) {
    try {
      const parsed = JSON.parse(conditions.raw) as Record<string, unknown>;
      if (parsed && Object.keys(parsed).length) out.when = parsed;
    } catch {
      rawInvalid = true;
    }
  } else {
    const r = toFilter(conditions.group, schema);
    builderProblems = r.problems;
    if (r.filter) out.when = r.filter;
  }
  return { rule: out, builderProblems, rawInvalid };
}

/** Problems the editor can see without asking the server, by the path the server would use. */
export function localProblems(rule: Rule): Record<string, 'required' | 'pickRecipient' | 'needsValues'> {
  const out: Record<string, 'required' | 'pickRecipient' | 'needsValues'> = {};
  if (!rule.label.trim()) out['/label'] = 'required';
  if (rule.trigger.on === 'schedule' && !rule.trigger.every?.trim()) out['/trigger/every'] = 'required';
  if ((rule.trigger.on === 'segment_entered' || rule.trigger.on === 'segment_left') && !rule.trigger.segment)
    out['/trigger/segment'] = 'required';
  if (rule.trigger.on === 'schedule' && rule.trigger.date && !rule.trigger.date.field)
    out['/trigger/date/field'] = 'required';
  if (!rule.actions.length) out['/actions'] = 'required';
  rule.actions.forEach((a, i) => {
    const at = `/actions/${i}`;
    if (a.type === 'email') {
      if (!String(a.subject ?? '').trim()) out[`${at}/subject`] = 'required';
      if (!String(a.template ?? '').trim()) out[`${at}/template`] = 'required';
      if (!Array.isArray(a.to) || !a.to.length) out[`${at}/to`] = 'pickRecipient';
    }
    if (a.type === 'notify') {
      if (!String(a.title ?? '').trim()) out[`${at}/title`] = 'required';
      if (!Array.isArray(a.to) || !a.to.length) out[`${at}/to`] = 'pickRecipient';
    }
    if (
      (a.type === 'set' || a.type === 'create') &&
      !Object.keys((a.values as object | undefined) ?? {}).length &&
      !a.expressions
    )
      out[`${at}/values`] = 'needsValues';
    if (a.type === 'create' && !a.object) out[`${at}/object`] = 'required';
    if (a.type === 'script' && !a.script) out[`${at}/script`] = 'required';
    if (a.type === 'document' && !String(a.template ?? '').trim()) out[`${at}/template`] = 'required';
  });
  return out;
}

/** A value typed into a field's input as the field stores it ("" clears it). */
export function typedValue(schema: ObjectSchema | undefined, field: string, raw: string): unknown {
  const f = schema?.properties?.[field];
  if (!f) return raw;
  const kind = valueKind(f);
  if (raw === '') return null;
  if (kind === 'number' || kind === 'currency' || kind === 'percent' || kind === 'integer') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  if (kind === 'boolean') return raw === 'true';
  return raw;
}

/** Fields an action may write: not computed, not system. */
export function writableFields(schema: ObjectSchema | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, f]) => {
      const kind = valueKind(f);
      return (
        !f.readOnly &&
        !f['x-formula'] &&
        !f['x-autonumber'] &&
        !f['x-rollup'] &&
        kind !== 'children' &&
        kind !== 'formula' &&
        kind !== 'autonumber' &&
        kind !== 'rollup'
      );
    })
    .map(([n]) => n);
}

/** User lookups of an object (for "notify the user in field …"). */
export function userFields(schema: ObjectSchema | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, f]) => f['x-ref'] === 'user')
    .map(([n]) => n);
}

export function dateFields(schema: ObjectSchema | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, f]) => f.format === 'date' || f.format === 'date-time')
    .map(([n]) => n);
}
