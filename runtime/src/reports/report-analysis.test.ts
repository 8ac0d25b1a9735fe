import type { ReportDefinition } from '@forma/metadata';
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../model/load-model';
import { analysisIssues, columnsRead, customerCtes, purchasesInput, type ReportAnalysis } from './report-analysis';

const analysis = { customer: 'account', date: 'ordered_on', amount: 'amount', cost: 'cost' };
const report = (patch: Partial<ReportDefinition> & { analysis: ReportAnalysis }): ReportDefinition =>
  ({
    label: 'r',
    object: 'order',
    groupBy: [],
    aggregates: [{ fn: 'count', as: 'n' }],
    chart: 'table',
    ...patch,
  }) as ReportDefinition;
const rfmSegments = report({
  analysis: { kind: 'customers', ...analysis },
  groupBy: [{ field: 'rfm_segment', as: 'segment' }],
  aggregates: [
    { fn: 'count', as: 'customers' },
    { fn: 'sum', field: 'revenue', as: 'revenue' },
    { fn: 'sum', field: 'margin', as: 'margin' },
  ],
});
const sqlOf = (def: ReportDefinition) =>
  customerCtes(
    def.analysis as ReportAnalysis,
    {} as Knex.QueryBuilder,
    (key) => `m_${key}`,
    false,
    '2026-12-07',
    columnsRead(def),
  );
/** The distinct window orderings of a statement: each one is a sort of every customer. */
const orderings = (sql: string) => new Set(sql.match(/over \(order by \w+\)/g) ?? []);

describe('the per-customer columns an analysis computes', () => {
  it('an RFM-segment report computes the segment inputs and its measures, nothing else', () => {
    expect([...columnsRead(rfmSegments)].sort()).toEqual(
      ['cost', 'customer', 'f5', 'last_on', 'margin', 'orders', 'revenue', 'r5', 'rfm_segment'].sort(),
    );
    const { sql, bindings } = sqlOf(rfmSegments);
    // Two orderings (last purchase, purchase count), as the hand-written SQL; no monetary score.
    expect(orderings(sql)).toEqual(new Set(['over (order by last_on)', 'over (order by orders)']));
    expect(sql).not.toMatch(/monetary|avg_interval|cohort|churn_risk|days_since_last/);
    // Bindings follow the text's placeholders.
    expect(bindings.length).toBe((sql.match(/\?/g) ?? []).length);
  });

  it('follows what derived columns are computed from (rfm needs all three scores; churn its interval)', () => {
    const def = report({
      analysis: { kind: 'customers', ...analysis, quantiles: 3, where: { churn_risk: { eq: true } } },
      groupBy: [{ field: 'rfm' }],
    });
    const cols = columnsRead(def);
    for (const c of ['recency', 'frequency', 'monetary', 'days_since_last', 'avg_interval', 'first_on', 'orders'])
      expect(cols.has(c), c).toBe(true);
    expect(cols.has('rfm_segment')).toBe(false);
    const { sql, bindings } = sqlOf(def);
    expect(orderings(sql).size).toBe(3);
    expect(bindings.length).toBe((sql.match(/\?/g) ?? []).length);
  });

  it('a cohort analysis reads its cohort and first purchase, per customer and day', () => {
    const def = report({ analysis: { kind: 'cohort', ...analysis }, groupBy: [{ field: 'cohort' }] });
    expect([...columnsRead(def)].sort()).toEqual(['cohort', 'customer', 'first_on']);
    const { sql } = sqlOf(def);
    expect(orderings(sql).size).toBe(0);
    expect(purchasesInput(def, false, '2026-12-07').groupBy).toEqual(['account.id', 'ordered_on']);
    // The others read one row per customer: first and last purchase as min and max.
    const rfm = purchasesInput(rfmSegments, false, '2026-12-07');
    expect(rfm).toMatchObject({ groupBy: ['account.id'], max: 'ordered_on', sum: ['amount', 'cost'] });
    expect(rfm.min).toBeUndefined();
    const tenure = report({ analysis: { kind: 'customers', ...analysis }, groupBy: [{ field: 'tenure_days' }] });
    expect(purchasesInput(tenure, false, '2026-12-07')).toMatchObject({ min: 'ordered_on', max: 'ordered_on' });
  });
});

describe('analysisIssues', () => {
  const model = loadModel(
    {
      objects: {
        account: { type: 'object', properties: { name: { type: 'string' } } },
        order: {
          type: 'object',
          properties: {
            account: { type: 'string', format: 'uuid', 'x-ref': 'account' },
            ordered_on: { type: 'string', format: 'date' },
            amount: { type: 'number' },
            note: { type: 'string' },
          },
        },
      },
    },
    1,
  );
  const order = model.object('order');
  const resolve = (p: string) => order.fields.get(p);

  it('gives each problem a code and its facts beside the English', () => {
    const issues = analysisIssues(
      report({
        analysis: { kind: 'customers', customer: 'note', date: 'amount', amount: 'note', cost: 'note' },
        groupBy: [{ field: 'ghost', as: 'g' }],
        aggregates: [{ fn: 'sum', field: 'first_on', as: 's' }],
        compare: { field: 'ordered_on', period: 'month' },
      }),
      model,
      resolve,
    );
    const coded = issues.map((i) => [i.path, i.code, i.params]);
    expect(coded).toEqual(
      expect.arrayContaining([
        ['/analysis/customer', 'analysis_customer_lookup', { field: 'note' }],
        ['/analysis/date', 'not_a_date', { field: 'amount' }],
        ['/analysis/amount', 'analysis_not_number', { field: 'note' }],
        ['/analysis/cost', 'analysis_cost_is_amount', undefined],
        ['/compare', 'analysis_no_compare', undefined],
        ['/groupBy/0/field', 'analysis_unknown_column', expect.objectContaining({ column: 'ghost' })],
        ['/aggregates/0/field', 'aggregate_needs_number', { fn: 'sum', field: 'first_on' }],
      ]),
    );
    expect(issues.every((i) => i.code)).toBe(true);
  });
});
