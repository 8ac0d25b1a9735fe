import type { FieldSchema, ObjectSchema } from '../meta/meta-types';

/** Fields a rep can type on the phone: no system, computed, line-item or file fields. */
export function editableFields(schema: ObjectSchema | undefined): Array<[string, FieldSchema]> {
  return Object.entries(schema?.properties ?? {}).filter(([, f]) => {
    if (f['x-formula'] || f['x-autonumber'] || f['x-rollup'] || f['x-children'] || f.readOnly === true) return false;
    const type = Array.isArray(f.type) ? f.type.find((t) => t !== 'null') : f.type;
    if (type === 'array') return Array.isArray((f.items as FieldSchema | undefined)?.enum);
    return type === 'string' || type === 'number' || type === 'integer' || type === 'boolean';
  });
}

export type InputKind =
  | 'text'
  | 'textarea'
  | 'number'
  | 'date'
  | 'datetime'
  | 'select'
  | 'multi'
  | 'checkbox'
  | 'lookup';

export function inputKind(f: FieldSchema): InputKind {
  const type = Array.isArray(f.type) ? f.type.find((t) => t !== 'null') : f.type;
  if (f['x-ref']) return 'lookup';
  if (type === 'array') return 'multi';
  if (Array.isArray(f.enum)) return 'select';
  if (type === 'boolean') return 'checkbox';
  if (type === 'number' || type === 'integer') return 'number';
  if (f.format === 'date') return 'date';
  if (f.format === 'date-time') return 'datetime';
  if (f['x-kind'] === 'textarea' || (typeof f.maxLength === 'number' && f.maxLength > 500)) return 'textarea';
  return 'text';
}

/** A typed value from a form control's text ('' is no value). */
export function parseInput(f: FieldSchema, raw: string | boolean | string[]): unknown {
  const kind = inputKind(f);
  if (kind === 'checkbox') return raw === true;
  if (kind === 'multi') return raw;
  if (raw === '' || raw === false) return null;
  if (kind === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  if (kind === 'datetime') return new Date(String(raw)).toISOString();
  return raw;
}

/** The control's text for a stored value. */
export function inputText(f: FieldSchema, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (inputKind(f) === 'datetime') {
    const d = new Date(String(value));
    if (Number.isNaN(d.getTime())) return '';
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  return String(value);
}
