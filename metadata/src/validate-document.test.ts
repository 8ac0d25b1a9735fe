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

describe('x-related-group', () => {
  it('groups related lists by a picklist field of the object', () => {
    expect(validateDocument(object({ 'x-related-group': 'status' }))).toEqual([]);
  });

  it('refuses an unknown field and a field without choices at its path', () => {
    for (const [field, message] of [
      ['nope', /not a field/],
      ['name', /picklist/],
    ] as const) {
      const issues = validateDocument(object({ 'x-related-group': field }));
      expect(issues.map((i) => i.path)).toEqual(['/objects/lead/x-related-group']);
      expect(issues[0]?.message).toMatch(message);
    }
  });
});

describe('x-rollup over related records', () => {
  const doc = (rollup: Record<string, unknown>, type = 'number', dealExtra: Record<string, unknown> = {}) => ({
    objects: {
      campaign: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 100 }, won: { type, 'x-rollup': rollup } },
      },
      account: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
      deal: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 100 },
          amount: { type: 'number', 'x-kind': 'currency' },
          seats: { type: 'integer' },
          stage: { type: 'string', enum: ['open', 'won'] },
          campaign: { type: 'string', format: 'uuid', 'x-ref': 'campaign' },
          account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
          ...dealExtra,
        },
      },
    },
  });
  const at = '/objects/campaign/properties/won';
  const paths = (rollup: Record<string, unknown>, type?: string) =>
    validateDocument(doc(rollup, type)).map((i) => [i.path, i.message]);

  it('accepts sum, count, min, max and avg with a filter on the child', () => {
    const filter = { stage: { eq: 'won' } };
    expect(paths({ object: 'deal', via: 'campaign', op: 'sum', field: 'amount', filter })).toEqual([]);
    expect(paths({ object: 'deal', via: 'campaign', op: 'count', filter }, 'integer')).toEqual([]);
    expect(paths({ object: 'deal', via: 'campaign', op: 'max', field: 'seats' }, 'integer')).toEqual([]);
    expect(paths({ object: 'deal', via: 'campaign', op: 'avg', field: 'amount' })).toEqual([]);
    expect(
      paths({
        object: 'deal',
        via: 'campaign',
        op: 'sum',
        field: 'amount',
        filter: { or: [filter, { seats: { gt: 3 } }] },
      }),
    ).toEqual([]);
  });

  it('refuses the two forms mixed, and missing parts, at their path', () => {
    expect(paths({ children: 'x', object: 'deal', op: 'count' }, 'integer')).toEqual([
      [`${at}/x-rollup/object`, 'is not allowed in this form'],
    ]);
    expect(paths({ object: 'deal', op: 'count' }, 'integer')).toEqual([[`${at}/x-rollup/via`, 'is required']]);
    expect(paths({ object: 'deal', via: 'campaign', op: 'median', field: 'amount' })[0]?.[0]).toBe(`${at}/x-rollup/op`);
    expect(paths({ object: 'deal', via: 'campaign', op: 'sum', field: 'amount', extra: 1 })[0]?.[0]).toBe(
      `${at}/x-rollup/extra`,
    );
  });

  it('checks the child object, the lookup back and the aggregated field', () => {
    expect(paths({ object: 'nope', via: 'campaign', op: 'count' }, 'integer')).toEqual([
      [`${at}/x-rollup/object`, 'Unknown object "nope"'],
    ]);
    expect(paths({ object: 'deal', via: 'account', op: 'count' }, 'integer')).toEqual([
      [`${at}/x-rollup/via`, '"deal.account" must be a lookup to "campaign"'],
    ]);
    expect(paths({ object: 'deal', via: 'stage', op: 'count' }, 'integer')[0]?.[0]).toBe(`${at}/x-rollup/via`);
    expect(paths({ object: 'deal', via: 'nope', op: 'count' }, 'integer')[0]?.[0]).toBe(`${at}/x-rollup/via`);
    expect(paths({ object: 'deal', via: 'campaign', op: 'sum', field: 'name' })).toEqual([
      [`${at}/x-rollup/field`, 'Cannot sum a Text field'],
    ]);
    expect(paths({ object: 'deal', via: 'campaign', op: 'sum', field: 'nope' })[0]?.[0]).toBe(`${at}/x-rollup/field`);
    expect(paths({ object: 'deal', via: 'campaign', op: 'sum' })[0]?.[0]).toBe(`${at}/x-rollup`);
    expect(paths({ object: 'campaign', via: 'name', op: 'count' }, 'integer')[0]?.[0]).toBe(`${at}/x-rollup/object`);
  });

  it('keeps the type rules: count is an integer, a decimal sum or an average is a number', () => {
    expect(paths({ object: 'deal', via: 'campaign', op: 'count' })[0]?.[0]).toBe(`${at}/type`);
    expect(paths({ object: 'deal', via: 'campaign', op: 'sum', field: 'amount' }, 'integer')[0]?.[0]).toBe(
      `${at}/type`,
    );
    expect(paths({ object: 'deal', via: 'campaign', op: 'avg', field: 'seats' }, 'integer')[0]?.[0]).toBe(`${at}/type`);
  });

  it("checks the filter against the child, own stored fields only, at the filter's path", () => {
    const base = { object: 'deal', via: 'campaign', op: 'count' };
    expect(paths({ ...base, filter: { nope: { eq: 1 } } }, 'integer')[0]?.[0]).toBe(`${at}/x-rollup/filter/nope`);
    expect(paths({ ...base, filter: { stage: { startsWith: 'w' } } }, 'integer')[0]?.[0]).toBe(
      `${at}/x-rollup/filter/stage/startsWith`,
    );
    expect(paths({ ...base, filter: { and: [{ 'account.name': { eq: 'x' } }] } }, 'integer')).toEqual([
      [`${at}/x-rollup/filter/and/0/account.name`, "Roll-up filters read the child's own fields"],
    ]);
    expect(paths({ ...base, filter: { 'stage; drop table x': { eq: 1 } } }, 'integer')[0]?.[0]).toMatch(
      /x-rollup\/filter/,
    );
  });
});

describe('view types (kanban, calendar)', () => {
  const withViews = (views: Record<string, Record<string, unknown>>) => {
    const doc = object({}) as { objects: { lead: { properties: Record<string, unknown> } } };
    doc.objects.lead.properties.follow_up = { type: 'string', format: 'date' };
    doc.objects.lead.properties.grade = { type: 'string', 'x-formula': "'a'" };
    return { ...doc, views };
  };
  const view = (extra: Record<string, unknown>) => ({ object: 'lead', label: 'Board', columns: ['name'], ...extra });

  it('accepts a kanban of a picklist and a calendar of a date', () => {
    expect(
      validateDocument(
        withViews({
          board: view({ type: 'kanban', groupBy: 'status' }),
          agenda: view({ type: 'calendar', dateField: 'follow_up', calendarMode: 'week' }),
          table: view({ type: 'table' }),
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a missing, unknown, computed or wrongly typed field at its path', () => {
    const issues = validateDocument(
      withViews({
        a: view({ type: 'kanban' }),
        b: view({ type: 'kanban', groupBy: 'nope' }),
        c: view({ type: 'kanban', groupBy: 'score' }),
        d: view({ type: 'kanban', groupBy: 'grade' }),
        e: view({ type: 'calendar', dateField: 'name' }),
        f: view({ type: 'calendar' }),
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        '/views/a/groupBy',
        '/views/b/groupBy',
        '/views/c/groupBy',
        '/views/d/groupBy',
        '/views/e/dateField',
        '/views/f/dateField',
      ].sort(),
    );
  });

  it("checks a view's phone card: known card fields, a picklist as its status chip", () => {
    expect(
      validateDocument(withViews({ ok: view({ cardFields: ['status', 'score'], statusField: 'status' }) })),
    ).toEqual([]);
    const issues = validateDocument(
      withViews({
        a: view({ cardFields: ['name', 'nope'] }),
        b: view({ statusField: 'follow_up' }),
        c: view({ statusField: 'nope' }),
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      '/views/a/cardFields/1',
      '/views/b/statusField',
      '/views/c/statusField',
    ]);
    // The shape is checked first: a card has room for one to three fields.
    const shape = validateDocument(
      withViews({ d: view({ cardFields: ['name', 'status', 'score', 'follow_up'] }), e: view({ cardFields: [] }) }),
    );
    expect(shape.map((i) => i.path).sort()).toEqual(['/views/d/cardFields', '/views/e/cardFields']);
  });

  it('refuses unknown view types and calendar spans', () => {
    const issues = validateDocument(withViews({ g: view({ type: 'gallery' }), h: view({ calendarMode: 'year' }) }));
    expect(issues.map((i) => i.path).sort()).toEqual(['/views/g/type', '/views/h/calendarMode']);
  });
});

describe('x-lookup-filter', () => {
  const quote = (filter: unknown, ref = 'contact') => ({
    objects: {
      account: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
      contact: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 100 },
          account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
        },
      },
      quote: {
        type: 'object',
        properties: {
          account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
          contact: { type: 'string', format: 'uuid', 'x-ref': ref, 'x-lookup-filter': filter },
        },
      },
    },
  });

  it('accepts target fields matched to fields of the record', () => {
    expect(validateDocument(quote({ account: '$record.account' }))).toEqual([]);
  });

  it('refuses unknown target fields, unknown or self sources, and non-lookups', () => {
    const paths = (doc: unknown) => validateDocument(doc as never).map((i) => i.path);
    expect(paths(quote({ nope: '$record.account' }))).toEqual([
      '/objects/quote/properties/contact/x-lookup-filter/nope',
    ]);
    expect(paths(quote({ account: '$record.nope' }))).toEqual([
      '/objects/quote/properties/contact/x-lookup-filter/account',
    ]);
    expect(paths(quote({ account: '$record.contact' }))).toEqual([
      '/objects/quote/properties/contact/x-lookup-filter/account',
    ]);
    expect(paths(quote({ account: "'; drop table x; --" })).length).toBeGreaterThan(0);
    expect(paths(quote({ account: '$record.account' }, 'user'))).toEqual([
      '/objects/quote/properties/contact/x-lookup-filter',
    ]);
  });
});

describe('x-default-from', () => {
  const doc = (sources: unknown) => ({
    objects: {
      product: { type: 'object', properties: { list_price: { type: 'number' } } },
      price_list: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
      price_list_entry: {
        type: 'object',
        properties: {
          price_list: { type: 'string', format: 'uuid', 'x-ref': 'price_list' },
          product: { type: 'string', format: 'uuid', 'x-ref': 'product' },
          price: { type: 'number' },
        },
      },
      quote: {
        type: 'object',
        properties: { price_list: { type: 'string', format: 'uuid', 'x-ref': 'price_list' } },
      },
      quote_line: {
        type: 'object',
        properties: {
          quote: { type: 'string', format: 'uuid', 'x-ref': 'quote' },
          product: { type: 'string', format: 'uuid', 'x-ref': 'product' },
          unit_price: { type: 'number', 'x-default-from': sources },
        },
      },
    },
  });
  const paths = (sources: unknown) => validateDocument(doc(sources) as never).map((i) => i.path);
  const at = '/objects/quote_line/properties/unit_price/x-default-from';

  it('accepts a price list entry, then the product, matched through lookups', () => {
    expect(
      paths([
        {
          object: 'price_list_entry',
          match: { price_list: '$record.quote.price_list', product: '$record.product' },
          field: 'price',
        },
        { object: 'product', match: { id: '$record.product' }, field: 'list_price' },
      ]),
    ).toEqual([]);
  });

  it('refuses unknown objects and fields, self references, paths through non-lookups, at their path', () => {
    expect(paths([{ object: 'nope', match: { id: '$record.product' }, field: 'x' }])).toEqual([`${at}/0/object`]);
    expect(paths([{ object: 'product', match: { id: '$record.product' }, field: 'nope' }])).toEqual([`${at}/0/field`]);
    expect(paths([{ object: 'product', match: { nope: '$record.product' }, field: 'list_price' }])).toEqual([
      `${at}/0/match/nope`,
    ]);
    expect(paths([{ object: 'product', match: { id: '$record.unit_price' }, field: 'list_price' }])).toEqual([
      `${at}/0/match/id`,
    ]);
    expect(paths([{ object: 'product', match: { id: '$record.product.nope' }, field: 'list_price' }])).toEqual([
      `${at}/0/match/id`,
    ]);
    expect(paths([{ object: 'product', match: { id: '$record.unit_price.x' }, field: 'list_price' }])).toEqual([
      `${at}/0/match/id`,
    ]);
    expect(
      paths([{ object: 'product', match: { id: "'; drop table x" }, field: 'list_price' }]).length,
    ).toBeGreaterThan(0);
  });
});

describe('field defaults', () => {
  const withDefaults = (status: unknown, score: unknown, choices = ['new', 'won']) => ({
    objects: {
      lead: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: choices, default: status },
          score: { type: 'integer', default: score },
        },
      },
    },
  });
  const paths = (doc: unknown) => validateDocument(doc).map((i) => i.path);

  it("are checked against their field's values, document after document (compiled checks are reused)", () => {
    for (let round = 0; round < 3; round++) {
      expect(paths(withDefaults('new', 3))).toEqual([]);
      expect(paths(withDefaults('lost', 3.5))).toEqual([
        '/objects/lead/properties/status/default',
        '/objects/lead/properties/score/default',
      ]);
      // Another field with other choices: a default valid there and not here is judged by its own.
      expect(paths(withDefaults('lost', 1, ['lost']))).toEqual([]);
      expect(paths(withDefaults('new', 1, ['lost']))).toEqual(['/objects/lead/properties/status/default']);
    }
  });
});
