import { describe, expect, it } from 'vitest';
import { escapeFormula, unescapeFormula } from './csv-formula-escape';

describe('CSV formula escaping', () => {
  it('prefixes every cell a spreadsheet would run as a formula', () => {
    for (const cell of ['=1+1', '+44 20 7946 0000', '-2+3', '@SUM(A1)', '\t=cmd', '\r=cmd', '=HYPERLINK("x")'])
      expect(escapeFormula(cell)).toBe(`'${cell}`);
  });

  it('leaves other text alone', () => {
    for (const cell of ['Acme', '', ' =x', 'a=b', "O'Brien", "'quoted", '1-2']) expect(escapeFormula(cell)).toBe(cell);
  });

  it('is undone exactly by the import, quotes included', () => {
    for (const cell of ['=1+1', "'=1+1", "''@x", "'plain", 'plain', '-5', '\t'])
      expect(unescapeFormula(escapeFormula(cell))).toBe(cell);
  });
});
