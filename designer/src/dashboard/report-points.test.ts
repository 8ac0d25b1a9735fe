import { describe, expect, it } from 'vitest';
import type { AppMeta } from '../meta/meta-types';
import { reportPoints } from './report-points';
import type { ReportRun } from './reports-api';

const meta = {
  objects: {
    deal: {
      type: 'object',
      properties: {
        stage: {
          type: 'string',
          enum: ['new', 'won'],
          'x-enum-labels': { new: 'New', won: 'Won' },
          'x-i18n': { 'zh-CN': { enum: { new: '新建', won: '赢单' } } },
        },
      },
    },
  },
} as unknown as AppMeta;

const run = (over: Partial<ReportRun>): ReportRun => ({
  name: 'r',
  label: 'R',
  object: 'deal',
  chart: 'bar',
  columns: [],
  rows: [],
  truncated: false,
  ...over,
});

describe('reportPoints', () => {
  it('labels select groups from the metadata, in the locale, and takes the first measure', () => {
    const r = run({
      columns: [
        { key: 'stage', label: 'Stage', role: 'group', field: 'stage', kind: 'select' },
        { key: 'n', label: 'n', role: 'measure', kind: 'integer' },
        { key: 'share', label: 'Share', role: 'derived', kind: 'number' },
      ],
      rows: [
        { stage: 'new', n: 3, share: 0.75 },
        { stage: 'won', n: 1, share: 0.25 },
      ],
    });
    expect(reportPoints(r, meta, 'zh-CN', (b) => b).points).toEqual([
      { label: '新建', value: 3 },
      { label: '赢单', value: 1 },
    ]);
  });

  it('labels points by the chosen group key and plots the chosen value', () => {
    const r = run({
      chartCategory: 'stage',
      chartValue: 'share',
      columns: [
        { key: 'close_on_year', label: 'Year', role: 'group', field: 'close_on', kind: 'date', bucket: 'year' },
        { key: 'stage', label: 'Stage', role: 'group', field: 'stage', kind: 'select' },
        { key: 'n', label: 'n', role: 'measure', kind: 'integer' },
        { key: 'share', label: 'Share', role: 'derived', kind: 'number' },
      ],
      rows: [
        { close_on_year: '2026', stage: 'new', n: 3, share: 0.5 },
        { close_on_year: '2026', stage: 'won', n: 1, share: 0.25 },
        { close_on_year: '2027', stage: 'new', n: 1, share: 0.25 },
      ],
    });
    // One point per stage: the years' values added up.
    expect(reportPoints(r, meta, 'en', (b) => b)).toEqual({
      points: [
        { label: 'New', value: 0.75 },
        { label: 'Won', value: 0.25 },
      ],
      valueLabel: 'Share',
    });
    // A category that is not a group column (a stale setting) falls back to the first group.
    const stale = reportPoints({ ...r, chartCategory: 'n' }, meta, 'en', (b) => b);
    expect(stale.points.map((p) => p.label)).toEqual(['2026', '2026', '2027']);
  });

  it('prefers lookup labels, names aging buckets, shows empty groups as a dash', () => {
    const owners = run({
      columns: [
        { key: 'owner', label: 'Owner', role: 'group', field: 'owner', kind: 'lookup' },
        { key: 'won', label: 'Won', role: 'measure', kind: 'currency' },
      ],
      rows: [
        { owner: 'u1', owner_label: 'Ann', won: '1200.5' },
        { owner: null, owner_label: null, won: null },
      ],
    });
    expect(reportPoints(owners, meta, 'en', (b) => b).points).toEqual([
      { label: 'Ann', value: 1200.5 },
      { label: '—', value: 0 },
    ]);
    const aging = run({
      columns: [
        { key: 'age', label: 'Due', role: 'group', field: 'due_on', kind: 'text', bucket: 'aging' },
        { key: 'sum', label: 'Sum', role: 'measure', kind: 'currency' },
      ],
      rows: [{ age: '1-30', sum: 5 }],
    });
    const result = reportPoints(aging, meta, 'en', (b) => `bucket ${b}`);
    expect(result).toEqual({ points: [{ label: 'bucket 1-30', value: 5 }], valueLabel: 'Sum' });
  });
});

describe('reportPoints with chartValue', () => {
  it('plots the column the report names (a derived ROI) instead of the first measure', () => {
    const r = run({
      chartValue: 'roi',
      columns: [
        { key: 'campaign', label: 'Campaign', role: 'group', field: 'name', kind: 'text' },
        { key: 'revenue', label: 'Revenue', role: 'measure', kind: 'currency' },
        { key: 'roi', label: 'ROI %', role: 'derived', kind: 'number' },
      ],
      rows: [{ campaign: 'Spring', revenue: 12000, roi: 300 }],
    });
    expect(reportPoints(r, meta, 'en', (b) => b)).toEqual({
      points: [{ label: 'Spring', value: 300 }],
      valueLabel: 'ROI %',
    });
  });
});

describe('reportPoints across objects', () => {
  it('labels a select read through a lookup, and a hidden parent as hidden', () => {
    const withAccount = {
      objects: {
        ...meta.objects,
        sale: { type: 'object', properties: { deal: { type: 'string', format: 'uuid', 'x-ref': 'deal' } } },
      },
    } as unknown as AppMeta;
    const r = run({
      object: 'sale',
      columns: [
        { key: 'stage', label: 'Deal › Stage', role: 'group', field: 'deal.stage', kind: 'select' },
        { key: 'n', label: 'n', role: 'measure', kind: 'integer' },
      ],
      rows: [
        { stage: 'won', n: 2 },
        { stage: null, stage_hidden: true, n: 1 },
        { stage: null, n: 4 },
      ],
    });
    expect(reportPoints(r, withAccount, 'zh-CN', (b) => b, '（已隐藏）').points).toEqual([
      { label: '赢单', value: 2 },
      { label: '（已隐藏）', value: 1 },
      { label: '—', value: 4 },
    ]);
  });

  it('labels a group of named values (an RFM segment) from its column options, in the locale', () => {
    const r = run({
      object: 'order',
      columns: [
        {
          key: 'segment',
          label: 'RFM segment',
          role: 'group',
          kind: 'text',
          options: [
            { value: 'champions', label: 'Champions', 'x-i18n': { 'zh-CN': { label: '重要价值客户' } } },
            { value: 'at_risk', label: 'At risk', 'x-i18n': { 'zh-CN': { label: '流失风险客户' } } },
          ],
        },
        { key: 'customers', label: 'Customers', role: 'measure', kind: 'integer' },
      ],
      rows: [
        { segment: 'champions', customers: 3 },
        { segment: 'at_risk', customers: 2 },
        { segment: 'unknown_value', customers: 1 },
      ],
    });
    expect(reportPoints(r, meta, 'en', (b) => b).points.map((p) => p.label)).toEqual([
      'Champions',
      'At risk',
      'unknown_value',
    ]);
    expect(reportPoints(r, meta, 'zh-CN', (b) => b).points.map((p) => p.label)).toEqual([
      '重要价值客户',
      '流失风险客户',
      'unknown_value',
    ]);
  });
});

describe('reportPoints with chartSeries', () => {
  const r = run({
    chartSeries: 'stage',
    columns: [
      { key: 'close_on_year', label: 'Year', role: 'group', field: 'close_on', kind: 'date', bucket: 'year' },
      { key: 'stage', label: 'Stage', role: 'group', field: 'stage', kind: 'select' },
      { key: 'n', label: 'n', role: 'measure', kind: 'integer' },
    ],
    rows: [
      { close_on_year: '2026', stage: 'new', n: 3 },
      { close_on_year: '2026', stage: 'won', n: 1 },
      { close_on_year: '2027', stage: 'won', n: 2 },
    ],
  });

  it('gives one point per category with one value per series, the series named in the locale', () => {
    expect(reportPoints(r, meta, 'zh-CN', (b) => b)).toEqual({
      points: [
        { label: '2026', value: 4, values: { s0: 3, s1: 1 } },
        { label: '2027', value: 2, values: { s1: 2 } },
      ],
      valueLabel: 'n',
      series: [
        { key: 's0', label: '新建' },
        { key: 's1', label: '赢单' },
      ],
    });
  });

  it('names the points by the other grouping when the first is the series, and adds up for a pie', () => {
    const firstAsSeries = { ...r, chartSeries: 'close_on_year' };
    expect(reportPoints(firstAsSeries, meta, 'en', (b) => b).series?.map((s) => s.label)).toEqual(['2026', '2027']);
    // A pie draws one series: the points are the categories, the series added up.
    expect(reportPoints(r, meta, 'en', (b) => b, '(hidden)', false)).toEqual({
      points: [
        { label: '2026', value: 4 },
        { label: '2027', value: 2 },
      ],
      valueLabel: 'n',
    });
  });
});

describe('reportPoints series order', () => {
  it("keeps a picklist's order for its series, whatever row shows them first", () => {
    const r = run({
      chartSeries: 'stage',
      columns: [
        { key: 'year', label: 'Year', role: 'group', field: 'close_on', kind: 'date', bucket: 'year' },
        { key: 'stage', label: 'Stage', role: 'group', field: 'stage', kind: 'select' },
        { key: 'n', label: 'n', role: 'measure', kind: 'integer' },
      ],
      rows: [
        { year: '2026', stage: 'won', n: 1 },
        { year: '2027', stage: 'new', n: 2 },
      ],
    });
    expect(reportPoints(r, meta, 'en', (b) => b).series).toEqual([
      { key: 's1', label: 'New' },
      { key: 's0', label: 'Won' },
    ]);
  });
});
