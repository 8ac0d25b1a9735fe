import type { MetadataIssue, MetadataIssueCode } from '@forma/metadata';
import type { Ctx } from '../ctx';
import { printTemplateStore } from '../documents/print-template-store';
import { codedIssue, expressionIssue, fieldValueIssue } from '../meta/coded-issue';
import type { SectionCheckInput } from '../meta/section-checks';
import type { Model, ObjectModel } from '../model/load-model';
import { parseFilter } from '../records/parse-filter';
import type { CompileResult } from '../scripts';
import { actionShapeProblems, automationAction } from './actions/action-registry';
import type { AutomationAction, AutomationRule } from './automation-types';
import { dateOffsetProblem } from './date-offset';
import { resolveTokens, timeTokenProblem } from './resolve-tokens';
import { scheduleIssue } from './schedule-period';
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
  // Uncoded problems (of helpers that say them in English only) keep the English words alone.
  const add = (path: string, message: string, code?: MetadataIssueCode, params?: Record<string, string | number>) =>
    void issues.push(code ? codedIssue(path, message, code, params) : { path, message });
  const object = input.model.objects.get(rule.object);
  if (!object)
    return [codedIssue('/object', `unknown object "${rule.object}"`, 'unknown_object', { object: rule.object })];
  const expression = (e: string, path: string) => {
    const issue = expressionIssue(path, compile(e));
    if (issue) issues.push(issue);
  };

  const { trigger } = rule;
  if (trigger.outcome && trigger.on !== 'approval')
    add('/trigger/outcome', '"outcome" applies to approval rules only', 'automation_approval_only', {
      name: 'outcome',
    });
  if (trigger.date && trigger.on !== 'schedule')
    add('/trigger/date', '"date" applies to schedule rules only', 'automation_schedule_only', { name: 'date' });
  if (trigger.on === 'schedule') {
    if (trigger.date) {
      const problem = dateOffsetProblem(object, trigger.date.field);
      const field = trigger.date.field;
      if (problem)
        add('/trigger/date/field', problem, object.fields.has(field) ? 'not_a_date' : 'unknown_field', { field });
    }
    if (!trigger.every)
      add('/trigger/every', 'a schedule needs "every" (cron or ISO-8601 duration)', 'automation_schedule_every');
    else {
      const problem = scheduleIssue(trigger.every);
      if (problem) add('/trigger/every', problem.message, problem.code, problem.params);
    }
    if (trigger.fields)
      add('/trigger/fields', '"fields" applies to update rules only', 'automation_update_only', { name: 'fields' });
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
    if (trigger.every)
      add('/trigger/every', '"every" applies to schedule rules only', 'automation_schedule_only', { name: 'every' });
    if (trigger.filter)
      add('/trigger/filter', '"filter" applies to schedule rules only (use "condition")', 'automation_schedule_only', {
        name: 'filter',
      });
    if (trigger.fields && trigger.on !== 'update')
      add('/trigger/fields', '"fields" applies to update rules only', 'automation_update_only', { name: 'fields' });
    if (trigger.changedTo !== undefined) {
      const field = trigger.fields?.length === 1 ? object.fields.get(trigger.fields[0] as string) : undefined;
      if (trigger.on !== 'update' || !trigger.fields || trigger.fields.length !== 1)
        add(
          '/trigger/changedTo',
          '"changedTo" needs an update rule watching exactly one field',
          'automation_changed_to_one_field',
        );
      else if (field) {
        const checked = object.validators.update({ [field.name]: trigger.changedTo });
        const code = checked.ok ? undefined : checked.codes[field.name];
        if (!checked.ok && code)
          issues.push(fieldValueIssue('/trigger/changedTo', checked.errors[field.name] ?? 'Invalid', field.name, code));
        else if (!checked.ok) add('/trigger/changedTo', Object.values(checked.errors)[0] ?? 'Invalid');
      }
    }
    trigger.fields?.forEach((f, i) => {
      if (!object.fields.has(f))
        add(`/trigger/fields/${i}`, `unknown field "${f}" of ${object.name}`, 'unknown_field', { field: f });
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
    c.add(`${path}/type`, `unknown action type "${action.type}"`, 'automation_unknown_action', { type: action.type });
    return;
  }
  const shape = actionShapeProblems(action);
  for (const issue of shape)
    c.add(
      `${path}${issue.path === '/' ? '' : issue.path}`,
      issue.message,
      issue.code as MetadataIssueCode | undefined,
      issue.params,
    );
  if (!shape.length) kind.check?.(action, { ...c, model, object, path });
}

interface Checker {
  add(path: string, message: string, code?: MetadataIssueCode, params?: Record<string, string | number>): void;
  expression(e: string, path: string): void;
  templates: ReadonlySet<string>;
}
