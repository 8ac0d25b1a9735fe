import PizZip from 'pizzip';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { checkDocxArchive, MAX_DOCX_PART } from './docx-archive';
import { docxText } from './docx-text';

const xml = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;

function docx(body: string): Buffer {
  const zip = new PizZip();
  zip.file('word/document.xml', xml(body));
  return zip.generate({ type: 'nodebuffer', compression: 'DEFLATE' }) as Buffer;
}

/** Rewrites the uncompressed size of every entry, in the local headers and the central directory. */
function lieAboutSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a refusal');
}

describe('checkDocxArchive', () => {
  it('accepts a normal .docx', () => {
    const file = docx('<w:p><w:r><w:t>Dear {name}</w:t></w:r></w:p>');
    expect(() => checkDocxArchive(file)).not.toThrow();
    expect(docxText(file)).toBe('Dear {name}');
  });

  it('refuses a small file whose document.xml unpacks to 20 MB (413), before unpacking it', () => {
    const bomb = docx(`<w:p><w:r><w:t>${'a'.repeat(20 * 1024 * 1024)}</w:t></w:r></w:p>`);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const e = refusal(() => checkDocxArchive(bomb));
    expect(e).toMatchObject({ code: 'TOO_LARGE', status: 413 });
    expect(e.message).toMatch(/word\/document\.xml unpacks to more than 4 MB/);
    expect(refusal(() => docxText(bomb)).code).toBe('TOO_LARGE');
  });

  it('refuses an entry whose size header lies, inflating no more than the header says', () => {
    const big = docx(`<w:p><w:r><w:t>${'b'.repeat(MAX_DOCX_PART - 1000)}</w:t></w:r></w:p>`);
    const lying = lieAboutSizes(big, 1000);
    const e = refusal(() => checkDocxArchive(lying));
    expect(e).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(e.fields).toEqual({ docx: 'word/document.xml is larger than its ZIP header says' });
  });

  it('refuses what is not a ZIP, or a truncated one, with 400', () => {
    expect(refusal(() => checkDocxArchive(Buffer.from('not a zip at all, just text'))).fields).toEqual({
      docx: 'not a ZIP file',
    });
    const file = docx('<w:p/>');
    const cut = Buffer.concat([file.subarray(0, 40), file.subarray(file.length - 22)]);
    expect(refusal(() => checkDocxArchive(cut)).code).toBe('VALIDATION_FAILED');
  });
});
