import type { MetadataDocument } from '@forma/platform/plugin-api';

type ReportDefinition = NonNullable<MetadataDocument['reports']>[string];

const zh = (title: string) => ({ 'zh-CN': { title } });
const zhLabel = (label: string) => ({ 'zh-CN': { label } });

/** Expense statistics count approved money only (a line is approved with its claim). */
const APPROVED_EXPENSES = { approved: { eq: true } };

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
      { fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': zhLabel('商机数') },
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('金额') },
    ],
    derive: [
      { as: 'reached', expr: 'remaining(deals)', label: 'Reached', 'x-i18n': zhLabel('已到达') },
      {
        as: 'conversion',
        expr: 'round(reached / prev(reached) * 100, 1)',
        label: 'Conversion %',
        'x-i18n': zhLabel('转化率 %'),
      },
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
      { fn: 'sum', field: 'amount', as: 'won_amount', label: 'Won amount', 'x-i18n': zhLabel('赢单金额') },
      { fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': zhLabel('商机数') },
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
      { fn: 'sum', field: 'amount', as: 'won_amount', label: 'Won amount', 'x-i18n': zhLabel('赢单金额') },
      { fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': zhLabel('商机数') },
    ],
    sort: ['-won_amount'],
    chart: 'bar',
  },
  pipeline_by_month: {
    label: 'Open pipeline by close month',
    description:
      'Open deals by the month they are expected to close: amount and expected revenue (amount × win probability).',
    'x-i18n': zh('按预计成交月份的在途商机'),
    object: 'deal',
    filter: { stage: { nin: ['won', 'lost'] } },
    groupBy: [{ field: 'close_on', bucket: 'month', as: 'month' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('金额') },
      {
        fn: 'sum',
        field: 'expected_revenue',
        as: 'expected',
        label: 'Expected revenue',
        'x-i18n': zhLabel('预期收入'),
      },
      { fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': zhLabel('商机数') },
    ],
    chartValue: 'expected',
    chart: 'bar',
  },
  open_activities: {
    label: 'Open activities',
    description: 'Open calls, meetings and tasks: overdue, due today and upcoming.',
    'x-i18n': zh('未完成活动'),
    object: 'activity',
    filter: { status: { eq: 'open' } },
    groupBy: [{ field: 'due_state' }],
    aggregates: [{ fn: 'count', as: 'activities', label: 'Activities', 'x-i18n': zhLabel('活动数') }],
    chart: 'bar',
  },
  collections_by_month: {
    label: 'Collections by month',
    'x-i18n': zh('按月回款'),
    object: 'payment',
    groupBy: [{ field: 'paid_on', bucket: 'month', as: 'month' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'collected', label: 'Collected', 'x-i18n': zhLabel('回款金额') },
      { fn: 'count', as: 'payments', label: 'Payments', 'x-i18n': zhLabel('回款笔数') },
    ],
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
      { fn: 'sum', field: 'balance', as: 'outstanding', label: 'Outstanding', 'x-i18n': zhLabel('未收金额') },
      { fn: 'count', as: 'receivables', label: 'Receivables', 'x-i18n': zhLabel('应收笔数') },
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
      { fn: 'sum', field: 'revenue', as: 'revenue', label: 'Revenue', 'x-i18n': zhLabel('收入') },
      { fn: 'sum', field: 'won_deals', as: 'won_deals', label: 'Won deals', 'x-i18n': zhLabel('赢单数') },
      { fn: 'sum', field: 'cost', as: 'cost', label: 'Cost', 'x-i18n': zhLabel('成本') },
    ],
    derive: [
      { as: 'roi', expr: 'round((revenue - cost) / cost * 100, 1)', label: 'ROI %', 'x-i18n': zhLabel('投资回报率 %') },
    ],
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
    aggregates: [{ fn: 'count', as: 'cases', label: 'Cases', 'x-i18n': zhLabel('工单数') }],
    chart: 'pie',
  },
  satisfaction_by_month: {
    label: 'Satisfaction score by month',
    'x-i18n': zh('按月满意度评分'),
    object: 'survey',
    groupBy: [{ field: 'answered_on', bucket: 'month', as: 'month' }],
    aggregates: [
      { fn: 'avg', field: 'rating', as: 'score', label: 'Score', 'x-i18n': zhLabel('评分') },
      { fn: 'count', as: 'answers', label: 'Answers', 'x-i18n': zhLabel('答卷数') },
    ],
    derive: [{ as: 'score_rounded', expr: 'round(score, 2)', label: 'Score', 'x-i18n': zhLabel('评分') }],
    chart: 'line',
  },
  expenses_by_rep: {
    label: 'Expenses by rep',
    description: 'Approved expense lines per claimant (the owner of the line: whoever filed the claim).',
    'x-i18n': zh('按人员费用统计'),
    object: 'expense_line',
    filter: APPROVED_EXPENSES,
    groupBy: [{ field: 'owner' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Approved expenses', 'x-i18n': zhLabel('已批准费用') },
      { fn: 'count', as: 'lines', label: 'Expense lines', 'x-i18n': zhLabel('费用笔数') },
    ],
    sort: ['-amount'],
    chart: 'bar',
  },
  expenses_by_customer: {
    label: 'Expenses by customer',
    description: 'Approved expense lines per customer they were spent for; lines for no customer form one row.',
    'x-i18n': zh('按客户费用统计'),
    object: 'expense_line',
    filter: APPROVED_EXPENSES,
    groupBy: [{ field: 'account' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Approved expenses', 'x-i18n': zhLabel('已批准费用') },
      { fn: 'count', as: 'lines', label: 'Expense lines', 'x-i18n': zhLabel('费用笔数') },
    ],
    sort: ['-amount'],
    chart: 'bar',
  },
  expenses_by_campaign: {
    label: 'Expenses by campaign',
    description: "Approved expense lines per campaign: each campaign's cost is the same sum (its cost roll-up).",
    'x-i18n': zh('按营销活动费用统计'),
    object: 'expense_line',
    filter: APPROVED_EXPENSES,
    groupBy: [{ field: 'campaign' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Approved expenses', 'x-i18n': zhLabel('已批准费用') },
      { fn: 'count', as: 'lines', label: 'Expense lines', 'x-i18n': zhLabel('费用笔数') },
    ],
    sort: ['-amount'],
    chart: 'bar',
  },
};
