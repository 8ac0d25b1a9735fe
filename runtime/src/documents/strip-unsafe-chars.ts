/**
 * Characters that make a name display differently from what it is: control characters (C0, DEL,
 * C1), bidi controls (U+202E "right-to-left override" turns `invoice‮fdp.exe` into what looks like
 * `invoiceexe.pdf`), line and paragraph separators, and the byte-order mark. Joiners (U+200C/D)
 * stay: scripts such as Persian and emoji sequences need them.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/gu;

/** The text without the characters above (for file names, ZIP entries and attachment names). */
export function stripUnsafeChars(text: string): string {
  return text.replace(UNSAFE, '');
}
