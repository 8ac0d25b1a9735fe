import { describe, expect, it } from 'vitest';
import { describeCondition, formConditionProblems, formRuleStates, matchesFilter } from './form-rules';
import type { FormRule } from './generated/metadata-types';
import { validateDocument } from './validate-document';

describe('matchesFilter', () => {
  const r = { stage: 'lost', amount: '1500.50', tags: ['a', 'b'], note: '', name: 'Acme Deal', won: false };

  it('compares like the SQL the filter compiles to', () => {
    expect(matchesFilter({ stage: { eq: 'lost' } }, r)).toBe(true);
    expect(matchesFilter({ stage: { ne: 'lost' } }, r)).toBe(false);
    // numeric columns come back as text: compared as numbers
    expect(matchesFilter({ amount: { gt: 200 } }, r)).toBe(true);
    expect(matchesFilter({ amount: { lte: 1500.5 } }, r)).toBe(true);
    expect(matchesFilter({ amount: { lt: 1000 } }, r)).toBe(false);
    expect(matchesFilter({ stage: { in: ['won', 'lost'] } }, r)).toBe(true);
    expect(matchesFilter({ stage: { nin: ['won', 'lost'] } }, r)).toBe(false);
    expect(matchesFilter({ tags: { in: ['b', 'z'] } }, r)).toBe(true);
    expect(matchesFilter({ tags: { contains: 'a' } }, r)).toBe(true);
    expect(matchesFilter({ name: { contains: 'DEAL' } }, r)).toBe(true);
    expect(matchesFilter({ name: { startsWith: 'acme' } }, r)).toBe(true);
    expect(matchesFilter({ won: { eq: false } }, r)).toBe(true);
  });

  it('treats missing, null and empty text alike: empty, never equal, kept by ne/nin', () => {
    expect(matchesFilter({ note: { isNull: true } }, r)).toBe(true);
    expect(matchesFilter({ missing: { isNull: true } }, r)).toBe(true);
    expect(matchesFilter({ stage: { isNull: false } }, r)).toBe(true);
    expect(matchesFilter({ missing: { eq: 'x' } }, r)).toBe(false);
    expect(matchesFilter({ missing: { gt: 1 } }, r)).toBe(false);
    expect(matchesFilter({ missing: { ne: 'x' } }, r)).toBe(true);
    expect(matchesFilter({ missing: { nin: ['x'] } }, r)).toBe(true);
  });

  it('combines with and/or, and never matches what it does not know', () => {
    expect(matchesFilter({ or: [{ stage: { eq: 'won' } }, { amount: { gte: 1000 } }] }, r)).toBe(true);
    expect(matchesFilter({ and: [{ stage: { eq: 'won' } }, { amount: { gte: 1000 } }] }, r)).toBe(false);
    expect(matchesFilter({ stage: { eq: 'lost', ne: 'won' } }, r)).toBe(true);
    expect(matchesFilter({ stage: { like: 'lost' } }, r)).toBe(false);
    expect(matchesFilter(null, r)).toBe(false);
  });
});

describe('formRuleStates', () => {
  const rules: FormRule[] = [
    { fields: ['loss_reason'], effect: 'show', when: { stage: { eq: 'lost' } } },
    { fields: ['loss_reason'], effect: 'require', when: { stage: { eq: 'lost' } } },
    {
      fields: ['amount'],
      effect: 'readOnly',
      when: { stage: { in: ['won', 'lost'] } },
      message: 'Closed deals keep their amount',
    },
    { fields: ['discount'], effect: 'hide', when: { amount: { lt: 100 } } },
    { fields: ['discount'], effect: 'require', when: { amount: { gte: 0 } } },
  ];

  it('shows and requires while the condition holds, hides otherwise', () => {
    const lost = formRuleStates(rules, { stage: 'lost', amount: 50 });
    expect(lost.get('loss_reason')).toMatchObject({ hidden: false, required: true, readOnly: false });
    expect(lost.get('amount')).toMatchObject({ readOnly: true, readOnlyBy: rules[2] });
    const open = formRuleStates(rules, { stage: 'new', amount: 50 });
    expect(open.get('loss_reason')).toMatchObject({ hidden: true, required: false });
    expect(open.get('amount')?.readOnly).toBe(false);
  });

  it('never requires a hidden field', () => {
    expect(formRuleStates(rules, { amount: 50 }).get('discount')).toMatchObject({ hidden: true, required: false });
    expect(formRuleStates(rules, { amount: 500 }).get('discount')).toMatchObject({ hidden: false, required: true });
  });
});

describe('describeCondition and formConditionProblems', () => {
  it('says a condition in words with labels', () => {
    expect(describeCondition({ stage: { eq: 'lost' } }, (f) => (f === 'stage' ? 'Stage' : f))).toBe('Stage is lost');
    expect(describeCondition({ or: [{ a: { isNull: true } }, { b: { in: [1, 2] } }] })).toBe(
      'a is empty or b is one of 1, 2',
    );
  });

  it('names unknown fields, lookup paths, unknown operators and wrong shapes', () => {
    const fields = new Set(['stage']);
    expect(formConditionProblems({ nope: { eq: 1 } }, fields)).toEqual([
      {
        at: '/nope',
        message: 'Unknown field "nope" in the condition',
        code: 'condition_unknown_field',
        params: { field: 'nope' },
      },
    ]);
    // Each problem carries a code a client translates (api.schema.json metadataIssueCode).
    expect(formConditionProblems({ stage: { in: 'x' } }, fields)[0]).toMatchObject({
      code: 'condition_takes_list',
      params: { op: 'in' },
    });
    expect(formConditionProblems({ 'account.name': { eq: 'x' } }, fields)[0]?.message).toMatch(/own fields/);
    expect(formConditionProblems({ stage: { like: 'x' } }, fields)[0]?.message).toBe('Unknown operator "like"');
    expect(formConditionProblems({ stage: { in: 'x' } }, fields)[0]?.message).toBe('"in" takes a list');
    expect(formConditionProblems({ and: [{ stage: 'lost' }] }, fields)[0]).toMatchObject({ at: '/and/0/stage' });
    expect(formConditionProblems({}, fields)[0]?.message).toBe('The condition is empty');
  });
});

describe('x-form-rules in a document', () => {
  const doc = (rules: unknown) => ({
    objects: {
      deal: {
        type: 'object',
        properties: {
          stage: { type: 'string', enum: ['new', 'lost'] },
          loss_reason: { type: 'string', maxLength: 200 },
          net: { type: 'number', 'x-formula': '1' },
        },
        required: ['stage'],
        'x-form-rules': rules,
      },
    },
  });
  const paths = (rules: unknown) => validateDocument(doc(rules) as never).map((i) => `${i.path}: ${i.message}`);

  it('accepts rules over the object fields', () => {
    expect(paths([{ fields: ['loss_reason'], effect: 'require', when: { stage: { eq: 'lost' } } }])).toEqual([]);
  });

  it('refuses unknown fields, computed targets, bad operators and malformed rules', () => {
    expect(paths([{ fields: ['nope'], effect: 'show', when: { stage: { eq: 'lost' } } }])).toEqual([
      '/objects/deal/x-form-rules/0/fields/0: "nope" is not a field of this object',
    ]);
    expect(paths([{ fields: ['loss_reason'], effect: 'show', when: { ghost: { eq: 'x' } } }])).toEqual([
      '/objects/deal/x-form-rules/0/when/ghost: Unknown field "ghost" in the condition',
    ]);
    expect(paths([{ fields: ['net'], effect: 'require', when: { stage: { eq: 'lost' } } }])).toEqual([
      '/objects/deal/x-form-rules/0/fields/0: "net" is computed: it can only be shown or hidden',
    ]);
    expect(paths([{ fields: ['loss_reason'], effect: 'show', when: { stage: { gt: 'a' } } }])).toEqual([
      '/objects/deal/x-form-rules/0/when: "gt" does not apply to "stage"',
    ]);
    expect(paths([{ fields: ['stage'], effect: 'hide', when: { loss_reason: { isNull: false } } }])).toEqual([
      '/objects/deal/x-form-rules/0/fields/0: "stage" is always required: it cannot be hidden',
    ]);
    expect(
      paths([{ fields: ['loss_reason'], effect: 'blink', when: { stage: { eq: 'lost' } } }]).length,
    ).toBeGreaterThan(0);
    expect(paths([{ fields: [], effect: 'show', when: { stage: { eq: 'lost' } } }]).length).toBeGreaterThan(0);
  });
});
