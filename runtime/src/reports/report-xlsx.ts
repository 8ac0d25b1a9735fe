import { excel } from '../lazy-module';
import type { ReportResult } from './report-service';

/** A report's rows as one worksheet: a bold header of column labels, numbers kept as numbers. */
export async function reportXlsx(result: ReportResult): Promise<Buffer> {
  const workbook = new (excel().Workbook)();
  workbook.creator = 'Forma';
  // Sheet names: at most 31 characters, none of : \ / ? * [ ]
  const sheet = workbook.addWorksheet(result.label.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Report');
  const columns = result.columns.flatMap((c) =>
    result.rows.some((r) => `${c.key}_label` in r)
      ? [c, { ...c, key: `${c.key}_label`, label: `${c.label} (name)` }]
      : [c],
  );
  sheet.columns = columns.map((c) => ({ header: c.label, key: c.key, width: Math.max(12, c.label.length + 2) }));
  sheet.getRow(1).font = { bold: true };
  for (const row of result.rows) {
    sheet.addRow(Object.fromEntries(columns.map((c) => [c.key, cell(row[c.key])])));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function cell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  const s = String(v);
  // A text cell starting with = + - @ would be a formula to a spreadsheet (CSV/XLSX injection).
  return /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
}
