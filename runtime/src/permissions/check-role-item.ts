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
  return issues;
};
