/**
 * Writes exported records as CSV (csv-stringify) or XLSX (exceljs' streaming workbook writer) while
 * they are read, so an export of any size holds one page in memory. The CSV cell forms are the ones
 * the import reads back (import-coerce.ts): an exported file re-imports unchanged.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { FieldModel } from '../model/load-model';
import { MULTI_SEPARATOR } from './import-coerce';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportColumn {
  name: string;
  field: FieldModel;
}

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
 * XLSX cells are typed (numbers, booleans, dates); text is always a string cell, so a value starting
 * with `=` is never run as a formula. CSV keeps text as it is (a quote prefix would break the import
 * round trip): open untrusted CSV in a spreadsheet with care, or export XLSX.
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

export function writeExport(
  format: ExportFormat,
  columns: readonly ExportColumn[],
  rows: AsyncIterable<RecordRow[]>,
): Readable {
  return format === 'csv' ? writeCsv(columns, rows) : writeXlsx(columns, rows);
}

function writeCsv(columns: readonly ExportColumn[], pages: AsyncIterable<RecordRow[]>): Readable {
  const out = stringify({ header: true, columns: columns.map((c) => c.name), record_delimiter: '\n' });
  async function* cells() {
    for await (const page of pages) {
      for (const row of page) yield columns.map((c) => csvCell(row[c.name]));
    }
  }
  const body = new PassThrough();
  pipeline(cells(), out, body).catch((e) => body.destroy(e as Error));
  return body;
}

function writeXlsx(columns: readonly ExportColumn[], pages: AsyncIterable<RecordRow[]>): Readable {
  const body = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: body, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Export');
  sheet.columns = columns.map((c) => ({
    header: c.name,
    key: c.name,
    width: Math.min(40, Math.max(10, c.name.length + 2)),
    ...(c.field.resultKind === 'date'
      ? { style: { numFmt: 'yyyy-mm-dd' } }
      : c.field.resultKind === 'datetime'
        ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } }
        : {}),
  }));
  (async () => {
    for await (const page of pages) {
      for (const row of page) sheet.addRow(columns.map((c) => xlsxCell(c.field, row[c.name]))).commit();
    }
    sheet.commit();
    await workbook.commit();
  })().catch((e) => body.destroy(e as Error));
  return body;
}
