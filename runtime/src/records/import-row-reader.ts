/**
 * Reads the rows of an import file one at a time, so a file of any length is processed with bounded
 * memory: CSV through csv-parse (first record is the header), JSON arrays through stream-json.
 * Structural problems that make the rest unreadable (broken quoting, not an array, too many bytes
 * or rows) abort the import with a 400/413; problems of one row are left to the row's validation.
 */
import { type Readable, Transform, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import streamArray from 'stream-json/streamers/stream-array.js';
import { AppError, badRequest, tooLarge } from '../errors';

export type ImportFormat = 'csv' | 'json';

export interface ImportRow {
  /** 1-based data row number (the CSV header is not counted; JSON: array index + 1). */
  row: number;
  /** CSV: strings by header name, absent for a missing trailing cell. JSON: the element as given. */
  values: unknown;
  /** CSV only: the number of cells, to report rows whose cell count differs from the header. */
  cells?: number;
}

export interface ImportReadOptions {
  format: ImportFormat;
  /** Refuse (413) once the body passes this many bytes. */
  maxBytes: number;
  /** Refuse (413) once the file has more data rows than this. */
  maxRows: number;
  /** Longest accepted CSV cell / JSON element, in characters. */
  maxCellChars?: number;
  delimiter?: string;
}

export interface ImportReader {
  /** Column names of a CSV file (known once the first row has been read); JSON: undefined. */
  header(): readonly string[] | undefined;
  rows: AsyncIterable<ImportRow>;
}

const MAX_COLUMNS = 600;

/** Counts bytes and fails the stream with 413 past the limit (fastify's bodyLimit does not see raw streams). */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge(`The import file is larger than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

function csvProblem(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof CsvError) {
    const line = (e as CsvError & { lines?: number }).lines;
    return badRequest(`Malformed CSV${line ? ` at line ${line}` : ''}: ${e.message.replace(/^Invalid [^:]*: /, '')}`, {
      csv: e.code,
      ...(line ? { line } : {}),
    });
  }
  return badRequest('The import file could not be read');
}

function jsonProblem(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return badRequest(`Malformed JSON import: ${message}`);
}

/** Header names: trimmed, non-empty, unique (case-insensitively), at most MAX_COLUMNS. */
export function checkHeader(cells: readonly string[]): string[] {
  if (cells.length > MAX_COLUMNS) throw badRequest(`The file has more than ${MAX_COLUMNS} columns`);
  const names = cells.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim());
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (!n) throw badRequest(`Column ${i + 1} of the header has no name`);
    const key = n.toLowerCase();
    if (seen.has(key)) throw badRequest(`Column "${n}" appears twice in the header`);
    seen.add(key);
  });
  return names;
}

export function readImportRows(input: Readable, opts: ImportReadOptions): ImportReader {
  return opts.format === 'csv' ? readCsv(input, opts) : readJson(input, opts);
}

function readCsv(input: Readable, opts: ImportReadOptions): ImportReader {
  let header: string[] | undefined;
  const parser = parse({
    bom: true,
    delimiter: opts.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: opts.maxCellChars ?? 100_000,
  });
  pipeline(input, byteLimit(opts.maxBytes), parser, () => {});
  async function* rows(): AsyncGenerator<ImportRow> {
    let n = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (!header) {
          header = checkHeader(record);
          continue;
        }
        n += 1;
        if (n > opts.maxRows) throw tooLarge(`The import has more than ${opts.maxRows} rows`);
        const values: Record<string, string> = {};
        const count = Math.min(record.length, header.length);
        for (let i = 0; i < count; i++) values[header[i] as string] = record[i] as string;
        yield { row: n, values, cells: record.length };
      }
    } catch (e) {
      throw csvProblem(e);
    } finally {
      if (!input.destroyed) input.destroy();
    }
    if (!header) throw badRequest('The CSV file is empty: the first line must name the columns');
  }
  return { header: () => header, rows: rows() };
}

function readJson(input: Readable, opts: ImportReadOptions): ImportReader {
  const parser = streamArray.withParserAsStream();
  pipeline(input, byteLimit(opts.maxBytes), parser, () => {});
  async function* rows(): AsyncGenerator<ImportRow> {
    let n = 0;
    try {
      for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>) {
        n += 1;
        if (n > opts.maxRows) throw tooLarge(`The import has more than ${opts.maxRows} rows`);
        yield { row: n, values: item.value };
      }
    } catch (e) {
      throw jsonProblem(e);
    } finally {
      if (!input.destroyed) input.destroy();
    }
  }
  return { header: () => undefined, rows: rows() };
}
