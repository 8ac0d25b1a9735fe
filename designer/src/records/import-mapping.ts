import Papa from 'papaparse';
import { fieldLabel } from '../i18n/pick-label';
import type { ObjectSchema } from '../meta/meta-types';
import { isComputed } from './field-kind';
import type { ImportReport } from './records-api';

export interface ParsedCsv {
  columns: string[];
  rows: Array<Record<string, string>>;
}

/** Reads a CSV with a header row (comma or semicolon, detected); rejects a file without data rows. */
export function parseCsv(text: string): ParsedCsv {
  const result = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const fatal = result.errors.find((e) => e.type === 'Delimiter' && result.data.length === 0);
  if (fatal) throw new Error(fatal.message);
  const columns = (result.meta.fields ?? []).filter((c) => c !== '');
  return { columns, rows: result.data };
}

const norm = (s: string) => s.toLowerCase().replace(/[\s_\-.]+/g, '');

/** Fields an import may fill: everything but computed fields and line items. */
export function importableFields(schema: ObjectSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, f]) => !isComputed(f) && !f['x-children'] && f['x-access'] !== 'none' && f['x-access'] !== 'read')
    .map(([name]) => name);
}

/** A first guess: a column maps to the field whose name or label (in any of the given languages) matches. */
export function guessMapping(columns: string[], schema: ObjectSchema, langs: string[]): Record<string, string> {
  const fields = importableFields(schema);
  const byKey = new Map<string, string>();
  for (const f of fields) {
    byKey.set(norm(f), f);
    for (const l of langs) byKey.set(norm(fieldLabel(schema, f, l)), f);
  }
  const used = new Set<string>();
  const out: Record<string, string> = {};
  for (const c of columns) {
    const f = byKey.get(norm(c));
    if (f && !used.has(f)) {
      out[c] = f;
      used.add(f);
    }
  }
  return out;
}

/** The CSV the server receives: only mapped columns, renamed to their field names. */
export function mappedCsv(parsed: ParsedCsv, mapping: Record<string, string>): string {
  const pairs = parsed.columns.filter((c) => mapping[c]).map((c) => [c, mapping[c]!] as const);
  const data = parsed.rows.map((r) => pairs.map(([c]) => r[c] ?? ''));
  return Papa.unparse({ fields: pairs.map(([, f]) => f), data });
}

/** A failed row's problems as lines of text, whatever shape the server used. */
export function rowProblems(errors: ImportReport['failed'][number]['errors']): string[] {
  if (typeof errors === 'string') return [errors];
  if (Array.isArray(errors)) return errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
  if (errors && typeof errors === 'object')
    return Object.entries(errors).map(([k, v]) => (k ? `${k}: ${String(v)}` : String(v)));
  return [];
}
