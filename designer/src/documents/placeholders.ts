import { fieldLabel, objectLabel } from '../i18n/pick-label';
import type { AppMeta, FieldSchema, ObjectSchema } from '../meta/meta-types';
import { fieldKind, valueKind } from '../records/field-kind';

/** One entry of the field picker: what the admin reads and what it inserts into the template. */
export interface PickerItem {
  label: string;
  /** The placeholder, in the template's syntax. */
  insert: string;
}

export interface PickerGroup {
  /** `fields`: the object's own; `lookup`: a lookup's target; `lines`: a line-item object. */
  kind: 'fields' | 'lookup' | 'lines';
  /** The field the group hangs on (a lookup or line-item field); empty for the object's own. */
  field: string;
  title: string;
  items: PickerItem[];
}

const SYSTEM = new Set(['id', 'version', 'deleted_at', 'approval_status', 'created_by', 'updated_by']);

/** Fields a template may print: readable data fields of the object, in their order (no system ids). */
function printable(schema: ObjectSchema | undefined): [string, FieldSchema][] {
  return Object.entries(schema?.properties ?? {}).filter(([name]) => !SYSTEM.has(name));
}

/** `{{amount}}`, with the formatting helpers for dates and numbers (`{{date due_on}}`, `{{number amount 2}}`). */
export function placeholderFor(path: string, f: FieldSchema | undefined): string {
  const kind = f ? valueKind(f) : 'text';
  if (kind === 'date' || kind === 'datetime') return `{{date ${path}}}`;
  if (kind === 'currency' || kind === 'number' || kind === 'percent') return `{{number ${path} 2}}`;
  return `{{${path}}}`;
}

/**
 * The field picker of a print template for `object`: its fields; for each lookup, the lookup's
 * name and its target's fields (`{{account.city}}`); for each line-item field, a loop and the line
 * object's fields inside it (`{{#each lines}}…{{product.name}}…{{/each}}`), a line's lookups included.
 */
export function pickerGroups(meta: AppMeta, object: string, lang: string): PickerGroup[] {
  const schema = meta.objects[object];
  const own: PickerItem[] = [];
  const groups: PickerGroup[] = [];
  for (const [name, f] of printable(schema)) {
    const kind = fieldKind(f);
    const label = fieldLabel(schema, name, lang);
    if (kind === 'children') {
      const child = (f['x-children'] as { object?: string; field?: string } | undefined) ?? {};
      const lineSchema = meta.objects[child.object ?? ''];
      const items: PickerItem[] = [{ label, insert: `{{#each ${name}}}\n\n{{/each}}` }];
      for (const [ln, lf] of printable(lineSchema)) {
        if (ln === child.field || fieldKind(lf) === 'children') continue;
        const lineLabel = fieldLabel(lineSchema, ln, lang);
        items.push({ label: lineLabel, insert: placeholderFor(ln, lf) });
        const target = typeof lf['x-ref'] === 'string' ? meta.objects[lf['x-ref']] : undefined;
        if (target)
          for (const [tn, tf] of printable(target))
            if (fieldKind(tf) !== 'children')
              items.push({
                label: `${lineLabel} · ${fieldLabel(target, tn, lang)}`,
                insert: placeholderFor(`${ln}.${tn}`, tf),
              });
      }
      groups.push({ kind: 'lines', field: name, title: label, items });
      continue;
    }
    own.push({ label, insert: placeholderFor(name, f) });
    const ref = f['x-ref'];
    const target = typeof ref === 'string' ? meta.objects[ref] : undefined;
    const targetLabel = target && ref ? objectLabel(ref, target, lang) : '';
    if (target && ref)
      groups.push({
        kind: 'lookup',
        field: name,
        // "Customer (Customer)" says nothing twice; "Bill to (Customer)" says where its fields come from.
        title: targetLabel === label ? label : `${label} (${targetLabel})`,
        items: printable(target)
          .filter(([, tf]) => fieldKind(tf) !== 'children')
          .map(([tn, tf]) => ({ label: fieldLabel(target, tn, lang), insert: placeholderFor(`${name}.${tn}`, tf) })),
      });
  }
  return [{ kind: 'fields', field: '', title: objectLabel(object, schema, lang), items: own }, ...groups];
}

/**
 * Inserts `text` at the selection of `value` (replacing it); answers the new value and caret. A
 * loop's caret goes on its empty middle line, so the next fields picked land inside it.
 */
export function insertAt(value: string, start: number, end: number, text: string): { value: string; caret: number } {
  const s = Math.max(0, Math.min(start, value.length));
  const e = Math.max(s, Math.min(end, value.length));
  const inner = text.indexOf('\n\n');
  return { value: value.slice(0, s) + text + value.slice(e), caret: s + (inner >= 0 ? inner + 1 : text.length) };
}
