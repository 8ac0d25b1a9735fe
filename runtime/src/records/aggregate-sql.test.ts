import knex from 'knex';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { parseAggregateSpec } from './aggregate-spec';
import { aggregateRows, buildAggregateQuery } from './aggregate-sql';

const db = knex({ client: 'pg' });
const model = loadModel(
  {
    objects: {
      invoice: {
        type: 'object',
        properties: {
          amount: { type: 'number', 'x-kind': 'currency' },
          status: { type: 'string', enum: ['open', 'paid'] },
          due_on: { type: 'string', format: 'date' },
          sent_at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
  1,
);
const object = model.object('invoice');
const spec = (input: Parameters<typeof parseAggregateSpec>[0]) =>
  parseAggregateSpec(input, { object, fields: {}, today: '2026-03-31' });

describe('buildAggregateQuery', () => {
  it('groups by bound identifiers under fixed aliases, never by client text', () => {
    const q = buildAggregateQuery(
      db.withSchema('t_x').from('invoice').whereNull('deleted_at'),
      db,
      object,
      spec({ groupBy: 'status,sent_at:quarter', sum: 'amount', count: true, sort: '-sum_amount' }),
    ).toSQL();
    expect(q.sql).toBe(
      'select "status" as "g0", to_char(("sent_at" at time zone \'UTC\'), ?) as "g1", sum("amount") as "m0", count(*) as "n" ' +
        'from "t_x"."invoice" where "deleted_at" is null group by "g0", "g1" ' +
        'order by "m0" desc nulls last, "g0" asc nulls last, "g1" asc nulls last limit ?',
    );
    expect(q.bindings).toEqual(['YYYY-"Q"Q', 1001]);
  });

  it('buckets ages against the as-of day with bound limits', () => {
    const q = buildAggregateQuery(db.from('invoice'), db, object, spec({ groupBy: 'due_on:age:30-60' })).toSQL();
    expect(q.sql).toContain('when "due_on" is null then null');
    expect(q.sql).toContain('else 3 end');
    expect(q.bindings).toEqual(['2026-03-31', '2026-03-31', 30, '2026-03-31', 60, 1001]);
  });
});

describe('aggregateRows', () => {
  it('maps aliases back to output keys, labels ages and flags truncation', () => {
    const s = spec({ groupBy: 'due_on:age', sum: 'amount', limit: 2 });
    const out = aggregateRows(
      [
        { g0: 0, m0: 10, n: 1 },
        { g0: 5, m0: 20.5, n: '2' },
        { g0: null, m0: null, n: 3 },
      ],
      { ...s, count: true },
    );
    expect(out).toEqual({
      groups: [
        { 'due_on:age': 'current', sum_amount: 10, count: 1 },
        { 'due_on:age': '181+', sum_amount: 20.5, count: 2 },
      ],
      truncated: true,
    });
  });
});
