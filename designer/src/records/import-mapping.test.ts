import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { guessMapping, importableFields, mappedCsv, parseCsv, rowProblems } from './import-mapping';

const deal: ObjectSchema = {
  properties: {
    name: { type: 'string', title: 'Name', 'x-i18n': { 'zh-CN': { title: '名称' } } },
    amount: { type: 'number', title: 'Amount' },
    close_on: { type: 'string', format: 'date' },
    number: { type: 'string', 'x-autonumber': 'D-{0000}' },
    discount: { type: 'number', 'x-access': 'read' },
  },
};

describe('CSV import mapping', () => {
  it('parses a header row, with a BOM, semicolons and quoted commas', () => {
    const p = parseCsv('\uFEFFName;Amount\n"Acme, Inc";12\n\n');
    expect(p.columns).toEqual(['Name', 'Amount']);
    expect(p.rows).toEqual([{ Name: 'Acme, Inc', Amount: '12' }]);
  });

  it('guesses fields by name or label in any language, once each', () => {
    expect(guessMapping(['名称', 'AMOUNT', 'Close On', 'amount', 'Number', 'Other'], deal, ['zh-CN', 'en'])).toEqual({
      名称: 'name',
      AMOUNT: 'amount',
      'Close On': 'close_on',
    });
    expect(importableFields(deal)).toEqual(['name', 'amount', 'close_on']);
  });

  it('sends only mapped columns, renamed to field names, values quoted safely', () => {
    const p = parseCsv('Name,Skip,Amount\n"=cmd|x, y",no,5\n');
    expect(mappedCsv(p, { Name: 'name', Amount: 'amount', Skip: '' })).toBe('name,amount\r\n"=cmd|x, y",5');
  });

  it('reads row errors in every shape the server may use', () => {
    expect(rowProblems({ amount: 'Must be >= 0' })).toEqual(['amount: Must be >= 0']);
    expect(rowProblems(['bad'])).toEqual(['bad']);
    expect(rowProblems('broken')).toEqual(['broken']);
  });
});
