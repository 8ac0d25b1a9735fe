/**
 * CSV injection (OWASP): a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in
 * some, a tab or carriage return) as a formula, so `=HYPERLINK(…)` in a record becomes a live link
 * or worse in the file a colleague opens. The export writes such cells with a `'` in front, which a
 * spreadsheet shows as text without the quote; the import takes it off again. Values that already
 * start with quotes before such a character get one more, so the two are exact inverses.
 */
const ESCAPE = /^'*[=+\-@\t\r]/;
const ESCAPED = /^'+[=+\-@\t\r]/;

export function escapeFormula(cell: string): string {
  return ESCAPE.test(cell) ? `'${cell}` : cell;
}

export function unescapeFormula(cell: string): string {
  return ESCAPED.test(cell) ? cell.slice(1) : cell;
}
