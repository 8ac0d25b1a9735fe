import { describe, expect, it } from 'vitest';
import { validateDocument } from './validate-document';

const object = (extra: Record<string, unknown>) => ({
  objects: {
    lead: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 100 },
        email: { type: 'string', format: 'email' },
        status: { type: 'string', enum: ['new', 'won'] },
        score: { type: 'integer' },
      },
      ...extra,
    },
  },
});

describe('x-search', () => {
  it('accepts stored free-text fields', () => {
    expect(validateDocument(object({ 'x-search': ['name', 'email'] }))).toEqual([]);
  });

  it('refuses unknown fields, choices and numbers at their path', () => {
    const issues = validateDocument(object({ 'x-search': ['name', 'nope', 'status', 'score'] }));
    expect(issues.map((i) => i.path)).toEqual([
      '/objects/lead/x-search/1',
      '/objects/lead/x-search/2',
      '/objects/lead/x-search/3',
    ]);
    expect(issues[0]?.message).toMatch(/not a field/);
  });
});
