import type { MetadataIssue } from '@forma/metadata';
import type { Ctx } from '../ctx';
import { ADMIN_ROLE } from '../ctx';
import { codedIssue, expressionIssue, fieldValueIssue } from '../meta/coded-issue';
import type { SectionCheckInput } from '../meta/section-checks';
import type { ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';
import type { CompileResult } from '../scripts';
import { workflowNodeType } from './nodes/node-registry';
import { validateGraph } from './validate-graph';
import type { Approver, WorkflowDefinition } from './workflow-graph';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `workflows` section check: the graph's structure (validateGraph) plus everything it names:
 * the object, approver roles, users and user fields, fields set by action and end nodes (and their
 * values), scripts, and the expressions of the trigger and condition edges (compiled, not run); a
 * node type may add checks of its own (`check`, nodes/).
 */
export async function checkWorkflow(
  ctx: Ctx,
  input: SectionCheckInput<WorkflowDefinition>,
  compileExpression: (e: string) => CompileResult,
): Promise<MetadataIssue[]> {
  const def = input.item;
  const issues: MetadataIssue[] = validateGraph(def).map(({ nodes: _nodes, ...issue }) => issue);
  const object = input.model.objects.get(def.object);
  if (!object)
    return [
      ...issues,
      codedIssue('/object', `unknown object "${def.object}"`, 'unknown_object', { object: def.object }),
    ];
  const roles = new Set([ADMIN_ROLE, ...Object.keys(input.model.roles)]);
  const users: Array<{ path: string; node: string; id: string }> = [];

  const checkApprover = (a: Approver, path: string, node: string): void => {
    if ('role' in a && !roles.has(a.role))
      issues.push(codedIssue(path, `[${node}] unknown role "${a.role}"`, 'unknown_role', { role: a.role }));
    if ('user' in a) users.push({ path, node, id: a.user });
    if ('field' in a) {
      const f = object.fields.get(a.field);
      if (!f)
        issues.push(
          codedIssue(path, `[${node}] unknown field "${a.field}" of ${def.object}`, 'unknown_field', {
            field: a.field,
          }),
        );
      else if (f.ref !== 'user')
        issues.push(
          codedIssue(path, `[${node}] field "${a.field}" is not a user lookup`, 'workflow_not_user_lookup', {
            field: a.field,
          }),
        );
    }
  };
  const checkExpression = (expression: string, path: string, what: string) => {
    const issue = expressionIssue(path, compileExpression(expression), `${what}: `);
    if (issue) issues.push(issue);
  };

  if (def.fallbackRole && !roles.has(def.fallbackRole))
    issues.push(
      codedIssue('/fallbackRole', `unknown role "${def.fallbackRole}"`, 'unknown_role', { role: def.fallbackRole }),
    );
  issues.push(...checkAfterApproval(object, def));
  if (def.trigger?.condition) checkExpression(def.trigger.condition, '/trigger/condition', 'trigger condition');
  def.nodes.forEach((n, i) => {
    const p = `/nodes/${i}/data`;
    workflowNodeType(n.type)?.check?.(n, { model: input.model, object, path: p, issues });
    n.data.approvers?.forEach((a, j) => {
      checkApprover(a, `${p}/approvers/${j}`, n.id);
    });
    if (n.data.escalation?.to) checkApprover(n.data.escalation.to, `${p}/escalation/to`, n.id);
    if (n.data.set) issues.push(...checkSet(object, n.data.set, `${p}/set`, n.id));
    n.data.show?.forEach((name, j) => {
      const f = object.fields.get(name);
      if (!f?.column)
        issues.push(
          codedIssue(`${p}/show/${j}`, `[${n.id}] unknown field "${name}" of ${def.object}`, 'unknown_field', {
            field: name,
          }),
        );
    });
    if (n.data.script) {
      const script = input.model.scripts[n.data.script];
      if (!script)
        issues.push(
          codedIssue(`${p}/script`, `[${n.id}] unknown script "${n.data.script}"`, 'unknown_script', {
            script: n.data.script,
          }),
        );
      else if (script.object !== def.object)
        issues.push(
          codedIssue(
            `${p}/script`,
            `[${n.id}] script "${n.data.script}" belongs to ${script.object}`,
            'script_other_object',
            { script: n.data.script, object: script.object },
          ),
        );
    }
  });
  def.edges.forEach((e, i) => {
    if (e.data?.condition)
      checkExpression(e.data.condition, `/edges/${i}/data/condition`, `[${e.source}, ${e.id}] condition`);
  });

  const malformed = users.filter((u) => !UUID.test(u.id));
  for (const u of malformed)
    issues.push(codedIssue(u.path, `[${u.node}] "${u.id}" is not a user id`, 'not_user_id', { id: u.id }));
  const ids = [...new Set(users.filter((u) => UUID.test(u.id)).map((u) => u.id))];
  if (ids.length) {
    const found = new Set(
      (
        await ctx.db
          .withSchema(ctx.schema)
          .from(SYSTEM_TABLE.users)
          .whereIn('id', ids)
          .where('active', true)
          .pluck('id')
      ).map(String),
    );
    for (const u of users)
      if (UUID.test(u.id) && !found.has(u.id))
        issues.push(codedIssue(u.path, `[${u.node}] unknown or inactive user ${u.id}`, 'unknown_user', { id: u.id }));
  }
  return issues;
}

/** Fields an action or end node sets: they must exist, be writable, and take the given values. */
function checkSet(object: ObjectModel, set: Record<string, unknown>, path: string, node: string): MetadataIssue[] {
  const out: MetadataIssue[] = [];
  for (const name of Object.keys(set)) {
    const f = object.fields.get(name);
    if (!f)
      out.push(
        codedIssue(`${path}/${name}`, `[${node}] unknown field "${name}" of ${object.name}`, 'unknown_field', {
          field: name,
        }),
      );
    else if (f.readOnly || f.system)
      out.push(
        codedIssue(`${path}/${name}`, `[${node}] field "${name}" is read-only`, 'read_only_field', { field: name }),
      );
  }
  if (out.length) return out;
  const result = object.validators.update(set);
  if (!result.ok)
    for (const [field, message] of Object.entries(result.errors)) {
      const code = result.codes[field];
      out.push(
        code
          ? fieldValueIssue(`${path}/${field}`, `[${node}] ${message}`, field, code)
          : { path: `${path}/${field}`, message: `[${node}] ${message}` },
      );
    }
  return out;
}

/**
 * `afterApproval`: `reapprove` needs the fields whose change sends the record back (fields of the
 * object, roll-ups and formulas included, or a line-item field); `lock` and `none` take none.
 */
function checkAfterApproval(object: ObjectModel, def: WorkflowDefinition): MetadataIssue[] {
  const after = def.afterApproval;
  if (!after) return [];
  const fields = after.fields ?? [];
  if (after.mode !== 'reapprove')
    return fields.length
      ? [
          codedIssue(
            '/afterApproval/fields',
            'fields are only used with mode "reapprove"',
            'workflow_fields_reapprove_only',
          ),
        ]
      : [];
  if (!fields.length)
    return [
      codedIssue(
        '/afterApproval/fields',
        'mode "reapprove" needs the fields whose change sends the record back for approval',
        'workflow_reapprove_needs_fields',
      ),
    ];
  const out: MetadataIssue[] = [];
  fields.forEach((name, i) => {
    const f = object.fields.get(name);
    if (!f || (f.system && name !== 'owner'))
      out.push(
        codedIssue(`/afterApproval/fields/${i}`, `unknown field "${name}" of ${object.name}`, 'unknown_field', {
          field: name,
        }),
      );
  });
  return out;
}
