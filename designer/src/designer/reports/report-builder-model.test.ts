import { describe, expect, it } from 'vitest';
import type { ConditionRow } from '../../conditions/condition-model';
import type { ObjectSchema } from '../../meta/meta-types';
import { columnName, draftOf, newDraft, pathKind, pathSteps, toDefinition, withWidget } from './report-builder-model';
import type { ReportDefinition } from './report-labels';

const objects: Record<string, ObjectSchema> = {
  deal: {
    title: 'Deal',
    properties: {
      name: { type: 'string', title: 'Name' },
      amount: { type: 'number', title: 'Amount', 'x-kind': 'currency' },
      stage: { type: 'string', title: 'Stage', enum: ['new', 'won'] },
      close_on: { type: 'string', format: 'date', title: 'Close date' },
      account: { type: 'string', format: 'uuid', 'x-ref': 'account', title: 'Account' },
    },
  },
  account: {
    title: 'Account',
    properties: {
      name: { type: 'string', title: 'Name', 'x-i18n': { 'zh-CN': { title: '名称' } } },
      region: { type: 'string', format: 'uuid', 'x-ref': 'region', title: 'Region' },
    },
  },
  region: { title: 'Region', properties: { name: { type: 'string', title: 'Name' } } },
};
const deal = objects.deal as ObjectSchema;

describe('report builder model', () => {
  it('builds a stored report from a new draft, naming columns from their paths', () => {
    const draft = newDraft('deal', 'By region');
    draft.groups = [
      { field: 'account.region.name', bucket: '' },
      { field: 'close_on', bucket: 'month' },
    ];
    draft.measures.push({ fn: 'sum', field: 'amount', label: 'Amount', zh: '金额' });
    draft.conditions = { kind: 'group', join: 'and', items: [{ kind: 'row', field: 'stage', op: 'eq', value: 'won' }] };
    draft.sort = '-sum_amount';
    const { def, problems, conditionProblems } = toDefinition(draft, deal);
    expect(problems).toEqual({});
    expect(conditionProblems).toEqual([]);
    expect(def).toEqual({
      label: 'By region',
      object: 'deal',
      filter: { stage: { eq: 'won' } },
      groupBy: [
        { field: 'account.region.name', as: 'account_region_name' },
        { field: 'close_on', bucket: 'month', as: 'close_on_month' },
      ],
      aggregates: [
        { fn: 'count', as: 'count' },
        { fn: 'sum', field: 'amount', as: 'sum_amount', label: 'Amount', 'x-i18n': { 'zh-CN': { label: '金额' } } },
      ],
      sort: ['-sum_amount'],
      chart: 'bar',
    });
  });

  it('keeps what it does not edit and the names of unchanged columns', () => {
    const stored: ReportDefinition = {
      label: 'Sales',
      description: 'Kept',
      object: 'deal',
      groupBy: [{ field: 'stage', as: 'st', label: 'Stage!' }],
      aggregates: [
        { fn: 'sum', field: 'amount', as: 'total' },
        { fn: 'count', as: 'n' },
      ],
      derive: [{ as: 'avg', expr: 'total / n' }],
      sort: ['-total', 'st'],
      chart: 'funnel',
      roles: ['sales_rep'],
      'x-i18n': { 'zh-CN': { label: '销售' }, fr: { label: 'Ventes' } },
    };
    const draft = draftOf(stored, deal);
    expect(draft.measures.map((m) => [m.fn, m.field])).toEqual([
      ['sum', 'amount'],
      ['count', ''],
    ]);
    expect(draft.zh).toBe('销售');
    expect(toDefinition(draft, deal, stored).def).toEqual(stored);
    // A changed measure gets a new name; the stale first sort key is dropped with it.
    draft.measures[0] = { fn: 'avg', field: 'amount', label: '', zh: '' };
    const { def } = toDefinition(draft, deal, stored);
    expect(def.aggregates[0]).toEqual({ fn: 'avg', field: 'amount', as: 'avg_amount' });
    expect(def.sort).toBeUndefined();
    expect(def.derive).toEqual(stored.derive);
  });

  it('edits derived columns and who may run the report', () => {
    const draft = newDraft('deal', 'Pareto');
    draft.measures = [{ fn: 'sum', field: 'amount', label: '', zh: '' }];
    draft.derived = [
      {
        as: 'share',
        expr: ' round(running(sum_amount) / total(sum_amount) * 100, 1) ',
        label: 'Share',
        zh: '占比',
        stored: undefined,
      },
    ];
    draft.roles = ['sales_rep', 'sales_rep', 'sales_manager'];
    const { def, problems } = toDefinition(draft, deal);
    expect(problems).toEqual({});
    expect(def.derive).toEqual([
      {
        as: 'share',
        expr: 'round(running(sum_amount) / total(sum_amount) * 100, 1)',
        label: 'Share',
        'x-i18n': { 'zh-CN': { label: '占比' } },
      },
    ]);
    expect(def.roles).toEqual(['sales_rep', 'sales_manager']);
    // Read back, then removed: no derive, and a chart value naming it is dropped with it.
    const back = draftOf({ ...def, chartValue: 'share' }, deal);
    expect(back.derived.map((d) => [d.as, d.label, d.zh])).toEqual([['share', 'Share', '占比']]);
    expect(toDefinition(back, deal, { ...def, chartValue: 'share' }).def.chartValue).toBe('share');
    back.derived = [];
    back.roles = [];
    const removed = toDefinition(back, deal, { ...def, chartValue: 'share' }).def;
    expect(removed.derive).toBeUndefined();
    expect(removed.chartValue).toBeUndefined();
    expect(removed.roles).toBeUndefined();
    // Problems at their fields: a blank or bad or taken name, a blank expression.
    back.derived = [
      { as: '', expr: 'x', label: '', zh: '' },
      { as: 'Bad name', expr: 'x', label: '', zh: '' },
      { as: 'sum_amount', expr: '', label: '', zh: '' },
    ];
    expect(toDefinition(back, deal).problems).toEqual({
      '/derive/0/as': 'derivedNameRequired',
      '/derive/1/as': 'derivedNamePattern',
      '/derive/2/as': 'derivedNameTaken',
      '/derive/2/expr': 'exprRequired',
    });
  });

  it('makes column names unique and safe', () => {
    expect(columnName('account.region.name')).toBe('account_region_name');
    expect(columnName('sum', 'a'.repeat(80))).toHaveLength(63);
    const draft = newDraft('deal', 'Twice');
    draft.measures = [
      { fn: 'sum', field: 'amount', label: '', zh: '' },
      { fn: 'sum', field: 'amount', label: '', zh: '' },
    ];
    expect(toDefinition(draft, deal).def.aggregates.map((a) => a.as)).toEqual(['sum_amount', 'sum_amount_2']);
  });

  it('says what is missing before anything is sent', () => {
    const draft = newDraft('deal', ' ');
    draft.groups = [{ field: '', bucket: '' }];
    draft.measures = [{ fn: 'sum', field: '', label: '', zh: '' }];
    draft.compare = { on: true, field: '', period: 'month', previous: false, lastYear: false, toDate: false };
    draft.conditions = { kind: 'group', join: 'and', items: [{ kind: 'row', field: 'amount', op: 'gt', value: '' }] };
    const built = toDefinition(draft, deal);
    expect(built.problems).toEqual({
      '/label': 'labelRequired',
      '/groupBy/0/field': 'fieldRequired',
      '/aggregates/0/field': 'fieldRequired',
      '/compare/field': 'compareFieldRequired',
      '/compare/with': 'compareWithRequired',
    });
    expect(built.conditionProblems).toEqual([{ at: [0], code: 'needsValue' }]);
  });

  it('reads a filter through lookups into the condition builder and writes it back', () => {
    const stored: ReportDefinition = {
      label: 'North',
      object: 'deal',
      filter: { and: [{ 'account.region.name': { eq: 'North' } }, { stage: { eq: 'won' } }] },
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'table',
    };
    const draft = draftOf(stored, deal, objects);
    expect(draft.keptFilter).toBeNull();
    expect(draft.conditions.items[0]).toEqual({
      kind: 'row',
      field: 'account.region.name',
      op: 'eq',
      value: 'North',
    });
    expect(toDefinition(draft, deal, stored, objects).def.filter).toEqual(stored.filter);
    // Edited: the path row takes a new value; a blank one is a problem at its row.
    draft.conditions = {
      ...draft.conditions,
      items: [{ ...(draft.conditions.items[0] as ConditionRow), value: 'South' }],
    };
    expect(toDefinition(draft, deal, stored, objects).def.filter).toEqual({
      'account.region.name': { eq: 'South' },
    });
    draft.conditions = { ...draft.conditions, items: [{ ...(draft.conditions.items[0] as ConditionRow), value: ' ' }] };
    expect(toDefinition(draft, deal, stored, objects).conditionProblems).toEqual([{ at: [0], code: 'needsValue' }]);
  });

  it('stores which column the chart draws and which grouping names its points', () => {
    const draft = newDraft('deal', 'By stage and year');
    draft.groups = [
      { field: 'close_on', bucket: 'year' },
      { field: 'stage', bucket: '' },
    ];
    draft.measures = [
      { fn: 'count', field: '', label: '', zh: '' },
      { fn: 'sum', field: 'amount', label: '', zh: '' },
    ];
    draft.chartValue = 'sum_amount';
    draft.chartCategory = 'stage';
    const { def } = toDefinition(draft, deal);
    expect([def.chartValue, def.chartCategory]).toEqual(['sum_amount', 'stage']);
    expect(draftOf(def, deal)).toMatchObject({ chartValue: 'sum_amount', chartCategory: 'stage' });
    // A group is not a value, a measure is not a category; a removed column is dropped.
    draft.chartValue = 'stage';
    draft.chartCategory = 'count';
    expect(toDefinition(draft, deal).def).not.toHaveProperty('chartValue');
    expect(toDefinition(draft, deal).def).not.toHaveProperty('chartCategory');
    draft.chartValue = 'sum_amount';
    draft.chartCategory = 'stage';
    draft.measures = draft.measures.slice(0, 1);
    draft.groups = draft.groups.slice(0, 1);
    expect(toDefinition(draft, deal).def).not.toHaveProperty('chartValue');
    expect(toDefinition(draft, deal).def).not.toHaveProperty('chartCategory');
  });

  it('stores a second grouping as the chart series, never the grouping naming the points', () => {
    const draft = newDraft('deal', 'By stage and owner');
    draft.groups = [
      { field: 'stage', bucket: '' },
      { field: 'account', bucket: '' },
    ];
    draft.measures = [{ fn: 'count', field: '', label: '', zh: '' }];
    draft.chartSeries = 'account';
    const { def } = toDefinition(draft, deal);
    expect([def.chartCategory, def.chartSeries]).toEqual([undefined, 'account']);
    expect(draftOf(def, deal)).toMatchObject({ chartSeries: 'account' });
    // The first grouping as series: the points are named by the other one.
    draft.chartSeries = 'stage';
    expect(toDefinition(draft, deal).def.chartSeries).toBe('stage');
    // The same grouping for both, a measure, or one grouping left: no series.
    draft.chartCategory = 'stage';
    expect(toDefinition(draft, deal).def).not.toHaveProperty('chartSeries');
    draft.chartCategory = '';
    draft.chartSeries = 'count';
    expect(toDefinition(draft, deal).def).not.toHaveProperty('chartSeries');
    draft.chartSeries = 'account';
    draft.groups = draft.groups.slice(0, 1);
    expect(toDefinition(draft, deal).def).not.toHaveProperty('chartSeries');
  });

  it('keeps a filter the condition builder cannot show', () => {
    const stored: ReportDefinition = {
      label: 'North',
      object: 'deal',
      filter: { 'account.ghost': { eq: 'North' } },
      aggregates: [{ fn: 'count', as: 'n' }],
      chart: 'table',
    };
    const draft = draftOf(stored, deal, objects);
    expect(draft.keptFilter).toEqual(stored.filter);
    expect(toDefinition(draft, deal, stored, objects).def.filter).toEqual(stored.filter);
  });

  it('walks lookups step by step, at most three', () => {
    const steps = pathSteps(objects, 'deal', 'account.region.name', 'zh-CN');
    expect(steps.map((s) => [s.object, s.value])).toEqual([
      ['deal', 'account'],
      ['account', 'region'],
      ['region', 'name'],
    ]);
    expect(steps[0]?.options.find((o) => o.name === 'account')?.ref).toBe('account');
    expect(steps[0]?.options.find((o) => o.name === 'owner')?.ref).toBe('user');
    expect(pathSteps(objects, 'deal', 'account', 'en')).toHaveLength(2);
    expect(pathSteps(objects, 'deal', 'owner', 'en')[1]?.options.map((o) => o.name)).toEqual(['name', 'email']);
    expect(pathKind(objects, 'deal', 'account.region.name')).toBe('text');
    expect(pathKind(objects, 'deal', 'close_on')).toBe('date');
    expect(pathKind(objects, 'deal', 'amount')).toBe('currency');
  });

  it('adds a widget once', () => {
    const d = { label: 'Home', widgets: [{ report: 'a' }] };
    expect(withWidget(d, 'a')).toBe(d);
    expect(withWidget(d, 'b').widgets).toEqual([{ report: 'a' }, { report: 'b', width: 'half' }]);
  });
});
