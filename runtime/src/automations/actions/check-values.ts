import type { MetadataIssueCode } from '@forma/metadata';
import { ADMIN_ROLE } from '../../ctx';
import { fieldValueIssue } from '../../meta/coded-issue';
import type { Model, ObjectModel } from '../../model/load-model';
import type { Recipient } from '../automation-types';
import { PERSON_TOKEN, resolveTokens, timeTokenProblem } from '../resolve-tokens';
import type { ActionCheck } from './action-type';

const SOME_USER = '00000000-0000-4000-8000-000000000000';

/** Fields written by set/create: known, writable, and (for literal values) valid for the field. */
export function checkValues(
  source: ObjectModel,
  target: ObjectModel,
  action: { values?: Record<string, unknown>; expressions?: Record<string, string> },
  path: string,
  c: Pick<ActionCheck, 'add' | 'expression'>,
): void {
  const writable = (name: string, at: string) => {
    const f = target.fields.get(name);
    if (!f) c.add(at, `unknown field "${name}" of ${target.name}`, 'unknown_field', { field: name });
    else if ((f.readOnly || f.system) && name !== 'owner')
      c.add(at, `field "${name}" is read-only`, 'read_only_field', { field: name });
    return Boolean(f);
  };
  const literal: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(action.values ?? {})) {
    const at = `${path}/values/${name}`;
    if (!writable(name, at) || name === 'owner') continue;
    const person = typeof value === 'string' ? PERSON_TOKEN.exec(value) : null;
    const via = person?.[1]?.startsWith('managerOf:') ? person[1].slice('managerOf:'.length) : undefined;
    if (via && source.fields.get(via)?.ref !== 'user')
      c.add(at, `"${via}" is not a user lookup of ${source.name}`, 'workflow_not_user_lookup', { field: via });
    const problem = typeof value === 'string' ? timeTokenProblem(value) : undefined;
    if (problem) c.add(at, problem);
    // A person token stands for a user id: validate the field with one.
    literal[name] = person ? SOME_USER : value;
  }
  for (const [name, e] of Object.entries(action.expressions ?? {}))
    if (writable(name, `${path}/expressions/${name}`)) c.expression(e, `${path}/expressions/${name}`);
  const result = target.validators.update(resolveTokens(literal, new Date()));
  if (!result.ok)
    for (const [field, message] of Object.entries(result.errors)) {
      const coded = result.codes[field];
      const issue = coded ? fieldValueIssue(`${path}/values/${field}`, message, field, coded) : undefined;
      c.add(`${path}/values/${field}`, message, issue?.code as MetadataIssueCode | undefined, issue?.params);
    }
}

export function checkRecipient(
  model: Model,
  object: ObjectModel,
  r: Recipient,
  path: string,
  c: Pick<ActionCheck, 'add'>,
): void {
  if (typeof r === 'string') return;
  if ('role' in r && r.role !== ADMIN_ROLE && !model.roles[r.role])
    c.add(path, `unknown role "${r.role}"`, 'unknown_role', { role: r.role });
  const field = 'field' in r ? r.field : 'managerOf' in r ? r.managerOf : undefined;
  if (field !== undefined) {
    const f = object.fields.get(field);
    if (!f) c.add(path, `unknown field "${field}" of ${object.name}`, 'unknown_field', { field });
    else if (f.ref !== 'user')
      c.add(path, `field "${field}" is not a user lookup`, 'workflow_not_user_lookup', { field });
  }
}
