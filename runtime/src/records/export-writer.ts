/**
 * Writes exported records as CSV (csv-stringify) or XLSX (exceljs' streaming workbook writer) while
 * they are read, so an export of any size holds one page in memory. The CSV cell forms are the ones
 * the import reads back (import-coerce.ts): an exported file re-imports unchanged.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type ExcelJS from 'exceljs';
import { excel } from '../lazy-module';
import type { FieldModel } from '../model/load-model';
import { escapeFormula } from './csv-formula-escape';
import { MULTI_SEPARATOR } from './import-coerce';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportColumn {
  name: string;
  field: FieldModel;
  /** The header cell (default: the field name, which the import reads back). */
  header?: string;
  /** The cell's value from the row (default: `row[name]`): a lookup's label, say. */
  value?: (row: RecordRow) => unknown;
}

const cellOf = (c: ExportColumn, row: RecordRow) => (c.value ? c.value(row) : row[c.name]);

export type RecordRow = Record<string, unknown>;

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The CSV text of one value: empty for no value, `a;b` for multi-select, ISO 8601 for instants. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => String(v)).join(MULTI_SEPARATOR);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * XLSX cells are typed (numbers, booleans, dates); text is always a string cell (never a formula
 * cell), so a value starting with `=` is never run as a formula. CSV text cells that a spreadsheet
 * would run are written with a `'` in front (csv-formula-escape.ts) unless the export asks otherwise.
 */
function xlsxCell(field: FieldModel, value: unknown): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (field.resultKind === 'date' && typeof value === 'string') {
    const d = new Date(`${value}T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? value : d;
  }
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(String).join(MULTI_SEPARATOR);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface ExportWriteOptions {
  /** CSV: prefix text cells a spreadsheet would run as a formula with `'` (default true). */
  escapeFormulas?: boolean;
}

export function writeExport(
  format: ExportFormat,
  columns: readonly ExportColumn[],
  rows: AsyncIterable<RecordRow[]>,
  opts: ExportWriteOptions = {},
): Readable {
  return format === 'csv' ? writeCsv(columns, rows, opts.escapeFormulas !== false) : writeXlsx(columns, rows);
}

/** Numbers and booleans are written by us, never as text a spreadsheet could read as a formula. */
const NOT_TEXT = new Set(['number', 'integer', 'boolean']);

function writeCsv(
  columns: readonly ExportColumn[],
  pages: AsyncIterable<RecordRow[]>,
  escapeFormulas: boolean,
): Readable {
  // A bare CR is a line break to many readers: cells holding one are quoted like those holding a LF.
  const out = stringify({
    header: true,
    columns: columns.map((c) => c.header ?? c.name),
    record_delimiter: '\n',
    quoted_match: /\r/,
  });
  const escaped = columns.map((c) => escapeFormulas && !NOT_TEXT.has(String(c.field.valueSchema.type)));
  async function* cells() {
    for await (const page of pages) {
      for (const row of page)
        yield columns.map((c, i) => {
          const cell = csvCell(cellOf(c, row));
          return escaped[i] ? escapeFormula(cell) : cell;
        });
    }
  }
  const body = new PassThrough();
  pipeline(cells(), out, body).catch((e) => body.destroy(e as Error));
  return body;
}

function writeXlsx(columns: readonly ExportColumn[], pages: AsyncIterable<RecordRow[]>): Readable {
  const body = new PassThrough();
  const workbook = new (excel().stream.xlsx.WorkbookWriter)({ stream: body, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Export');
  sheet.columns = columns.map((c, i) => ({
    header: c.header ?? c.name,
    key: `c${i}`,
    width: Math.min(40, Math.max(10, (c.header ?? c.name).length + 2)),
    ...(c.field.resultKind === 'date'
      ? { style: { numFmt: 'yyyy-mm-dd' } }
      : c.field.resultKind === 'datetime'
        ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } }
        : {}),
  }));
  (async () => {
    for await (const page of pages) {
      for (const row of page) sheet.addRow(columns.map((c) => xlsxCell(c.field, cellOf(c, row)))).commit();
    }
    sheet.commit();
    await workbook.commit();
  })().catch((e) => body.destroy(e as Error));
  return body;
}
