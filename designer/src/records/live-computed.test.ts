import { describe, expect, it } from 'vitest';
import type { ObjectSchema } from '../meta/meta-types';
import { liveComputer } from './live-computed';

const quote: ObjectSchema = {
  properties: {
    lines: { type: 'array', 'x-children': { object: 'quote_line', field: 'quote' } },
    subtotal: { type: 'number', 'x-kind': 'currency', 'x-rollup': { children: 'lines', op: 'sum', field: 'amount' } },
    count: { type: 'integer', 'x-rollup': { children: 'lines', op: 'count' } },
    discount: { type: 'number', 'x-kind': 'percent' },
    // Declared before the field it reads: the order of declaration does not matter.
    total: { type: 'number', 'x-kind': 'currency', 'x-formula': '(record.net || 0) * 1.13' },
    net: {
      type: 'number',
      'x-kind': 'currency',
      'x-formula': '(record.subtotal || 0) * (1 - (record.discount || 0) / 100)',
    },
  },
};
const line: ObjectSchema = {
  properties: {
    quote: { type: 'string', format: 'uuid', 'x-ref': 'quote' },
    quantity: { type: 'number' },
    unit_price: { type: 'number', 'x-kind': 'currency' },
    amount: {
      type: 'number',
      'x-kind': 'currency',
      'x-formula': '(record.quantity || 0) * (record.unit_price || 0)',
    },
  },
};

describe('liveComputer', () => {
  it('computes line formulas, roll-ups and header formulas, rounded like the stored columns', () => {
    const live = liveComputer({ quote, quote_line: line }, quote)!;
    const out = live({
      discount: 10,
      lines: [{ quantity: 3, unit_price: 33.333 }, { quantity: 1, unit_price: 10 }, { quantity: 2 }],
    });
    expect((out.lines as Record<string, unknown>[]).map((l) => l.amount)).toEqual([100, 10, 0]);
    expect(out).toMatchObject({ subtotal: 110, count: 3, net: 99, total: 111.87 });
  });

  it('leaves the form alone when a formula is a script the browser does not evaluate', () => {
    const scripted = {
      ...line,
      properties: { ...line.properties, amount: { type: 'number', 'x-formula': 'fetch(1)' } },
    };
    expect(liveComputer({ quote, quote_line: scripted }, quote)).toBeUndefined();
    expect(liveComputer({}, { properties: { name: { type: 'string' } } })).toBeUndefined();
  });

  it('rolls up the earliest and latest line dates and distinct values, like the server', () => {
    const order: ObjectSchema = {
      properties: {
        lines: { type: 'array', 'x-children': { object: 'delivery', field: 'quote' } },
        first: { type: 'string', format: 'date', 'x-rollup': { children: 'lines', op: 'min', field: 'due_on' } },
        last: { type: 'string', format: 'date', 'x-rollup': { children: 'lines', op: 'max', field: 'due_on' } },
        sites: { type: 'integer', 'x-rollup': { children: 'lines', op: 'count_distinct', field: 'site' } },
      },
    };
    const live = liveComputer({ order, delivery: { properties: {} } }, order)!;
    const out = live({
      lines: [
        { due_on: '2026-03-01', site: 'Lyon' },
        { due_on: '2025-12-31', site: 'Paris' },
        { due_on: null, site: 'Lyon' },
        { due_on: '2026-10-02' },
      ],
    });
    expect(out).toMatchObject({ first: '2025-12-31', last: '2026-10-02', sites: 2 });
    expect(live({ lines: [] })).toMatchObject({ first: null, last: null, sites: 0 });
  });
});
