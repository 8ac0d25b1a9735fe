import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { fieldKind, labelFieldOf, valueKind } from './field-kind';
import type { FormDoc, RecordForm } from './form-schema';

type Json = Record<string, unknown>;

/** How many key fields the highlights panel shows when the form does not name them. */
export const DEFAULT_HIGHLIGHTS = 4;

export interface ReadSection {
  title: string;
  titleZh?: string;
  fields: string[];
}

function asJson(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The fields the reader can see, in the form's order (`ui:order`, then the rest as defined). */
export function orderedFields(form: RecordForm): string[] {
  // Fields the form rules hide for this record (form-rules-view.ts) are not read either.
  const all = Object.keys(asJson(form.schema.properties) ?? {}).filter(
    (f) => asJson(form.uiSchema[f])?.['ui:ruleHidden'] !== true,
  );
  const order = names(form.uiSchema['ui:order']).filter((f) => all.includes(f));
  return [...order, ...all.filter((f) => !order.includes(f))];
}

/**
 * The stage path's field: the form's `ui:stage` when it names a readable choice field, else a
 * choice field called `stage` or `status`. Undefined when the object has none.
 */
export function stageFieldOf(schema: ObjectSchema, formDoc: FormDoc | undefined, form: RecordForm): string | undefined {
  const visible = orderedFields(form);
  const isChoice = (f: string) => visible.includes(f) && valueKind(schema.properties?.[f] as FieldSchema) === 'select';
  const declared = asJson(formDoc?.uiSchema)?.['ui:stage'];
  if (typeof declared === 'string') return isChoice(declared) ? declared : undefined;
  return ['stage', 'status'].find(isChoice);
}

/**
 * The highlights panel's fields: the form's `ui:highlights` (readable ones, in its order), else the
 * first few plain fields of the layout — not the label (it is the title), not the stage (it has the
 * path), not long text, multi-choices or line items.
 */
export function highlightFields(
  schema: ObjectSchema,
  formDoc: FormDoc | undefined,
  form: RecordForm,
  stage: string | undefined,
): string[] {
  const visible = orderedFields(form);
  const declared = names(asJson(formDoc?.uiSchema)?.['ui:highlights']);
  if (declared.length) return declared.filter((f) => visible.includes(f));
  const label = labelFieldOf(schema);
  return visible
    .filter((f) => {
      const def = schema.properties?.[f];
      if (!def || f === label || f === stage) return false;
      const kind = fieldKind(def);
      return kind !== 'children' && kind !== 'textarea' && valueKind(def) !== 'multiselect';
    })
    .slice(0, DEFAULT_HIGHLIGHTS);
}

/**
 * The read view's sections: the form's `layout` ([{title, fields}], as core-crm writes it), else the
 * form designer's `ui:layout.sections`, else one untitled section. Fields the reader cannot see are
 * left out, and fields no section names are gathered at the end, so nothing readable is hidden.
 */
export function readSections(formDoc: FormDoc | undefined, form: RecordForm): ReadSection[] {
  const visible = orderedFields(form);
  const raw = Array.isArray(formDoc?.layout)
    ? formDoc.layout
    : (asJson(asJson(form.uiSchema['ui:layout'])?.sections) ?? asJson(form.uiSchema['ui:layout'])?.sections);
  const sections: ReadSection[] = (Array.isArray(raw) ? raw : []).flatMap((s) => {
    const r = asJson(s);
    if (!r) return [];
    const fields = names(r.fields).filter((f) => visible.includes(f));
    if (!fields.length) return [];
    return [
      {
        title: typeof r.title === 'string' ? r.title : '',
        ...(typeof r.titleZh === 'string' ? { titleZh: r.titleZh } : {}),
        fields,
      },
    ];
  });
  const placed = new Set(sections.flatMap((s) => s.fields));
  const rest = visible.filter((f) => !placed.has(f));
  if (rest.length) sections.push({ title: '', fields: rest });
  return sections;
}
