import { enumLabel } from '../i18n/pick-label';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { type FilterOp, operatorsFor, valueKind } from './field-kind';

/** The records API's filter language (shared/API.md): field → {op: value}, and/or combinators. */
export type ApiFilter = { [field: string]: unknown };

/** One line of the filter builder, as the user typed it. */
export interface FilterRow {
  field: string;
  op: FilterOp;
  /** Raw text from the input (lists are comma-separated); converted per field kind on apply. */
  value: string;
}

export interface FilterProblem {
  index: number;
  message: 'unknownField' | 'badOperator' | 'needsValue' | 'notANumber' | 'notABoolean';
}

/** The values of an "is one of" row: comma-separated, blanks dropped. */
export function splitValues(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A picklist value from what the user may have typed: the stored value, or one of its labels
 * (`Retail`, `零售`, any case), so a filter matches what people see, not only internal values.
 */
function enumValueOf(f: FieldSchema, text: string): string {
  const values = (f.enum ?? []).map(String);
  if (values.includes(text)) return text;
  const wanted = text.toLocaleLowerCase();
  for (const lang of LABEL_LANGS)
    for (const v of values) if (enumLabel(f, v, lang).toLocaleLowerCase() === wanted) return v;
  return values.find((v) => v.toLocaleLowerCase() === wanted) ?? text;
}

const LABEL_LANGS = ['en', 'zh-CN'];

function convertOne(f: FieldSchema, raw: string): unknown {
  const kind = valueKind(f);
  const text = raw.trim();
  if (Array.isArray(f.enum) && f.enum.every((v) => typeof v === 'string')) return enumValueOf(f, text);
  if (kind === 'number' || kind === 'currency' || kind === 'percent' || kind === 'integer') {
    const n = Number(text);
    return text === '' || !Number.isFinite(n) ? Number.NaN : n;
  }
  if (kind === 'boolean') {
    if (/^(true|yes|1|是)$/i.test(text)) return true;
    if (/^(false|no|0|否)$/i.test(text)) return false;
    return undefined;
  }
  return text;
}

/**
 * Turns builder rows into an API filter, AND-ing them; rows with problems are reported, not sent.
 * Two rows on one field go through `and` so neither overwrites the other.
 */
export function toApiFilter(
  rows: FilterRow[],
  schema: ObjectSchema,
): { filter: ApiFilter | undefined; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const clauses: ApiFilter[] = [];
  for (const [index, row] of rows.entries()) {
    const f = schema.properties?.[row.field];
    if (!f) {
      problems.push({ index, message: 'unknownField' });
      continue;
    }
    if (!operatorsFor(f).includes(row.op)) {
      problems.push({ index, message: 'badOperator' });
      continue;
    }
    if (row.op === 'isNull') {
      clauses.push({ [row.field]: { isNull: row.value.trim() !== 'false' } });
      continue;
    }
    if (!row.value.trim()) {
      problems.push({ index, message: 'needsValue' });
      continue;
    }
    let value: unknown;
    if (row.op === 'in' || row.op === 'nin') {
      value = splitValues(row.value).map((s) => convertOne(f, s));
    } else value = convertOne(f, row.value);
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'number' && Number.isNaN(v))) problems.push({ index, message: 'notANumber' });
    else if (values.some((v) => v === undefined)) problems.push({ index, message: 'notABoolean' });
    else clauses.push({ [row.field]: { [row.op]: value } });
  }
  if (clauses.length === 0) return { filter: undefined, problems };
  const fields = clauses.map((c) => Object.keys(c)[0]);
  const unique = new Set(fields).size === fields.length;
  const filter = clauses.length === 1 ? clauses[0] : unique ? Object.assign({}, ...clauses) : { and: clauses };
  return { filter, problems };
}

/** ANDs a view's saved filter with the user's, keeping each intact. */
export function andFilters(...filters: Array<ApiFilter | undefined>): ApiFilter | undefined {
  const present = filters.filter((f): f is ApiFilter => !!f && Object.keys(f).length > 0);
  if (present.length <= 1) return present[0];
  return { and: present };
}
