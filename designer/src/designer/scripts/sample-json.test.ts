import { describe, expect, it } from 'vitest';
import { parseSample, sampleFor } from './sample-json';

describe('parseSample', () => {
  it('accepts an object, and nothing as null', () => {
    expect(parseSample('{"amount": 5}')).toEqual({ ok: true, value: { amount: 5 } });
    expect(parseSample('   ')).toEqual({ ok: true, value: null });
  });

  it('reports broken JSON and non-objects instead of sending them', () => {
    expect(parseSample('{amount: 5').ok).toBe(false);
    expect(parseSample('[1]').ok).toBe(false);
    expect(parseSample('42').ok).toBe(false);
    expect(parseSample('null').ok).toBe(false);
  });
});

describe('sampleFor', () => {
  it('starts with empty values of each writable field type', () => {
    const text = sampleFor({
      id: { type: 'string' },
      name: { type: 'string' },
      amount: { type: ['number', 'null'] },
      done: { type: 'boolean' },
      created_at: { type: 'string', readOnly: true },
    });
    expect(JSON.parse(text)).toEqual({ name: '', amount: 0, done: false });
  });
});
