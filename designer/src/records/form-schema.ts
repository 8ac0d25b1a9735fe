import type { FormRule } from '@forma/metadata/form-rules';
import { isScaleSpec } from './widgets/scale-widget-spec';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { enumLabel, fieldLabel, pickLabel } from '../i18n/pick-label';
import { fieldKind, isComputed, valueKind } from './field-kind';
import { liveComputer } from './live-computed';

type Json = Record<string, unknown>;

/** A line-items field (`x-children`) edited as a grid inside the parent's form. */
export interface LineItemsSpec {
  /** The child object and its lookup back to the parent (filled in by the server). */
  object: string;
  parent: string;
  /** Child fields shown as columns, in order (the form's `ui:options.columns` may narrow them). */
  columns: string[];
  /** Child fields a row may send; computed and read-only ones are shown, never sent. */
  writable: string[];
}

/** What @rjsf needs for one object's form, plus which fields the user may send. */
export interface RecordForm {
  schema: Json;
  uiSchema: Json;
  /** Fields the form may write (not computed, not read-only by field security). */
  writable: string[];
  /** Line-items fields by name (only when the child object is readable). */
  lineItems: Record<string, LineItemsSpec>;
  /** The computed fields the browser can work out as the user types (live-computed.ts), if any. */
  live?: (data: Json) => Json;
  /** The object's form rules (x-form-rules): applied as the user types (form-rules-view.ts). */
  rules?: FormRule[];
}

/** The grid of a line-items field, or undefined when the user may not see the child object. */
export function lineItemsSpec(
  f: FieldSchema,
  objects: Record<string, ObjectSchema> | undefined,
): LineItemsSpec | undefined {
  const link = f['x-children'] as { object?: unknown; field?: unknown } | undefined;
  if (!link || typeof link.object !== 'string' || typeof link.field !== 'string') return undefined;
  const child = objects?.[link.object];
  if (!child) return undefined;
  const columns: string[] = [];
  const writable: string[] = [];
  for (const [name, cf] of Object.entries(child.properties ?? {})) {
    if (name === link.field || accessOf(cf) === 'none' || fieldKind(cf) === 'children') continue;
    columns.push(name);
    if (!isComputed(cf) && accessOf(cf) === 'edit') writable.push(name);
  }
  return { object: link.object, parent: link.field, columns, writable };
}

export interface FormDoc {
  uiSchema?: unknown;
  layout?: unknown;
}

/** JSON Schema keywords the form validator understands; the `x-` vocabulary stays out of ajv's way. */
const KEEP = [
  'type',
  'format',
  'enum',
  'items',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'default',
] as const;

function cleanField(f: FieldSchema): Json {
  const out: Json = {};
  for (const k of KEEP) if (f[k] !== undefined) out[k] = f[k];
  if (out.items && typeof out.items === 'object') {
    const items: Json = {};
    for (const k of KEEP) {
      const v = (out.items as Json)[k];
      if (v !== undefined) items[k] = v;
    }
    out.items = items;
    out.uniqueItems = true;
  }
  return out;
}

/** Field security as the metadata view may carry it: `x-access` (none/read/edit) or `readOnly`. */
export function accessOf(f: FieldSchema): 'none' | 'read' | 'edit' {
  const a = f['x-access'];
  if (a === 'none' || a === 'read') return a;
  return f.readOnly === true ? 'read' : 'edit';
}

/**
 * The object's JSON Schema and the form metadata's uiSchema, turned into a form in the user's
 * language: labels from x-i18n, a widget per field kind, computed and read-only fields locked,
 * hidden fields left out. The form's own uiSchema wins over the generated one, key by key.
 */
export function buildRecordForm(
  object: ObjectSchema,
  form: FormDoc | undefined,
  lang: string,
  objects?: Record<string, ObjectSchema>,
  /** The record being edited: its retired choices stay offered to it, and only to it. */
  record?: Json,
): RecordForm {
  const properties: Json = {};
  const uiSchema: Json = {};
  const writable: string[] = [];
  const lineItems: Record<string, LineItemsSpec> = {};
  for (const [name, f] of Object.entries(object.properties ?? {})) {
    const kind = fieldKind(f);
    const access = accessOf(f);
    if (access === 'none') continue;
    if (kind === 'children') {
      const spec = lineItemsSpec(f, objects);
      if (!spec) continue;
      lineItems[name] = spec;
      // Rows are checked by the server, each through the child object's own rules.
      properties[name] = { type: 'array', title: fieldLabel(object, name, lang), items: { type: 'object' } };
      uiSchema[name] = {
        'ui:field': 'lineItems',
        'ui:lineItems': spec,
        ...(access === 'read' ? { 'ui:readonly': true } : {}),
      };
      if (access === 'edit') writable.push(name);
      continue;
    }
    const prop = cleanField(f);
    prop.title = fieldLabel(object, name, lang);
    const description = pickLabel(f, lang, 'description');
    if (description) prop.description = description;
    const ui: Json = {};
    const locked = isComputed(f) || access === 'read';
    if (locked) {
      ui['ui:readonly'] = true;
      prop.readOnly = true;
      // Computed values are the server's: a default would only mislead.
      delete prop.default;
    } else writable.push(name);
    // Retired options (x-enum-retired) are no new choice; a record that has one keeps seeing it.
    const retired = (f['x-enum-retired'] ?? []) as string[];
    const current = record?.[name];
    const has = (v: unknown) => (Array.isArray(current) ? current.includes(v) : current === v);
    const offered = (values: unknown[] | undefined) =>
      (values ?? []).filter((v) => !retired.includes(String(v)) || has(v));
    switch (valueKind(f)) {
      case 'select':
        if (retired.length) prop.enum = offered(f.enum);
        ui['ui:enumNames'] = ((prop.enum as unknown[] | undefined) ?? []).map((v) => enumLabel(f, String(v), lang));
        break;
      case 'multiselect': {
        ui['ui:widget'] = 'checkboxes';
        ui['ui:options'] = { inline: true };
        const items = (f.items ?? {}) as FieldSchema;
        const i18n = f['x-i18n'] ?? items['x-i18n'];
        const values = retired.length ? offered(items.enum) : (items.enum ?? []);
        if (retired.length && prop.items) (prop.items as Json).enum = values;
        ui.items = {
          'ui:enumNames': values.map((v) =>
            enumLabel({ ...items, ...(i18n ? { 'x-i18n': i18n } : {}) }, String(v), lang),
          ),
        };
        break;
      }
      case 'textarea':
        ui['ui:widget'] = 'textarea';
        ui['ui:options'] = { rows: 4 };
        break;
      case 'currency':
      case 'percent':
        ui['ui:widget'] = valueKind(f);
        break;
      case 'lookup':
        ui['ui:widget'] = 'lookup';
        ui['ui:options'] = { ref: f['x-ref'], ...(f['x-lookup-filter'] ? { filter: f['x-lookup-filter'] } : {}) };
        break;
      case 'boolean':
        ui['ui:widget'] = 'checkbox';
        break;
    }
    // A plugin kind's widget, described as data by the server (the app runs no plugin code).
    if (isScaleSpec(f['x-widget'])) {
      ui['ui:widget'] = 'scale';
      ui['ui:options'] = { scale: f['x-widget'] };
    }
    if (kind === 'formula' || kind === 'autonumber' || kind === 'rollup' || kind === 'computed')
      ui['ui:help'] = 'computed';
    properties[name] = prop;
    uiSchema[name] = ui;
  }
  const required = (object.required ?? []).filter((r) => writable.includes(r));
  const custom = (form?.uiSchema && typeof form.uiSchema === 'object' ? form.uiSchema : {}) as Json;
  for (const [k, v] of Object.entries(custom)) {
    if (k.startsWith('ui:')) uiSchema[k] = v;
    else if (k in properties && v && typeof v === 'object')
      uiSchema[k] = {
        ...(uiSchema[k] as Json),
        ...(v as Json),
        ...(properties[k] && (properties[k] as Json).readOnly ? { 'ui:readonly': true } : {}),
      };
  }
  if (Array.isArray(uiSchema['ui:order'])) {
    // rjsf refuses an order naming fields the user cannot see; keep the known ones and the rest after.
    const order = (uiSchema['ui:order'] as unknown[]).filter(
      (k): k is string => typeof k === 'string' && k in properties,
    );
    uiSchema['ui:order'] = [...order, '*'];
  }
  const live = objects ? liveComputer(objects, object) : undefined;
  const rules = Array.isArray(object['x-form-rules']) ? (object['x-form-rules'] as FormRule[]) : [];
  return {
    schema: { type: 'object', properties, required },
    uiSchema,
    writable,
    lineItems,
    ...(live ? { live } : {}),
    ...(rules.length ? { rules } : {}),
  };
}

/** Line rows as the API takes them: the id (to update) and the fields a row may write, nothing empty. */
export function lineRowsPayload(rows: unknown, spec: LineItemsSpec): Json[] {
  if (!Array.isArray(rows)) return [];
  return rows
    .filter((r): r is Json => !!r && typeof r === 'object')
    .map((r) => {
      const out: Json = {};
      if (typeof r.id === 'string') out.id = r.id;
      for (const f of spec.writable) if (r[f] !== undefined && r[f] !== '' && r[f] !== null) out[f] = r[f];
      return out;
    });
}

/** A record as form data: nulls dropped (the form treats "absent" as empty), only shown fields. */
export function toFormData(record: Json | undefined, form: RecordForm): Json {
  const out: Json = {};
  const props = form.schema.properties as Json;
  for (const [k, v] of Object.entries(record ?? {})) if (k in props && v !== null && v !== undefined) out[k] = v;
  return out;
}

/**
 * What to send: on create every writable field with a value; on update only the changed ones,
 * a cleared field as null (so the server empties it rather than ignoring it).
 */
export function payloadOf(data: Json, form: RecordForm, original?: Json): Json {
  const out: Json = {};
  for (const name of form.writable) {
    const spec = form.lineItems?.[name];
    if (spec) {
      const next = lineRowsPayload(data[name], spec);
      if (!original ? next.length > 0 : JSON.stringify(lineRowsPayload(original[name], spec)) !== JSON.stringify(next))
        out[name] = next;
      continue;
    }
    const next = data[name] === '' ? undefined : data[name];
    if (!original) {
      if (next !== undefined) out[name] = next;
      continue;
    }
    const before = original[name] ?? undefined;
    if (JSON.stringify(before) !== JSON.stringify(next)) out[name] = next ?? null;
  }
  return out;
}

/**
 * Server field errors (`{field: message}`) as @rjsf extraErrors; unknown keys go to the form root.
 * A line item's error (`lines.2.quantity`) lands on its field, worded by `describeRow`.
 */
export function extraErrorsOf(
  fields: Record<string, string> | undefined,
  form: RecordForm,
  describeRow: (field: string, row: number, column: string, message: string) => string = (_f, row, column, m) =>
    `${row + 1} ${column}: ${m}`,
): Json | undefined {
  if (!fields) return undefined;
  const props = form.schema.properties as Json;
  const out: Json = {};
  const root: string[] = [];
  for (const [k, msg] of Object.entries(fields)) {
    const [name = k, row, column] = k.replace(/^\//, '').split(/[/.]/);
    const text =
      form.lineItems?.[name] && row !== undefined && /^\d+$/.test(row)
        ? describeRow(name, Number(row), column ?? '', msg)
        : msg;
    if (name in props) {
      const prev = (out[name] as { __errors: string[] } | undefined)?.__errors ?? [];
      out[name] = { __errors: [...prev, text] };
    } else root.push(msg);
  }
  if (root.length) out.__errors = root;
  return out;
}

/**
 * The server's field errors that still apply after an edit: an error leaves as soon as the user
 * changes its field (`amount`, or any `lines.1.quantity` of a changed `lines`), so a fixed value
 * never keeps a stale message under it. Errors of untouched fields and form-level ones stay.
 */
export function clearChangedFieldErrors(
  fields: Record<string, string> | undefined,
  before: Json,
  after: Json,
): Record<string, string> | undefined {
  if (!fields) return fields;
  const out: Record<string, string> = {};
  let changed = false;
  for (const [k, msg] of Object.entries(fields)) {
    const name = k.replace(/^\//, '').split(/[/.]/)[0] ?? k;
    if (name && JSON.stringify(before[name] ?? null) !== JSON.stringify(after[name] ?? null)) changed = true;
    else out[k] = msg;
  }
  if (!changed) return fields;
  return Object.keys(out).length ? out : undefined;
}
