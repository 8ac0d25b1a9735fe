import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error';
import {
  changedParts,
  draftOf,
  draftProblems,
  inputOf,
  problemsOf,
  suggestName,
  templateNameProblem,
} from './template-draft';

describe('print template drafts', () => {
  it('checks names as the server does and suggests one from the label', () => {
    expect(templateNameProblem('', [])).toBe('empty');
    expect(templateNameProblem('Letter', [])).toBe('pattern');
    expect(templateNameProblem('letter', ['letter'])).toBe('taken');
    expect(templateNameProblem('letter_2', ['letter'])).toBeNull();
    expect(suggestName('Sales letter')).toBe('sales_letter');
    expect(suggestName('报价单')).toBe('template');
    expect(suggestName('  ')).toBe('');
  });

  it('says which parts changed and what the browser refuses', () => {
    const stored = draftOf({
      object: 'q',
      name: 'a',
      label: 'A',
      kind: 'html',
      html: '<p>{{name}}</p>',
      page: { size: 'A4' },
    });
    expect(changedParts(stored, stored)).toEqual([]);
    expect(changedParts(stored, { ...stored, footer: 'p {{page}}', size: 'A5' })).toEqual(['footer', 'page']);
    expect(changedParts(undefined, { ...stored, header: 'h' })).toEqual(['label', 'html', 'header', 'page']);
    expect(draftProblems({ ...stored, label: ' ', html: '', margin: 500 })).toEqual({
      label: 'required',
      html: 'required',
      page: 'margin',
    });
    expect(inputOf({ ...stored, header: ' ' })).toEqual({
      label: 'A',
      html: '<p>{{name}}</p>',
      page: { size: 'A4', orientation: 'portrait', margin: 50 },
    });
  });

  it("puts the server's refusals at their part", () => {
    const unknown = new ApiError('VALIDATION_FAILED', 'The html template uses unknown fields: nope, a.b', {
      fields: { 'html.nope': 'unknown field', 'html.a.b': 'unknown field' },
      details: { unknown: ['nope', 'a.b'] },
    });
    expect(problemsOf(unknown)).toEqual({ html: { kind: 'unknown', names: ['nope', 'a.b'] } });
    const syntax = new ApiError('VALIDATION_FAILED', 'The footer template has a syntax error on line 2', {
      fields: { footer: 'Parse error on line 2' },
      details: { line: 2 },
    });
    expect(problemsOf(syntax)).toEqual({ footer: { kind: 'syntax', message: 'Parse error on line 2', line: 2 } });
  });
});
