import type { MetadataDocument } from '@forma/platform/plugin-api';

type ReportDefinition = NonNullable<MetadataDocument['reports']>[string];

const zh = (title: string) => ({ 'zh-CN': { title } });

/**
 * The CRM's built-in reports. Derived numbers that are not plain aggregates (conversion, ROI) are
 * `derive` expressions over each row's columns (docs/documents.md, "Reports").
 */
export const reports: Record<string, ReportDefinition> = {
  sales_funnel: {
    label: 'Sales funnel by stage',
    description:
      'Open and won deals per stage, in stage order. reached = deals at this stage or further; conversion = share of the previous stage that got this far (%).',
    'x-i18n': zh('按阶段的销售漏斗'),
    object: 'deal',
    filter: { stage: { ne: 'lost' } },
    groupBy: [{ field: 'stage' }],
    aggregates: [
      { fn: 'count', as: 'deals' },
      { fn: 'sum', field: 'amount', as: 'amount' },
    ],
    derive: [
      { as: 'reached', expr: 'remaining(deals)', label: 'Reached' },
      { as: 'conversion', expr: 'round(reached / prev(reached) * 100, 1)', label: 'Conversion %' },
    ],
    chart: 'funnel',
  },
  won_by_month: {
    label: 'Won amount by month',
    'x-i18n': zh('按月赢单金额'),
    object: 'deal',
    filter: { stage: { eq: 'won' } },
    groupBy: [{ field: 'close_on', bucket: 'month', as: 'month' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'won_amount' },
      { fn: 'count', as: 'deals' },
    ],
    chart: 'line',
  },
  won_by_owner: {
    label: 'Won amount by owner',
    'x-i18n': zh('按负责人赢单金额'),
    object: 'deal',
    filter: { stage: { eq: 'won' } },
    groupBy: [{ field: 'owner' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'won_amount' },
      { fn: 'count', as: 'deals' },
    ],
    sort: ['-won_amount'],
    chart: 'bar',
  },
  receivables_aging: {
    label: 'Receivables aging',
    description: 'Outstanding balances by days past due: current, 1–30, 31–60, 61–90, 91–180, over 180.',
    'x-i18n': zh('应收账龄'),
    object: 'receivable',
    filter: { balance: { gt: 0 } },
    groupBy: [{ field: 'due_on', bucket: 'aging', limits: [30, 60, 90, 180], as: 'age' }],
    aggregates: [
      { fn: 'sum', field: 'balance', as: 'outstanding' },
      { fn: 'count', as: 'receivables' },
    ],
    chart: 'bar',
  },
  campaign_roi: {
    label: 'Campaign ROI',
    description:
      "Revenue attributed to each campaign (the amounts of its won deals, the campaign's revenue roll-up) against its actual cost; roi = (revenue − cost) / cost (%).",
    'x-i18n': zh('营销活动投资回报'),
    object: 'campaign',
    groupBy: [{ field: 'name', as: 'campaign' }],
    aggregates: [
      { fn: 'sum', field: 'revenue', as: 'revenue' },
      { fn: 'sum', field: 'won_deals', as: 'won_deals' },
      { fn: 'sum', field: 'cost', as: 'cost' },
    ],
    derive: [{ as: 'roi', expr: 'round((revenue - cost) / cost * 100, 1)', label: 'ROI %' }],
    // The title promises ROI: plot it, not the revenue it is computed from.
    chartValue: 'roi',
    sort: ['-roi'],
    chart: 'bar',
  },
  cases_by_status: {
    label: 'Service cases by status',
    'x-i18n': zh('按状态的服务工单'),
    object: 'service_case',
    groupBy: [{ field: 'status' }],
    aggregates: [{ fn: 'count', as: 'cases' }],
    chart: 'pie',
  },
  satisfaction_by_month: {
    label: 'Satisfaction score by month',
    'x-i18n': zh('按月满意度评分'),
    object: 'survey',
    groupBy: [{ field: 'answered_on', bucket: 'month', as: 'month' }],
    aggregates: [
      { fn: 'avg', field: 'rating', as: 'score' },
      { fn: 'count', as: 'answers' },
    ],
    derive: [{ as: 'score_rounded', expr: 'round(score, 2)', label: 'Score' }],
    chart: 'line',
  },
};
