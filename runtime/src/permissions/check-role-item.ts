import { type MetadataIssue, pointer, type RoleDefinition } from '@forma/metadata';
import type { SectionCheck } from '../meta/section-checks';

/**
 * Save-time check of `roles.<name>` against the model the document will have: every object and
 * field a role names must exist (a typo would otherwise silently grant nothing, or leave a field
 * unprotected), and `id` cannot be hidden (records without an id cannot be opened or shared).
 */
export const checkRoleItem: SectionCheck<RoleDefinition> = (_ctx, { item, model }) => {
  const issues: MetadataIssue[] = [];
  if (!item || typeof item !== 'object') return issues;
  for (const [object, grant] of Object.entries(item.objects ?? {})) {
    const def = model.objects.get(object);
    if (!def) {
      issues.push({ path: pointer('objects', object), message: `Unknown object "${object}"` });
      continue;
    }
    // The account level filters on the object's `account` lookup: without one it could reach nothing.
    for (const op of ['create', 'read', 'update', 'delete'] as const)
      if (grant?.[op] === 'account' && object !== 'account' && def.fields.get('account')?.ref !== 'account')
        issues.push({
          path: pointer('objects', object, op),
          message: `Scope "account" needs a lookup field "account" to accounts on ${object}`,
        });
    for (const [field, access] of Object.entries(grant?.fields ?? {})) {
      const at = pointer('objects', object, 'fields', field);
      if (!def.fields.has(field)) issues.push({ path: at, message: `Unknown field "${field}" of ${object}` });
      else if (field === 'id' && access === 'none')
        issues.push({ path: at, message: 'The id of a record cannot be hidden' });
    }
  }
  (item.sharing ?? []).forEach((rule, i) => {
    if (rule && !model.objects.has(rule.object))
      issues.push({ path: pointer('sharing', i, 'object'), message: `Unknown object "${rule.object}"` });
  });
  const portal = item.portal;
  if (portal) {
    const named = [
      ...portal.lists.map((o, i) => [o, pointer('portal', 'lists', i)] as const),
      ...(portal.cases ? [[portal.cases, pointer('portal', 'cases')] as const] : []),
      ...(portal.comments ? [[portal.comments, pointer('portal', 'comments')] as const] : []),
    ];
    for (const [object, at] of named)
      if (!model.objects.has(object)) issues.push({ path: at, message: `Unknown object "${object}"` });
  }
  return issues;
};
