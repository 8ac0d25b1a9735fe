import { describe, expect, it } from 'vitest';
import { dashboardSpec, monthKey } from './dashboard-spec';

describe('dashboardSpec', () => {
  it('finds the pipeline and receivables objects from the metadata', () => {
    const spec = dashboardSpec({
      version: 1,
      objects: {
        account: { properties: { name: { type: 'string' } } },
        deal: {
          properties: {
            stage: { type: 'string', enum: ['new', 'won'] },
            amount: { type: 'number', 'x-kind': 'currency' },
            close_on: { type: 'string', format: 'date' },
          },
        },
        invoice: {
          properties: {
            due_on: { type: 'string', format: 'date' },
            total: { type: 'number' },
            balance: { type: 'number', 'x-kind': 'currency' },
          },
        },
      },
    });
    expect(spec.pipeline).toEqual({ object: 'deal', stage: 'stage', amount: 'amount', date: 'close_on' });
    expect(spec.receivables).toEqual({ object: 'invoice', due: 'due_on', amount: 'balance' });
  });

  it('leaves a chart out when no object fits or its fields are hidden', () => {
    expect(dashboardSpec(null)).toEqual({});
    const spec = dashboardSpec({
      version: 1,
      objects: {
        deal: {
          properties: { stage: { type: 'string', enum: ['a'] }, amount: { type: 'number', 'x-access': 'none' } },
        },
      },
    });
    expect(spec).toEqual({ pipeline: undefined, receivables: undefined });
  });

  it('reads month buckets', () => {
    expect(monthKey('2026-03-01')).toBe('2026-03');
    expect(monthKey(null)).toBe('');
  });
});
