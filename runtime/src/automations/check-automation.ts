import type { MetadataIssue } from '@forma/metadata';
import { ADMIN_ROLE, type Ctx } from '../ctx';
import { printTemplateStore } from '../documents/print-template-store';
import type { SectionCheckInput } from '../meta/section-checks';
import type { Model, ObjectModel } from '../model/load-model';
import { parseFilter } from '../records/parse-filter';
import type { CompileResult } from '../scripts';
import type { AutomationAction, AutomationRule, Recipient } from './automation-types';
import { messageProblem } from './message-template';
import { PERSON_TOKEN, resolveTokens, timeTokenProblem } from './resolve-tokens';
import { scheduleProblem } from './schedule-period';

type Compile = (expression: string) => CompileResult;

const SOME_USER = '00000000-0000-4000-8000-000000000000';

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
  if (trigger.on === 'schedule') {
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
    if (trigger.fields && trigger.on === 'create') add('/trigger/fields', '"fields" applies to update rules only');
    trigger.fields?.forEach((f, i) => {
      if (!object.fields.has(f)) add(`/trigger/fields/${i}`, `unknown field "${f}" of ${object.name}`);
    });
  }
  if (rule.condition) expression(rule.condition, '/condition');

  const templates = new Set((await printTemplateStore.list(ctx, object.name)).map((t) => t.name));
  rule.actions.forEach((action, i) => {
    checkAction(input.model, object, action, `/actions/${i}`, { add, expression, templates });
  });
  return issues;
}

interface Checker {
  add(path: string, message: string): void;
  expression(e: string, path: string): void;
  templates: ReadonlySet<string>;
}

function checkAction(model: Model, object: ObjectModel, action: AutomationAction, path: string, c: Checker): void {
  switch (action.type) {
    case 'set':
      if (!action.values && !action.expressions) c.add(path, 'a "set" action needs "values" or "expressions"');
      checkValues(object, object, action, path, c);
      return;
    case 'create': {
      const target = model.objects.get(action.object);
      if (!target) {
        c.add(`${path}/object`, `unknown object "${action.object}"`);
        return;
      }
      checkValues(object, target, action, path, c);
      if (action.owner) checkRecipient(model, object, action.owner, `${path}/owner`, c);
      return;
    }
    case 'notify': {
      action.to.forEach((r, j) => {
        checkRecipient(model, object, r, `${path}/to/${j}`, c);
      });
      const fields = new Set(object.fields.keys());
      for (const key of ['title', 'message'] as const) {
        const text = action[key];
        const problem = text === undefined ? undefined : messageProblem(text, fields);
        if (problem) c.add(`${path}/${key}`, problem);
      }
      return;
    }
    case 'script': {
      const script = model.scripts[action.script];
      if (!script) c.add(`${path}/script`, `unknown script "${action.script}"`);
      else if (script.object !== object.name || script.event !== 'action')
        c.add(`${path}/script`, `"${action.script}" is not an action script of ${object.name}`);
      return;
    }
    case 'document': {
      if (!c.templates.has(action.template))
        c.add(`${path}/template`, `unknown print template "${action.template}" of ${object.name}`);
      const problem = action.fileName ? messageProblem(action.fileName, new Set(object.fields.keys())) : undefined;
      if (problem) c.add(`${path}/fileName`, problem);
      return;
    }
  }
}

/** Fields written by set/create: known, writable, and (for literal values) valid for the field. */
function checkValues(
  source: ObjectModel,
  target: ObjectModel,
  action: { values?: Record<string, unknown>; expressions?: Record<string, string> },
  path: string,
  c: Checker,
): void {
  const writable = (name: string, at: string) => {
    const f = target.fields.get(name);
    if (!f) c.add(at, `unknown field "${name}" of ${target.name}`);
    else if ((f.readOnly || f.system) && name !== 'owner') c.add(at, `field "${name}" is read-only`);
    return Boolean(f);
  };
  const literal: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(action.values ?? {})) {
    const at = `${path}/values/${name}`;
    if (!writable(name, at) || name === 'owner') continue;
    const person = typeof value === 'string' ? PERSON_TOKEN.exec(value) : null;
    const via = person?.[1]?.startsWith('managerOf:') ? person[1].slice('managerOf:'.length) : undefined;
    if (via && source.fields.get(via)?.ref !== 'user') c.add(at, `"${via}" is not a user lookup of ${source.name}`);
    const problem = typeof value === 'string' ? timeTokenProblem(value) : undefined;
    if (problem) c.add(at, problem);
    // A person token stands for a user id: validate the field with one.
    literal[name] = person ? SOME_USER : value;
  }
  for (const [name, e] of Object.entries(action.expressions ?? {}))
    if (writable(name, `${path}/expressions/${name}`)) c.expression(e, `${path}/expressions/${name}`);
  const result = target.validators.update(resolveTokens(literal, new Date()));
  if (!result.ok)
    for (const [field, message] of Object.entries(result.errors)) c.add(`${path}/values/${field}`, message);
}

function checkRecipient(model: Model, object: ObjectModel, r: Recipient, path: string, c: Checker): void {
  if (typeof r === 'string') return;
  if ('role' in r && r.role !== ADMIN_ROLE && !model.roles[r.role]) c.add(path, `unknown role "${r.role}"`);
  const field = 'field' in r ? r.field : 'managerOf' in r ? r.managerOf : undefined;
  if (field !== undefined) {
    const f = object.fields.get(field);
    if (!f) c.add(path, `unknown field "${field}" of ${object.name}`);
    else if (f.ref !== 'user') c.add(path, `field "${field}" is not a user lookup`);
  }
}
