import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { csvCell, type ExportColumn, writeExport } from './export-writer';

const model = loadModel(
  {
    objects: {
      deal: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          amount: { type: 'number' },
          tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
          close_on: { type: 'string', format: 'date' },
          won: { type: 'boolean' },
        },
      },
    },
  },
  1,
);
const deal = model.object('deal');
const columns: ExportColumn[] = ['name', 'amount', 'tags', 'close_on', 'won'].map((n) => ({
  name: n,
  field: deal.field(n),
}));
const rows = [
  { name: 'Acme, "Inc"', amount: 1234.5, tags: ['a', 'b'], close_on: '2026-01-31', won: true },
  { name: '=1+1', amount: null, tags: [], close_on: null, won: false },
];
async function* pages() {
  yield rows.slice(0, 1);
  yield rows.slice(1);
}

describe('export writers', () => {
  it('writes CSV with a header, quoting where needed, in the forms the import reads', async () => {
    const text = (await buffer(writeExport('csv', columns, pages()))).toString('utf8');
    // A text cell a spreadsheet would run as a formula gets a ' in front (OWASP CSV injection).
    expect(text).toBe('name,amount,tags,close_on,won\n"Acme, ""Inc""",1234.5,a;b,2026-01-31,true\n\'=1+1,,,,false\n');
  });

  it('writes formula-like text raw when asked to', async () => {
    const text = (await buffer(writeExport('csv', columns, pages(), { escapeFormulas: false }))).toString('utf8');
    expect(text).toBe('name,amount,tags,close_on,won\n"Acme, ""Inc""",1234.5,a;b,2026-01-31,true\n=1+1,,,,false\n');
  });

  it('writes typed XLSX cells, formulas as plain text', async () => {
    const data = await buffer(writeExport('xlsx', columns, pages()));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'name', 'amount', 'tags', 'close_on', 'won']);
    expect(sheet.getCell('B2').value).toBe(1234.5);
    expect(sheet.getCell('D2').value).toEqual(new Date('2026-01-31T00:00:00Z'));
    expect(sheet.getCell('A3').value).toBe('=1+1');
    expect(sheet.getCell('E3').value).toBe(false);
  });

  it('formats single cells', () => {
    expect(csvCell(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell({ a: 1 })).toBe('{"a":1}');
  });
});
