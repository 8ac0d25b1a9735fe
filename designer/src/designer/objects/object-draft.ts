import type { FieldSchema, ObjectSchema } from '../../meta/meta-types';
import type { FormDefinition, FullMetaDocument, MetaDocument, ViewDefinition } from '../common/meta-write-api';
import { formWithoutField, formWithRenamedField } from './form-layout';
import { rulesWithoutField } from './form-logic-model';

/** Everything the object editor changes at once: the object, its form and its list views. */
export interface EditorDraft {
  name: string;
  object: ObjectSchema;
  form: FormDefinition | null;
  views: Record<string, ViewDefinition>;
}

export function draftFromDocument(
  doc: Pick<FullMetaDocument, 'objects' | 'forms' | 'views'>,
  name: string,
): EditorDraft | null {
  const object = doc.objects?.[name];
  if (!object) return null;
  const views: Record<string, ViewDefinition> = {};
  for (const [v, def] of Object.entries(doc.views ?? {})) if (def && def.object === name) views[v] = def;
  return { name, object, form: doc.forms?.[name] ?? null, views };
}

/** A new object starts with a required Name field that labels its records. */
export function newObjectDraft(name: string, label: string): EditorDraft {
  return {
    name,
    object: {
      title: label,
      type: 'object',
      'x-label-field': 'name',
      properties: { name: { type: 'string', title: 'Name', maxLength: 200 } },
      required: ['name'],
    },
    form: null,
    views: {},
  };
}

function withProperties(d: EditorDraft, properties: Record<string, FieldSchema>, extra: Partial<ObjectSchema> = {}) {
  return { ...d, object: { ...d.object, properties, ...extra } };
}

export function addField(d: EditorDraft, name: string, field: FieldSchema): EditorDraft {
  return withProperties(d, { ...(d.object.properties ?? {}), [name]: field });
}

export function updateField(d: EditorDraft, name: string, field: FieldSchema): EditorDraft {
  return withProperties(d, { ...(d.object.properties ?? {}), [name]: field });
}

export function isRequired(d: EditorDraft, name: string): boolean {
  return (d.object.required ?? []).includes(name);
}

export function setRequired(d: EditorDraft, name: string, required: boolean): EditorDraft {
  const list = (d.object.required ?? []).filter((r) => r !== name);
  if (required) list.push(name);
  const object = { ...d.object };
  if (list.length) object.required = list;
  else delete object.required;
  return { ...d, object };
}

function mapViews(d: EditorDraft, fn: (v: ViewDefinition) => ViewDefinition): Record<string, ViewDefinition> {
  return Object.fromEntries(Object.entries(d.views).map(([k, v]) => [k, fn(v)]));
}

/**
 * Removes a field and every reference the editor knows of (required, label field, search, form,
 * view columns and sort), so the server's dependency check has nothing left to refuse.
 */
export function removeField(d: EditorDraft, name: string): EditorDraft {
  const { [name]: _gone, ...properties } = d.object.properties ?? {};
  const object: ObjectSchema = { ...d.object, properties };
  const required = (object.required ?? []).filter((r) => r !== name);
  if (required.length) object.required = required;
  else delete object.required;
  if (object['x-label-field'] === name) delete object['x-label-field'];
  if (Array.isArray(object['x-search'])) {
    const search = (object['x-search'] as string[]).filter((s) => s !== name);
    if (search.length) object['x-search'] = search;
    else delete object['x-search'];
  }
  const views = mapViews(d, (v) => {
    const columns = v.columns.filter((c) => c !== name && !c.startsWith(`${name}.`));
    const sort = v.sort?.filter((s) => s.replace(/^-/, '') !== name);
    return { ...v, columns: columns.length ? columns : ['id'], ...(sort ? { sort } : {}) };
  });
  return { ...d, object: rulesWithoutField(object, name), form: d.form ? formWithoutField(d.form, name) : null, views };
}

/**
 * Renames a field, keeping its definition (and so its stable x-id: the server turns it into a
 * column rename, data kept) and its place, and follows every reference the editor knows of.
 */
export function renameField(d: EditorDraft, from: string, to: string): EditorDraft {
  if (from === to) return d;
  const properties: Record<string, FieldSchema> = {};
  for (const [k, v] of Object.entries(d.object.properties ?? {})) properties[k === from ? to : k] = v;
  const swap = (n: string) => (n === from ? to : n);
  const object: ObjectSchema = { ...d.object, properties };
  if (object.required) object.required = object.required.map(swap);
  if (object['x-label-field'] === from) object['x-label-field'] = to;
  if (Array.isArray(object['x-search'])) object['x-search'] = (object['x-search'] as string[]).map(swap);
  const views = mapViews(d, (v) => ({
    ...v,
    columns: v.columns.map((c) => (c === from ? to : c.startsWith(`${from}.`) ? `${to}${c.slice(from.length)}` : c)),
    ...(v.sort ? { sort: v.sort.map((s) => (s.replace(/^-/, '') === from ? s.replace(from, to) : s)) } : {}),
  }));
  return { ...d, object, form: d.form ? formWithRenamedField(d.form, from, to) : null, views };
}

/** Moves a field to a new position in the object's field order (properties key order). */
export function moveField(d: EditorDraft, name: string, toIndex: number): EditorDraft {
  const entries = Object.entries(d.object.properties ?? {});
  const from = entries.findIndex(([k]) => k === name);
  if (from < 0) return d;
  const target = Math.max(0, Math.min(entries.length - 1, toIndex));
  if (target === from) return d;
  const [moved] = entries.splice(from, 1);
  entries.splice(target, 0, moved!);
  return withProperties(d, Object.fromEntries(entries));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The partial document that publishes the draft: only the items that differ from the original
 * (so the plan lists only real changes); removed views are `null`.
 */
export function publishPatch(original: EditorDraft | null, draft: EditorDraft): Partial<MetaDocument> {
  const patch: Partial<MetaDocument> = {};
  if (!original || !same(original.object, draft.object)) patch.objects = { [draft.name]: draft.object };
  if (!same(original?.form, draft.form)) patch.forms = { [draft.name]: draft.form };
  const views: Record<string, ViewDefinition | null> = {};
  for (const [k, v] of Object.entries(draft.views)) if (!same(original?.views[k], v)) views[k] = v;
  for (const k of Object.keys(original?.views ?? {})) if (!(k in draft.views)) views[k] = null;
  if (Object.keys(views).length) patch.views = views;
  return patch;
}

export function isDirty(original: EditorDraft | null, draft: EditorDraft): boolean {
  return Object.keys(publishPatch(original, draft)).length > 0;
}
