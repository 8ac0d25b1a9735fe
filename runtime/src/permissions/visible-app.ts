import type { FormDefinition, MetadataDocument, ObjectDefinition, ViewDefinition } from '@forma/metadata';
import type { ObjectAccess } from './object-access';

export type AppView = Pick<MetadataDocument, 'objects' | 'forms' | 'views'> & { version: number };

/**
 * The end-user app's metadata as one user may see it: only objects they may read, without the
 * fields hidden from them (`none`), in object schemas, forms and views alike, so the app never
 * renders a column it will not get, and the metadata itself does not reveal hidden field names.
 */
export function visibleApp(app: AppView, accessOf: (object: string) => ObjectAccess): AppView {
  const objects: Record<string, ObjectDefinition> = {};
  const hidden = new Map<string, Set<string>>();
  for (const [name, def] of Object.entries(app.objects ?? {})) {
    if (!def) continue;
    const access = accessOf(name);
    if (!access.can.read) continue;
    const gone = new Set(
      Object.entries(access.fields)
        .filter(([, a]) => a === 'none')
        .map(([f]) => f),
    );
    hidden.set(name, gone);
    if (!gone.size) {
      objects[name] = def;
      continue;
    }
    const properties = Object.fromEntries(Object.entries(def.properties).filter(([f]) => !gone.has(f)));
    const copy = { ...def, properties } as ObjectDefinition;
    if (def.required) copy.required = def.required.filter((f) => !gone.has(f));
    // Object-level settings name fields too: none of them may name a hidden one.
    if (def['x-search']) copy['x-search'] = def['x-search'].filter((f) => !gone.has(f));
    if (def['x-duplicates'])
      copy['x-duplicates'] = def['x-duplicates'].filter((rule) => !rule.some((f) => gone.has(f)));
    if (def['x-label-field'] && gone.has(def['x-label-field'])) delete copy['x-label-field'];
    objects[name] = copy;
  }

  const forms: Record<string, FormDefinition> = {};
  for (const [name, form] of Object.entries(app.forms ?? {})) {
    const gone = form ? hidden.get(form.object) : undefined;
    if (!form || !gone) continue;
    const uiSchema = Object.fromEntries(Object.entries(form.uiSchema).filter(([k]) => !gone.has(k)));
    const order = uiSchema['ui:order'];
    if (Array.isArray(order)) uiSchema['ui:order'] = order.filter((k) => !gone.has(k as string));
    forms[name] = { ...form, uiSchema };
  }

  const views: Record<string, ViewDefinition> = {};
  for (const [name, view] of Object.entries(app.views ?? {})) {
    const gone = view ? hidden.get(view.object) : undefined;
    if (!view || !gone) continue;
    const visible = (path: string) => !gone.has(path.replace(/^-/, '').split('.')[0] as string);
    // A view filtering on a hidden field would leak it through which rows it shows: leave it out.
    if (view.filter && filterFields(view.filter).some((f) => !visible(f))) continue;
    views[name] = {
      ...view,
      columns: view.columns.filter(visible),
      ...(view.sort ? { sort: view.sort.filter(visible) } : {}),
    };
  }
  return { version: app.version, objects, forms, views };
}

/** Field paths a filter reads, at any depth of `and` / `or`. */
export function filterFields(filter: unknown): string[] {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return [];
  return Object.entries(filter).flatMap(([key, value]) =>
    key === 'and' || key === 'or' ? (Array.isArray(value) ? value.flatMap(filterFields) : []) : [key],
  );
}
