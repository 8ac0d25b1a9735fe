import { loadModel } from '../model/load-model';
import { describe, expect, it } from 'vitest';
import { coerceCell } from './import-coerce';

const model = loadModel(
  {
    objects: {
      deal: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 100 },
          amount: { type: 'number', 'x-kind': 'currency' },
          qty: { type: 'integer' },
          hot: { type: 'boolean' },
          tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
          close_on: { type: 'string', format: 'date' },
        },
      },
    },
  },
  1,
);
const deal = model.object('deal');
const c = (field: string, cell: string) => coerceCell(deal.field(field), cell);

describe('coerceCell', () => {
  it('reads an empty cell as null', () => {
    expect(c('amount', '  ')).toEqual({ ok: true, value: null });
    expect(c('name', '')).toEqual({ ok: true, value: null });
  });

  it('reads plain decimals and refuses anything ambiguous', () => {
    expect(c('amount', ' 1234.50 ')).toEqual({ ok: true, value: 1234.5 });
    expect(c('amount', '-1e3')).toEqual({ ok: true, value: -1000 });
    expect(c('amount', '1,5').ok).toBe(false);
    expect(c('amount', '12abc').ok).toBe(false);
    expect(c('amount', 'NaN').ok).toBe(false);
  });

  it('reads integers within the safe range', () => {
    expect(c('qty', '42')).toEqual({ ok: true, value: 42 });
    expect(c('qty', '4.2').ok).toBe(false);
    expect(c('qty', '99999999999999999999')).toEqual({ ok: false, error: 'Integer out of range' });
  });

  it('reads yes/no values', () => {
    expect(c('hot', 'TRUE')).toEqual({ ok: true, value: true });
    expect(c('hot', 'no')).toEqual({ ok: true, value: false });
    expect(c('hot', 'maybe').ok).toBe(false);
  });

  it('splits multi-select cells on semicolons', () => {
    expect(c('tags', 'a; b;')).toEqual({ ok: true, value: ['a', 'b'] });
  });

  it('keeps text as written and trims other kinds', () => {
    expect(c('name', ' Acme  Inc ')).toEqual({ ok: true, value: ' Acme  Inc ' });
    expect(c('close_on', ' 2026-01-02 ')).toEqual({ ok: true, value: '2026-01-02' });
  });
});
