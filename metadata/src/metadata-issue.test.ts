import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { issuesFromAjv } from './metadata-issue';
import { validateDocument } from './validate-document';

describe('issuesFromAjv', () => {
  it('gives each issue a code and the facts a client needs to say it in its language', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile({
      type: 'object',
      additionalProperties: false,
      required: ['label'],
      properties: {
        label: { type: 'string', maxLength: 3 },
        chart: { enum: ['bar', 'pie'] },
        n: { type: 'integer', minimum: 1 },
        names: { type: 'object', propertyNames: { pattern: '^[a-z]+$' } },
      },
    });
    validate({ chart: 'donut', n: 0, extra: 1, 'x-what': 2, names: { Bad: 1 } });
    const issues = issuesFromAjv(validate.errors, '/reports/r');
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['/reports/r/label']).toEqual({
      path: '/reports/r/label',
      message: 'is required',
      code: 'required',
      params: { name: 'label' },
    });
    expect(byPath['/reports/r/chart']).toMatchObject({ code: 'one_of', params: { values: 'bar, pie' } });
    expect(byPath['/reports/r/n']).toMatchObject({ code: 'min', params: { limit: 1 } });
    expect(byPath['/reports/r/extra']).toMatchObject({ code: 'unknown_property', params: { name: 'extra' } });
    expect(byPath['/reports/r/x-what']).toMatchObject({ code: 'unknown_keyword', params: { name: 'x-what' } });
    expect(byPath['/reports/r/names/Bad']).toMatchObject({ code: 'bad_name', params: { name: 'Bad' } });
    // The English message stays as it was: clients that do not know a code show it.
    expect(byPath['/reports/r/chart']?.message).toBe('must be one of "bar", "pie"');
  });

  it('codes formula issues of a document', () => {
    const issues = validateDocument({
      objects: {
        deal: {
          type: 'object',
          properties: {
            amount: { type: 'number' },
            net: { type: 'number', 'x-formula': 'record.amount - record.nope' },
          },
        },
      },
    });
    expect(issues).toContainEqual({
      path: '/objects/deal/properties/net/x-formula',
      message: 'Unknown field "nope" in the formula',
      code: 'formula_unknown_field',
      params: { field: 'nope' },
    });
  });
});
