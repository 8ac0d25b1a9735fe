import { describe, expect, it } from 'vitest';
import { stripUnsafeChars } from './strip-unsafe-chars';

describe('stripUnsafeChars', () => {
  it('removes bidi controls, control characters, separators and the BOM', () => {
    expect(stripUnsafeChars('invoice\u202efdp.exe')).toBe('invoicefdp.exe');
    expect(stripUnsafeChars('a\u2066b\u2069c\u200fd\u061ce')).toBe('abcde');
    expect(stripUnsafeChars('line\u0000\u001f\u007f\u0085\u2028\u2029\ufeffend')).toBe('lineend');
  });

  it('keeps letters of every script, joiners and ordinary punctuation', () => {
    expect(stripUnsafeChars('报价单 (v2).pdf')).toBe('报价单 (v2).pdf');
    expect(stripUnsafeChars('می\u200cخواهم.docx')).toBe('می\u200cخواهم.docx');
    expect(stripUnsafeChars('👩\u200d💻 notes.txt')).toBe('👩\u200d💻 notes.txt');
  });
});
