import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ImportReadOptions, type ImportRow, checkHeader, readImportRows } from './import-row-reader';

const csv: ImportReadOptions = { format: 'csv', maxBytes: 1_000_000, maxRows: 1000 };
const json: ImportReadOptions = { ...csv, format: 'json' };

async function collect(text: string | string[], opts: ImportReadOptions): Promise<ImportRow[]> {
  const out: ImportRow[] = [];
  const reader = readImportRows(Readable.from(Array.isArray(text) ? text : [text]), opts);
  for await (const r of reader.rows) out.push(r);
  return out;
}

async function failure(text: string, opts: ImportReadOptions) {
  try {
    await collect(text, opts);
  } catch (e) {
    return e as { status: number; code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('readImportRows (CSV)', () => {
  it('reads rows by header name, across chunk boundaries, with quoted commas and newlines', async () => {
    const rows = await collect(['\uFEFFname, amount\n"Acme, Inc",1', '0\n"two\nlines",', '\n\n'], csv);
    expect(rows).toEqual([
      { row: 1, values: { name: 'Acme, Inc', amount: '10' }, cells: 2 },
      { row: 2, values: { name: 'two\nlines', amount: '' }, cells: 2 },
    ]);
  });

  it('keeps short and long rows for the row check instead of failing the file', async () => {
    const rows = await collect('a,b\n1\n1,2,3\n', csv);
    expect(rows.map((r) => r.cells)).toEqual([1, 3]);
    expect(rows[0]?.values).toEqual({ a: '1' });
  });

  it('refuses broken quoting with the line number', async () => {
    const e = await failure('a,b\n"open,1\n', csv);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/Malformed CSV/);
  });

  it('refuses an empty file, an empty header cell and repeated columns', async () => {
    expect((await failure('', csv)).message).toMatch(/empty/);
    expect((await failure('a,,b\n1,2,3', csv)).message).toMatch(/no name/);
    expect((await failure('Name,name\n1,2', csv)).message).toMatch(/twice/);
  });

  it('stops at the byte and row limits with 413', async () => {
    expect((await failure(`a\n${'x\n'.repeat(100)}`, { ...csv, maxBytes: 50 })).status).toBe(413);
    expect((await failure(`a\n${'x\n'.repeat(11)}`, { ...csv, maxRows: 10 })).status).toBe(413);
  });
});

describe('readImportRows (JSON)', () => {
  it('streams the elements of a top-level array', async () => {
    const rows = await collect(['[{"a":1},', ' {"b":[2]}, 3]'], json);
    expect(rows).toEqual([
      { row: 1, values: { a: 1 } },
      { row: 2, values: { b: [2] } },
      { row: 3, values: 3 },
    ]);
  });

  it('refuses a top-level object and truncated JSON with 400', async () => {
    expect((await failure('{"a":1}', json)).status).toBe(400);
    expect((await failure('[{"a":1}, {', json)).status).toBe(400);
  });

  it('stops at the row limit with 413', async () => {
    expect((await failure(`[${'{},'.repeat(20)}{}]`, { ...json, maxRows: 5 })).status).toBe(413);
  });
});

describe('checkHeader', () => {
  it('trims names and drops a byte-order mark', () => {
    expect(checkHeader(['\uFEFF name ', 'amount'])).toEqual(['name', 'amount']);
  });
});
