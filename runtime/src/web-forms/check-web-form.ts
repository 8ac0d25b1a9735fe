import type { MetadataIssue, WebFormDefinition } from '@forma/metadata';
import type { SectionCheck } from '../meta/section-checks';
import type { Model } from '../model/load-model';
import { effectiveGrants } from '../permissions/permission-engine';
import { ineligibleReason } from './web-form-fields';
import { formOwner } from './web-form-owner';

/**
 * Save-time checks of the `webForms` section: the object and every exposed, hidden and default
 * field exist and may be written by a stranger; every required field of the object gets a value; the
 * owner exists, is active and may create the object (else every submission would fail later).
 */
export const checkWebForm: SectionCheck<WebFormDefinition> = async (ctx, { item, model }) => {
  const issues: MetadataIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const object = model.objects.get(item.object);
  if (!object) {
    add('/object', `Unknown object "${item.object}"`);
    return issues;
  }
  if (object.parent)
    add('/object', `${object.label} are line items of ${object.parent.object}: a form cannot create them alone`);
  const fieldIssue = (path: string, name: string): boolean => {
    const field = object.fields.get(name);
    if (!field) add(path, `${object.label} has no field "${name}"`);
    else {
      const why = ineligibleReason(field);
      if (why) add(path, `"${field.label}" is ${why}: a public form cannot write it`);
      else return true;
    }
    return false;
  };
  const exposed = new Set<string>();
  item.fields.forEach((f, i) => {
    if (exposed.has(f.field)) add(`/fields/${i}/field`, `"${f.field}" is on the form twice`);
    exposed.add(f.field);
    fieldIssue(`/fields/${i}/field`, f.field);
  });
  for (const [name, value] of Object.entries(item.hidden ?? {})) {
    if (exposed.has(name)) add(`/hidden/${name}`, `"${name}" is on the form: a field is either shown or hidden`);
    else if (fieldIssue(`/hidden/${name}`, name)) {
      const allowed = object.field(name).enum;
      if (allowed && !allowed.includes(String(value)))
        add(`/hidden/${name}`, `"${String(value)}" is not a choice of "${name}"`);
    }
  }
  for (const name of Object.keys(item.defaults ?? {}))
    if (!exposed.has(name)) add(`/defaults/${name}`, `"${name}" is not on the form: use hidden for fixed values`);
  for (const field of object.customFields)
    if (
      field.required &&
      field.default === undefined &&
      !exposed.has(field.name) &&
      !(field.name in (item.hidden ?? {}))
    )
      add('/fields', `"${field.label}" is required: put it on the form or give it a hidden value`);

  const owner = await formOwner(ctx.db, ctx.schema, item.owner);
  if (!owner)
    add('/owner', item.owner ? 'No active user with this id' : 'The tenant has no active admin to own the records');
  else if (!mayCreate(model, owner.roles, object.name))
    add(
      '/owner',
      `${owner.name} may not create ${object.label}: choose another owner or give their role create access`,
    );
  return issues;
};

/** Under the metadata about to be saved (a role changed in the same publish counts). */
function mayCreate(model: Model, roles: readonly string[], object: string): boolean {
  const grants = effectiveGrants(model, roles, object);
  return grants.admin || grants.scopes.create !== 'none';
}
