import PizZip from 'pizzip';
import { describe, expect, it } from 'vitest';
import { docxText } from './docx-text';

const docx = (body: string) => {
  const zip = new PizZip();
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\n  <w:body>${body}</w:body>\n</w:document>`,
  );
  return zip.generate({ type: 'nodebuffer' }) as Buffer;
};

describe('docxText', () => {
  it('reads paragraphs, runs, tabs and breaks, entities decoded', () => {
    const text = docxText(
      docx(
        '<w:p><w:r><w:t>Dear </w:t></w:r><w:r><w:t xml:space="preserve">Ann &amp; Bob</w:t></w:r></w:p>\n' +
          '<w:p><w:r><w:t>City:</w:t><w:tab/><w:t>上海</w:t><w:br/><w:t>line two</w:t></w:r></w:p>',
      ),
    );
    expect(text).toBe('Dear Ann & Bob\nCity:\t上海\nline two');
  });

  it('is empty for a document without a body', () => {
    const zip = new PizZip();
    zip.file('other.xml', '<x/>');
    expect(docxText(zip.generate({ type: 'nodebuffer' }) as Buffer)).toBe('');
  });
});
