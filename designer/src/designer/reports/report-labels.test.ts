import { describe, expect, it } from 'vitest';
import { type ReportDefinition, applyLabels, labelProblems, labelsOf, pathLabel } from './report-labels';

const funnel: ReportDefinition = {
  label: 'Sales funnel',
  'x-i18n': { 'zh-CN': { title: '销售漏斗', description: '说明' }, ja: { title: 'ファネル' } },
  object: 'deal',
  filter: { stage: { ne: 'lost' } },
  groupBy: [{ field: 'stage' }],
  aggregates: [
    { fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': { 'zh-CN': { label: '商机数' } } },
    { fn: 'sum', field: 'amount', as: 'amount' },
  ],
  derive: [{ as: 'reached', expr: 'remaining(deals)', label: 'Reached' }],
  chart: 'funnel',
  sort: ['-amount'],
  roles: ['sales_manager'],
};

describe('report labels', () => {
  it('reads the report, measure and derived labels, Chinese under label or title', () => {
    expect(labelsOf(funnel)).toEqual([
      { key: '', role: 'report', en: 'Sales funnel', zh: '销售漏斗' },
      { key: 'deals', role: 'measure', en: 'Deals', zh: '商机数' },
      { key: 'amount', role: 'measure', en: '', zh: '', source: 'amount' },
      { key: 'reached', role: 'derived', en: 'Reached', zh: '' },
      { key: 'stage', role: 'group', en: '', zh: '', source: 'stage' },
    ]);
  });

  it('unchanged labels give back the same report', () => {
    const same = applyLabels(funnel, labelsOf(funnel));
    // The Chinese report label moves from `title` to `label`; nothing else changes.
    expect(same).toEqual({
      ...funnel,
      'x-i18n': { 'zh-CN': { description: '说明', label: '销售漏斗' }, ja: { title: 'ファネル' } },
    });
  });

  it('changes only labels and keeps other languages and keys', () => {
    const rows = labelsOf(funnel);
    rows[0] = { ...rows[0]!, en: ' Funnel ', zh: '漏斗' };
    rows[1] = { ...rows[1]!, zh: '' };
    rows[2] = { ...rows[2]!, en: 'Amount', zh: '金额' };
    rows[3] = { ...rows[3]!, en: '' };
    const next = applyLabels(funnel, rows);
    expect(next).toEqual({
      ...funnel,
      label: 'Funnel',
      'x-i18n': { 'zh-CN': { description: '说明', label: '漏斗' }, ja: { title: 'ファネル' } },
      aggregates: [
        { fn: 'count', as: 'deals', label: 'Deals' },
        { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': { 'zh-CN': { label: '金额' } } },
      ],
      derive: [{ as: 'reached', expr: 'remaining(deals)' }],
    });
  });

  it('refuses a blank English report label and over-long labels', () => {
    const rows = labelsOf(funnel);
    rows[0] = { ...rows[0]!, en: '  ' };
    rows[1] = { ...rows[1]!, zh: 'x'.repeat(201) };
    rows[2] = { ...rows[2]!, en: '' };
    expect(labelProblems(rows)).toEqual({ '0.en': 'required', '1.zh': 'tooLong' });
    // Never stores a blank report label even if called anyway.
    expect(applyLabels(funnel, rows).label).toBe('Sales funnel');
  });

  it('labels group keys read through lookups, keeping their paths', () => {
    const byRegion: ReportDefinition = {
      label: 'Lines by region',
      object: 'order_line',
      groupBy: [{ field: 'order.account.region.name', as: 'region' }, { field: 'order.account.owner.name' }],
      aggregates: [{ fn: 'avg', field: 'order.account.revenue', as: 'revenue' }],
      chart: 'table',
    };
    const rows = labelsOf(byRegion);
    expect(rows.filter((r) => r.source).map((r) => [r.role, r.key, r.source])).toEqual([
      ['measure', 'revenue', 'order.account.revenue'],
      ['group', 'region', 'order.account.region.name'],
      ['group', 'order.account.owner.name', 'order.account.owner.name'],
    ]);
    rows[2] = { ...rows[2]!, en: 'Region', zh: '区域' };
    const next = applyLabels(byRegion, rows);
    expect(next.groupBy).toEqual([
      { field: 'order.account.region.name', as: 'region', label: 'Region', 'x-i18n': { 'zh-CN': { label: '区域' } } },
      { field: 'order.account.owner.name' },
    ]);
  });
});

describe('pathLabel', () => {
  const objects = {
    order_line: { type: 'object', properties: { order: { type: 'string', 'x-ref': 'order', title: 'Order' } } },
    order: {
      type: 'object',
      properties: {
        account: { type: 'string', 'x-ref': 'account', title: 'Account', 'x-i18n': { 'zh-CN': { title: '客户' } } },
      },
    },
    account: {
      type: 'object',
      properties: { city: { type: 'string', title: 'City' }, manager: { type: 'string', 'x-ref': 'user' } },
    },
  } as never;
  const user = (f: string) => `user:${f}`;
  it('reads each step through the lookups, in the reader language', () => {
    expect(pathLabel(objects, 'order_line', 'order.account.city', 'en', user)).toBe('Order › Account › City');
    expect(pathLabel(objects, 'order_line', 'order.account.city', 'zh-CN', user)).toBe('Order › 客户 › City');
    expect(pathLabel(objects, 'order_line', 'order.account.manager.name', 'en', user)).toBe(
      'Order › Account › Manager › user:name',
    );
    expect(pathLabel(objects, 'order_line', 'order.account.owner.name', 'en', user)).toBe(
      'Order › Account › Owner › user:name',
    );
    expect(pathLabel(objects, 'order_line', 'nope.thing', 'en', user)).toBe('Nope › Thing');
  });
});
