import type { MetadataIssue } from '@forma/metadata';
import type { Ctx } from '../ctx';
import { printTemplateStore } from '../documents/print-template-store';
import type { SectionCheckInput } from '../meta/section-checks';
import type { Model, ObjectModel } from '../model/load-model';
import { parseFilter } from '../records/parse-filter';
import type { CompileResult } from '../scripts';
import { actionShapeProblems, automationAction } from './actions/action-registry';
import type { AutomationAction, AutomationRule } from './automation-types';
import { dateOffsetProblem } from './date-offset';
import { resolveTokens, timeTokenProblem } from './resolve-tokens';
import { scheduleProblem } from './schedule-period';
import { segmentTriggerIssues } from './segment-trigger';

type Compile = (expression: string) => CompileResult;

/**
 * The `automations` section check: everything a rule names must exist (object, fields, scripts,
 * print templates, roles, user fields), the trigger's parts must fit its kind, the schedule and the
 * filter must parse, expressions must compile and values must be valid for their fields. Each issue
 * carries the JSON path inside the rule.
 */
export async function checkAutomation(
  ctx: Ctx,
  input: SectionCheckInput<AutomationRule>,
  compile: Compile,
): Promise<MetadataIssue[]> {
  const rule = input.item;
  const issues: MetadataIssue[] = [];
  const add = (path: string, message: string) => void issues.push({ path, message });
  const object = input.model.objects.get(rule.object);
  if (!object) return [{ path: '/object', message: `unknown object "${rule.object}"` }];
  const expression = (e: string, path: string) => {
    const r = compile(e);
    if (!r.ok) {
      const d = r.diagnostics[0];
      add(path, d ? `${d.message} (line ${d.line}, column ${d.column})` : 'does not compile');
    }
  };

  const { trigger } = rule;
  if (trigger.outcome && trigger.on !== 'approval') add('/trigger/outcome', '"outcome" applies to approval rules only');
  if (trigger.date && trigger.on !== 'schedule') add('/trigger/date', '"date" applies to schedule rules only');
  if (trigger.on === 'schedule') {
    if (trigger.date) {
      const problem = dateOffsetProblem(object, trigger.date.field);
      if (problem) add('/trigger/date/field', problem);
    }
    if (!trigger.every) add('/trigger/every', 'a schedule needs "every" (cron or ISO-8601 duration)');
    else {
      const problem = scheduleProblem(trigger.every);
      if (problem) add('/trigger/every', problem);
    }
    if (trigger.fields) add('/trigger/fields', '"fields" applies to update rules only');
    if (trigger.filter) {
      const problem = JSON.stringify(trigger.filter)
        .match(/"\$(?:now|today)[+-][^"]*"/g)
        ?.map((t) => timeTokenProblem(JSON.parse(t) as string))
        .find(Boolean);
      if (problem) add('/trigger/filter', problem);
      try {
        parseFilter(input.model, object, resolveTokens(trigger.filter, new Date()), { fieldAccess: () => ({}) });
      } catch (e) {
        add('/trigger/filter', (e as Error).message);
      }
    }
  } else {
    if (trigger.every) add('/trigger/every', '"every" applies to schedule rules only');
    if (trigger.filter) add('/trigger/filter', '"filter" applies to schedule rules only (use "condition")');
    if (trigger.fields && trigger.on !== 'update') add('/trigger/fields', '"fields" applies to update rules only');
    if (trigger.changedTo !== undefined) {
      const field = trigger.fields?.length === 1 ? object.fields.get(trigger.fields[0] as string) : undefined;
      if (trigger.on !== 'update' || !trigger.fields || trigger.fields.length !== 1)
        add('/trigger/changedTo', '"changedTo" needs an update rule watching exactly one field');
      else if (field) {
        const checked = object.validators.update({ [field.name]: trigger.changedTo });
        const problem = checked.ok ? undefined : Object.values(checked.errors)[0];
        if (problem) add('/trigger/changedTo', problem);
      }
    }
    trigger.fields?.forEach((f, i) => {
      if (!object.fields.has(f)) add(`/trigger/fields/${i}`, `unknown field "${f}" of ${object.name}`);
    });
  }
  issues.push(...segmentTriggerIssues(input.model, object, trigger));
  if (rule.when) {
    try {
      parseFilter(input.model, object, resolveTokens(rule.when, new Date()), { fieldAccess: () => ({}) });
    } catch (e) {
      // The parser names the spot as `filter.<field>.<op>`; here the filter is the rule's `when`.
      add('/when', (e as Error).message.replace(/^filter\b/, 'when'));
    }
  }
  if (rule.condition) expression(rule.condition, '/condition');

  const templates = new Set((await printTemplateStore.list(ctx, object.name)).map((t) => t.name));
  rule.actions.forEach((action, i) => {
    checkAction(input.model, object, action, `/actions/${i}`, { add, expression, templates });
  });
  return issues;
}

function checkAction(model: Model, object: ObjectModel, action: AutomationAction, path: string, c: Checker): void {
  const kind = automationAction(action.type);
  if (!kind) {
    c.add(`${path}/type`, `unknown action type "${action.type}"`);
    return;
  }
  const shape = actionShapeProblems(action);
  for (const [at, message] of shape) c.add(`${path}${at}`, message);
  if (!shape.length) kind.check?.(action, { ...c, model, object, path });
}

interface Checker {
  add(path: string, message: string): void;
  expression(e: string, path: string): void;
  templates: ReadonlySet<string>;
}
