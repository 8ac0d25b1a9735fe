import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import type { FieldAccess } from '../permissions/object-access';
import { type AggregateInput, ageLabel, checkAggregateSpec, parseAggregateSpec } from './aggregate-spec';

const model = loadModel(
  {
    objects: {
      deal: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 100 },
          notes: { type: 'string', 'x-kind': 'textarea' },
          amount: { type: 'number', 'x-kind': 'currency' },
          stage: { type: 'string', enum: ['new', 'won'] },
          close_on: { type: 'string', format: 'date' },
          secret: { type: 'number' },
        },
      },
    },
  },
  1,
);
const sc = { object: model.object('deal'), fields: { secret: 'none' as const }, today: '2026-03-31' };
const parse = (input: AggregateInput) => parseAggregateSpec(input, sc);
const fail = (input: AggregateInput) => {
  try {
    parse(input);
  } catch (e) {
    return e as { status: number; fields?: Record<string, string>; message: string };
  }
  throw new Error('expected a failure');
};

describe('parseAggregateSpec', () => {
  it('reads query-string text: group keys, date buckets, measures and a default count', () => {
    const spec = parse({ groupBy: 'stage,close_on:month', sum: 'amount', max: 'close_on' });
    expect(spec.groupBy).toMatchObject([
      { key: 'stage', field: 'stage', kind: 'value' },
      { key: 'close_on:month', field: 'close_on', kind: 'date', bucket: 'month' },
    ]);
    expect(spec.measures).toMatchObject([
      { key: 'sum_amount', op: 'sum', field: 'amount' },
      { key: 'max_close_on', op: 'max', field: 'close_on' },
    ]);
    expect(spec.count).toBe(false);
    expect(parse({ groupBy: 'stage' }).count).toBe(true);
    expect(spec.asOf).toBe('2026-03-31');
  });

  it('reads JSON arrays and age buckets', () => {
    const spec = parse({
      groupBy: ['close_on:age:30-60'],
      count: true,
      sort: ['-count'],
      limit: 5,
      asOf: '2026-01-01',
    });
    expect(spec.groupBy[0]).toMatchObject({
      key: 'close_on:age:30-60',
      field: 'close_on',
      kind: 'age',
      limits: [30, 60],
      hops: [],
    });
    expect(spec.sort).toEqual([{ key: 'count', desc: true }]);
    expect(parse({ groupBy: 'close_on:age' }).groupBy[0]).toMatchObject({ limits: [30, 60, 90, 180] });
  });

  it('collects every problem in one 400', () => {
    const e = fail({
      groupBy: 'nope,name:month',
      sum: 'name',
      avg: 'stage',
      sort: 'amount',
      limit: '0',
      asOf: '2026-13-45',
    });
    expect(e.status).toBe(400);
    expect(Object.keys(e.fields ?? {}).sort()).toEqual(['asOf', 'avg', 'groupBy', 'limit', 'sum', 'sort'].sort());
  });

  it.each([
    ['injection in a group key', { groupBy: 'stage"; drop table deal; --' }],
    ['a long text field', { groupBy: 'notes' }],
    ['an unknown bucket', { groupBy: 'close_on:decade' }],
    ['decreasing ages', { groupBy: 'close_on:age:60-30' }],
    ['too many keys', { groupBy: 'stage,name,amount,close_on,close_on:year' }],
  ])('refuses %s', (_label, input) => {
    expect(fail(input as AggregateInput).status).toBe(400);
  });

  it('treats fields the user may not read as unknown', () => {
    expect(fail({ sum: 'secret' }).fields).toEqual({ sum: 'Unknown field: secret' });
    expect(fail({ groupBy: 'secret' }).status).toBe(400);
  });
});

describe('ageLabel', () => {
  it('names buckets by their day range', () => {
    const limits = [30, 60, 90, 180];
    expect([0, 1, 2, 3, 4, 5].map((i) => ageLabel(i, limits))).toEqual([
      'current',
      '1-30',
      '31-60',
      '61-90',
      '91-180',
      '181+',
    ]);
  });
});

describe('paths through lookups', () => {
  const m = loadModel(
    {
      objects: {
        region: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
        account: {
          type: 'object',
          properties: {
            city: { type: 'string', maxLength: 100 },
            secret: { type: 'string', maxLength: 100 },
            region: { type: 'string', format: 'uuid', 'x-ref': 'region' },
          },
        },
        order: {
          type: 'object',
          properties: {
            amount: { type: 'number' },
            account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
          },
        },
        line: {
          type: 'object',
          properties: {
            qty: { type: 'integer' },
            order: { type: 'string', format: 'uuid', 'x-ref': 'order' },
          },
        },
      },
    },
    1,
  );
  const related = (o: string): Record<string, FieldAccess> | null =>
    o === 'account' ? { secret: 'none' } : o === 'region' ? null : {};
  const psc = { object: m.object('line'), model: m, fields: {}, related, today: '2026-03-31' };
  const err = (input: AggregateInput) => {
    try {
      parseAggregateSpec(input, psc);
    } catch (e) {
      return (e as { fields?: Record<string, string> }).fields;
    }
    throw new Error('expected a failure');
  };

  it('follows up to three lookups in group keys and measures', () => {
    const spec = parseAggregateSpec({ groupBy: 'order.account.city', sum: 'order.amount' }, psc);
    expect(spec.groupBy[0]?.hops.map((h) => h.lookup.name)).toEqual(['order', 'account']);
    expect(spec.groupBy[0]?.target.name).toBe('city');
    expect(spec.measures[0]).toMatchObject({ key: 'sum_order.amount', field: 'order.amount' });
    expect(parseAggregateSpec({ groupBy: 'order.account.owner.name' }, psc).groupBy[0]?.hops).toHaveLength(3);
  });

  it('refuses, naming the path: unknown, hidden, unreadable object, not a lookup, too long, not a name', () => {
    expect(err({ groupBy: 'order.nope' })).toEqual({ groupBy: 'Unknown field: order.nope' });
    expect(err({ groupBy: 'order.account.secret' })).toEqual({ groupBy: 'Unknown field: order.account.secret' });
    expect(err({ groupBy: 'order.account.region.name' })).toEqual({
      groupBy: 'Unknown field: order.account.region.name',
    });
    expect(err({ sum: 'qty.amount' })).toEqual({ sum: 'qty is not a lookup: qty.amount' });
    expect(err({ groupBy: 'order.account.region.created_by.name' })).toEqual({
      groupBy: 'Path too long (at most 3 lookups): order.account.region.created_by.name',
    });
    expect(err({ groupBy: 'order.account."city"' })?.groupBy).toMatch(/^Unknown field/);
  });
});

describe('checkAggregateSpec', () => {
  it('gives each refused parameter a metadata issue code with its facts, beside the English', () => {
    const { spec, problems } = checkAggregateSpec(
      { groupBy: 'name:week,notes', sum: 'name', max: 'notes', sort: 'ghost', limit: 0, asOf: 'soon' },
      sc,
    );
    expect(spec).toBeUndefined();
    expect(problems).toEqual({
      groupBy: {
        message: 'name is not a date: it has no week',
        code: 'aggregate_bucket_not_date',
        params: { field: 'name', bucket: 'week' },
      },
      sum: {
        message: 'sum needs a numeric field: name',
        code: 'aggregate_needs_number',
        params: { fn: 'sum', field: 'name' },
      },
      max: {
        message: 'max needs a numeric or date field: notes',
        code: 'aggregate_needs_number_or_date',
        params: { fn: 'max', field: 'notes' },
      },
      sort: { message: expect.any(String), code: 'aggregate_sort_unknown', params: { column: 'ghost' } },
      limit: { message: 'An integer from 1 to 10000', code: 'aggregate_limit', params: { limit: 10000 } },
      asOf: { message: 'A date, YYYY-MM-DD', code: 'aggregate_as_of' },
    });
    expect(checkAggregateSpec({ sum: 'secret.x' }, sc).problems.sum?.code).toBe('aggregate_unknown_field');
    expect(checkAggregateSpec({ groupBy: 'stage' }, sc).spec?.groupBy).toHaveLength(1);
  });
});
