import type { MetadataDocument } from '@forma/platform/plugin-api';

type ReportDefinition = NonNullable<MetadataDocument['reports']>[string];

const zh = (title: string) => ({ 'zh-CN': { title } });
const zhLabel = (label: string) => ({ 'zh-CN': { label } });
/** Orders that count as purchases in the customer value analyses. */
const PURCHASES = { status: { in: ['confirmed', 'shipped', 'delivered'] } };

/** Expense statistics count approved money only (a line is approved with its claim). */
const APPROVED_EXPENSES = { approved: { eq: true } };

/** Approved expense lines summed and counted per one field of the line (rep, customer, campaign). */
function expensesBy(field: string, label: string, zhTitle: string, description: string): ReportDefinition {
  return {
    label,
    description,
    'x-i18n': zh(zhTitle),
    object: 'expense_line',
    filter: APPROVED_EXPENSES,
    groupBy: [{ field }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Approved expenses', 'x-i18n': zhLabel('已批准费用') },
      { fn: 'count', as: 'lines', label: 'Expense lines', 'x-i18n': zhLabel('费用笔数') },
    ],
    sort: ['-amount'],
    chart: 'bar',
  };
}

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
  // Customer value (docs/analytics.md): orders that were not cancelled are purchases; the viewer's
  // readable orders count for the customers they may read.
  top_customers_by_margin: {
    label: 'Top customers by margin',
    description:
      "The customers bringing the most margin (revenue − cost of their orders), with each one's share of the whole margin and the cumulative share (Pareto: how few customers make 80 %).",
    'x-i18n': zh('毛利贡献最高的客户'),
    object: 'order',
    filter: PURCHASES,
    analysis: { kind: 'customers', customer: 'account', date: 'ordered_on', amount: 'amount', cost: 'cost' },
    groupBy: [{ field: 'customer' }],
    aggregates: [
      { fn: 'sum', field: 'margin', as: 'margin', label: 'Margin', 'x-i18n': zhLabel('毛利') },
      { fn: 'sum', field: 'revenue', as: 'revenue', label: 'Revenue', 'x-i18n': zhLabel('收入') },
      { fn: 'sum', field: 'orders', as: 'orders', label: 'Orders', 'x-i18n': zhLabel('订单数') },
    ],
    derive: [
      { as: 'share', expr: 'round(margin / total(margin) * 100, 1)', label: 'Share %', 'x-i18n': zhLabel('占比 %') },
      {
        as: 'cumulative_share',
        expr: 'round(running(margin) / total(margin) * 100, 1)',
        label: 'Cumulative share %',
        'x-i18n': zhLabel('累计占比 %'),
      },
    ],
    sort: ['-margin'],
    limit: 20,
    chart: 'table',
  },
  rfm_segments: {
    label: 'Customers by RFM segment',
    description:
      'Customers scored on recency, frequency and monetary value of the last two years of orders (quintiles), in the segments of the usual RFM map.',
    'x-i18n': zh('RFM 客户分群'),
    object: 'order',
    filter: PURCHASES,
    analysis: {
      kind: 'customers',
      customer: 'account',
      date: 'ordered_on',
      amount: 'amount',
      months: 24,
    },
    groupBy: [{ field: 'rfm_segment', as: 'segment' }],
    aggregates: [
      { fn: 'count', as: 'customers', label: 'Customers', 'x-i18n': zhLabel('客户数') },
      { fn: 'sum', field: 'revenue', as: 'revenue', label: 'Revenue', 'x-i18n': zhLabel('收入') },
      {
        fn: 'avg',
        field: 'days_since_last',
        as: 'days',
        label: 'Days since last order',
        'x-i18n': zhLabel('距上次下单天数'),
      },
    ],
    sort: ['-customers'],
    chart: 'bar',
  },
  rfm_movement: {
    label: 'RFM segment sizes and movement',
    description:
      'Accounts by their stored RFM segment now and 30 days ago: each row counts the accounts that moved from one segment to another (the same segment: stayed). Refreshed nightly.',
    'x-i18n': zh('RFM 客户分群规模与迁移'),
    object: 'order',
    filter: PURCHASES,
    analysis: { kind: 'movement', customer: 'account', date: 'ordered_on', amount: 'amount', days: 30 },
    groupBy: [
      { field: 'to_segment', as: 'now', label: 'Segment now', 'x-i18n': zhLabel('现在的分群') },
      { field: 'from_segment', as: 'before', label: 'Segment 30 days ago', 'x-i18n': zhLabel('30 天前的分群') },
    ],
    aggregates: [{ fn: 'count', as: 'customers', label: 'Accounts', 'x-i18n': zhLabel('客户数') }],
    chart: 'table',
  },
  retention_cohorts: {
    label: 'Customer retention by first-order month',
    description:
      'Customers by the month of their first order, and the share of them ordering again 1, 2, … 6 months later.',
    'x-i18n': zh('按首单月份的客户留存'),
    object: 'order',
    filter: PURCHASES,
    analysis: { kind: 'cohort', customer: 'account', date: 'ordered_on', amount: 'amount', periods: 6 },
    groupBy: [{ field: 'cohort' }],
    aggregates: [{ fn: 'count', as: 'customers', label: 'Customers', 'x-i18n': zhLabel('客户数') }],
    chart: 'table',
  },
  churn_risk: {
    label: 'Customers at risk of churning',
    description:
      'Repeat customers whose days since their last order exceed their usual interval between orders, most valuable first.',
    'x-i18n': zh('有流失风险的客户'),
    object: 'order',
    filter: PURCHASES,
    analysis: {
      kind: 'customers',
      customer: 'account',
      date: 'ordered_on',
      amount: 'amount',
      cost: 'cost',
      where: { churn_risk: { eq: true } },
    },
    groupBy: [{ field: 'customer' }],
    aggregates: [
      {
        fn: 'max',
        field: 'days_since_last',
        as: 'days',
        label: 'Days since last order',
        'x-i18n': zhLabel('距上次下单天数'),
      },
      {
        fn: 'max',
        field: 'avg_interval',
        as: 'usual',
        label: 'Usual interval (days)',
        'x-i18n': zhLabel('平均间隔（天）'),
      },
      { fn: 'sum', field: 'ltv', as: 'ltv', label: 'Lifetime value', 'x-i18n': zhLabel('终身价值') },
    ],
    sort: ['-ltv'],
    limit: 20,
    chart: 'table',
  },
  margin_by_category: {
    label: 'Revenue and margin by product category',
    description: 'Lines of accepted quotes by their product category.',
    'x-i18n': zh('按产品类别的收入与毛利'),
    object: 'quote_line',
    filter: { 'quote.status': { eq: 'accepted' } },
    groupBy: [{ field: 'product.category', as: 'category' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'revenue', label: 'Revenue', 'x-i18n': zhLabel('收入') },
      { fn: 'sum', field: 'margin', as: 'margin', label: 'Margin', 'x-i18n': zhLabel('毛利') },
    ],
    derive: [
      { as: 'margin_pct', expr: 'round(margin / revenue * 100, 1)', label: 'Margin %', 'x-i18n': zhLabel('毛利率 %') },
    ],
    sort: ['-revenue'],
    chart: 'bar',
  },
  margin_by_country: {
    label: 'Revenue and margin by country',
    'x-i18n': zh('按国家/地区的收入与毛利'),
    object: 'order',
    filter: PURCHASES,
    groupBy: [{ field: 'account.country', as: 'country' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'revenue', label: 'Revenue', 'x-i18n': zhLabel('收入') },
      { fn: 'sum', field: 'margin', as: 'margin', label: 'Margin', 'x-i18n': zhLabel('毛利') },
    ],
    sort: ['-revenue'],
    limit: 15,
    chart: 'bar',
  },
  margin_by_channel: {
    label: 'Revenue and margin by channel',
    description: 'Orders by the source of the deal they were quoted for (web, referral, event, …).',
    'x-i18n': zh('按渠道的收入与毛利'),
    object: 'order',
    filter: PURCHASES,
    groupBy: [{ field: 'quote.deal.source', as: 'channel' }],
    aggregates: [
      { fn: 'sum', field: 'amount', as: 'revenue', label: 'Revenue', 'x-i18n': zhLabel('收入') },
      { fn: 'sum', field: 'margin', as: 'margin', label: 'Margin', 'x-i18n': zhLabel('毛利') },
    ],
    sort: ['-revenue'],
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
  expenses_by_rep: expensesBy(
    'owner',
    'Expenses by rep',
    '按人员费用统计',
    'Approved expense lines per claimant (the owner of the line: whoever filed the claim).',
  ),
  expenses_by_customer: expensesBy(
    'account',
    'Expenses by customer',
    '按客户费用统计',
    'Approved expense lines per customer they were spent for; lines for no customer form one row.',
  ),
  expenses_by_campaign: expensesBy(
    'campaign',
    'Expenses by campaign',
    '按营销活动费用统计',
    "Approved expense lines per campaign: each campaign's cost is the same sum (its cost roll-up).",
  ),
};
