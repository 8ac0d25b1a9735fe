import type { ObjectSchema } from '../../meta/meta-types';
import type { FormDefinition } from '../common/meta-write-api';

type Json = Record<string, unknown>;

/**
 * A form layout as the designer edits it. It lives in the form's uiSchema so that the end-user
 * form (records/record-form.tsx) needs nothing else: `ui:layout` holds the sections, `ui:order`
 * the flattened field order, and each field's own entry its widget, help text and `ui:visibleIf`.
 */
export interface LayoutSection {
  title: string;
  titleZh?: string;
  columns: 1 | 2;
  fields: string[];
}

export interface FieldUi {
  widget?: string;
  help?: string;
  /** Shown only while this other field has a value. */
  visibleIf?: string;
}

function asJson(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** Fields a form can show: everything but line items (they have their own related list). */
export function formFields(object: ObjectSchema): string[] {
  return Object.entries(object.properties ?? {})
    .filter(([, f]) => !f['x-children'])
    .map(([n]) => n);
}

export function emptyForm(objectName: string): FormDefinition {
  return { object: objectName, uiSchema: {} };
}

/**
 * The sections of a form: from `ui:layout` when present, else one section in `ui:order` (then
 * field) order. Unknown fields are dropped, fields in no section join the last one, so the
 * layout always shows every field exactly once.
 */
export function layoutOf(form: FormDefinition | null, object: ObjectSchema): LayoutSection[] {
  const all = formFields(object);
  const known = new Set(all);
  const ui = form?.uiSchema ?? {};
  const raw = asJson(ui['ui:layout'])?.sections;
  const seen = new Set<string>();
  const sections: LayoutSection[] = [];
  if (Array.isArray(raw)) {
    for (const s of raw) {
      const r = asJson(s);
      if (!r) continue;
      const fields: string[] = [];
      for (const f of Array.isArray(r.fields) ? r.fields : []) {
        if (typeof f !== 'string' || !known.has(f) || seen.has(f)) continue;
        seen.add(f);
        fields.push(f);
      }
      sections.push({
        title: typeof r.title === 'string' ? r.title : '',
        ...(typeof r.titleZh === 'string' && r.titleZh ? { titleZh: r.titleZh } : {}),
        columns: r.columns === 2 ? 2 : 1,
        fields,
      });
    }
  }
  if (sections.length === 0) {
    const order = Array.isArray(ui['ui:order']) ? (ui['ui:order'] as unknown[]) : [];
    const fields: string[] = [];
    for (const f of order) {
      if (typeof f !== 'string' || !known.has(f) || seen.has(f)) continue;
      seen.add(f);
      fields.push(f);
    }
    sections.push({ title: '', columns: 1, fields });
  }
  const rest = all.filter((f) => !seen.has(f));
  sections[sections.length - 1]!.fields.push(...rest);
  return sections;
}

/** Writes sections back: one untitled single-column section needs no `ui:layout`, just the order. */
export function withLayout(form: FormDefinition, sections: LayoutSection[]): FormDefinition {
  const uiSchema: Json = { ...form.uiSchema };
  const order = [...new Set(sections.flatMap((s) => s.fields))];
  uiSchema['ui:order'] = [...order, '*'];
  const plain = sections.length === 1 && !sections[0]!.title && !sections[0]!.titleZh && sections[0]!.columns === 1;
  if (plain) delete uiSchema['ui:layout'];
  else
    uiSchema['ui:layout'] = {
      sections: sections.map((s) => ({
        title: s.title,
        ...(s.titleZh ? { titleZh: s.titleZh } : {}),
        columns: s.columns,
        fields: s.fields,
      })),
    };
  return { ...form, uiSchema };
}

export function fieldUiOf(form: FormDefinition | null, field: string): FieldUi {
  const entry = asJson(form?.uiSchema?.[field]) ?? {};
  const visibleIf = asJson(entry['ui:visibleIf'])?.field;
  return {
    ...(typeof entry['ui:widget'] === 'string' ? { widget: entry['ui:widget'] } : {}),
    ...(typeof entry['ui:help'] === 'string' ? { help: entry['ui:help'] } : {}),
    ...(typeof visibleIf === 'string' ? { visibleIf } : {}),
  };
}

/** Sets a field's widget, help and condition; an entry left empty is removed. */
export function withFieldUi(form: FormDefinition, field: string, ui: FieldUi): FormDefinition {
  const entry: Json = { ...(asJson(form.uiSchema[field]) ?? {}) };
  const set = (k: string, v: unknown) => {
    if (v === undefined || v === '') delete entry[k];
    else entry[k] = v;
  };
  set('ui:widget', ui.widget);
  set('ui:help', ui.help);
  set('ui:visibleIf', ui.visibleIf ? { field: ui.visibleIf } : undefined);
  const uiSchema: Json = { ...form.uiSchema };
  if (Object.keys(entry).length) uiSchema[field] = entry;
  else delete uiSchema[field];
  return { ...form, uiSchema };
}

/** Removes every trace of a field from a form (its entry, the order, sections, conditions on it). */
export function formWithoutField(form: FormDefinition, field: string): FormDefinition {
  const uiSchema: Json = {};
  for (const [k, v] of Object.entries(form.uiSchema)) {
    if (k === field) continue;
    if (k === 'ui:order' && Array.isArray(v)) uiSchema[k] = v.filter((f) => f !== field);
    else if (k === 'ui:layout') {
      const sections = asJson(v)?.sections;
      uiSchema[k] = {
        sections: (Array.isArray(sections) ? sections : []).map((s) => {
          const r = asJson(s) ?? {};
          return { ...r, fields: (Array.isArray(r.fields) ? r.fields : []).filter((f) => f !== field) };
        }),
      };
    } else {
      const entry = asJson(v);
      if (!k.startsWith('ui:') && entry && asJson(entry['ui:visibleIf'])?.field === field) {
        const { 'ui:visibleIf': _gone, ...rest } = entry;
        if (Object.keys(rest).length) uiSchema[k] = rest;
      } else uiSchema[k] = v;
    }
  }
  return { ...form, uiSchema };
}

/** Renames a field everywhere in a form. */
export function formWithRenamedField(form: FormDefinition, from: string, to: string): FormDefinition {
  const rename = (f: unknown) => (f === from ? to : f);
  const uiSchema: Json = {};
  for (const [k, v] of Object.entries(form.uiSchema)) {
    if (k === 'ui:order' && Array.isArray(v)) uiSchema[k] = v.map(rename);
    else if (k === 'ui:layout') {
      const sections = asJson(v)?.sections;
      uiSchema[k] = {
        sections: (Array.isArray(sections) ? sections : []).map((s) => {
          const r = asJson(s) ?? {};
          return { ...r, fields: (Array.isArray(r.fields) ? r.fields : []).map(rename) };
        }),
      };
    } else {
      const entry = asJson(v);
      const cond = entry ? asJson(entry['ui:visibleIf']) : undefined;
      const value = cond?.field === from ? { ...entry, 'ui:visibleIf': { field: to } } : v;
      uiSchema[k === from ? to : k] = value;
    }
  }
  return { ...form, uiSchema };
}

/** Widgets an admin may choose per field kind ('' = the kind's own). Only @rjsf's standard widgets. */
export const WIDGET_CHOICES: Partial<Record<string, string[]>> = {
  text: ['text', 'textarea'],
  textarea: ['textarea', 'text'],
  select: ['select', 'radio'],
  multiselect: ['checkboxes', 'select'],
  boolean: ['checkbox', 'radio', 'select'],
  integer: ['updown', 'text'],
  number: ['updown', 'text'],
};
