import { inflateRawSync } from 'node:zlib';
import { AppError, tooLarge, validationFailed } from '../errors';

/** What a .docx may unpack to, in all: pictures included, far above any real letter or contract. */
export const MAX_DOCX_UNPACKED = 40 * 1024 * 1024;
/**
 * What one XML part may unpack to: these are parsed (docxtemplater, the text reader), and parsing
 * cost grows with them; a 20 MB `document.xml` in an 82 KB file took 30 s. A long contract is ~1 MB.
 */
export const MAX_DOCX_PART = 4 * 1024 * 1024;
const MAX_ENTRIES = 2000;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const notDocx = (why: string) => validationFailed('The file is not a .docx document', { docx: why });
const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/**
 * Refuses a .docx (ZIP) that would unpack to too much before anything unpacks it: every entry's
 * declared size is checked, then every entry is inflated with a cap on its output (a size header
 * can lie), so a ZIP bomb costs at most the limits, never what it claims.
 */
export function checkDocxArchive(docx: Buffer): void {
  const eocd = findEndOfCentralDirectory(docx);
  if (eocd < 0) throw notDocx('not a ZIP file');
  const count = docx.readUInt16LE(eocd + 10);
  const cdSize = docx.readUInt32LE(eocd + 12);
  const cdOffset = docx.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw notDocx('ZIP64 archives are not accepted');
  if (count > MAX_ENTRIES) throw tooLarge(`The .docx has more than ${MAX_ENTRIES} parts`);
  if (cdOffset + cdSize > eocd) throw notDocx('a broken ZIP directory');
  let total = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > docx.length || docx.readUInt32LE(at) !== CENTRAL) throw notDocx('a broken ZIP directory');
    const method = docx.readUInt16LE(at + 10);
    const packed = docx.readUInt32LE(at + 20);
    const size = docx.readUInt32LE(at + 24);
    const nameLength = docx.readUInt16LE(at + 28);
    const extra = docx.readUInt16LE(at + 30);
    const comment = docx.readUInt16LE(at + 32);
    const local = docx.readUInt32LE(at + 42);
    const name = docx.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extra + comment;
    if (name.endsWith('/')) continue;
    const cap = isParsed(name) ? MAX_DOCX_PART : MAX_DOCX_UNPACKED;
    if (size > cap) throw tooLarge(partTooLarge(name, cap));
    total += size;
    if (total > MAX_DOCX_UNPACKED)
      throw tooLarge(`The .docx unpacks to more than ${mb(MAX_DOCX_UNPACKED)} (the limit)`);
    const actual = unpackedSize(docx, local, method, packed, size, name);
    if (actual !== size) throw notDocx(`${name.slice(0, 100)} is not the size its ZIP header says`);
  }
}

/** XML parts are parsed; pictures and fonts are only copied. */
function isParsed(name: string): boolean {
  return /\.(xml|rels)$/i.test(name);
}

function partTooLarge(name: string, cap: number): string {
  return `The .docx part ${name.slice(0, 100)} unpacks to more than ${mb(cap)} (the limit for ${isParsed(name) ? 'a document part' : 'any part'})`;
}

/** Inflates one entry, stopping one byte past its declared size: the output never exceeds that. */
function unpackedSize(docx: Buffer, local: number, method: number, packed: number, size: number, name: string) {
  if (local + 30 > docx.length || docx.readUInt32LE(local) !== LOCAL) throw notDocx('a broken ZIP entry');
  const start = local + 30 + docx.readUInt16LE(local + 26) + docx.readUInt16LE(local + 28);
  if (start + packed > docx.length) throw notDocx('a truncated ZIP entry');
  const data = docx.subarray(start, start + packed);
  if (method === 0) return packed;
  if (method !== 8) throw notDocx('an unsupported ZIP compression method');
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, size + 1) }).length;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw notDocx(`${name.slice(0, 100)} is larger than its ZIP header says`);
    }
    if (err instanceof AppError) throw err;
    throw notDocx('a damaged ZIP entry');
  }
}

function findEndOfCentralDirectory(docx: Buffer): number {
  const stop = Math.max(0, docx.length - 22 - 0xffff);
  for (let i = docx.length - 22; i >= stop; i--) if (docx.readUInt32LE(i) === EOCD) return i;
  return -1;
}
