import type { SegmentDefinition } from '@forma/metadata';

/**
 * Saved segments of accounts (docs/analytics.md, Segments), refreshed every day: lists, reports and
 * mail merge select their members with `{"id": {"inSegment": …}}`, automation rules follow who
 * enters or leaves them. They read the account's own roll-ups; RFM scores are the analysis reports'.
 */
export const segments: Record<string, SegmentDefinition> = {
  high_value_at_risk: {
    label: 'High value, at risk',
    description:
      'Customers with an annual revenue of a million or more and no done activity for 90 days (or never): call them first.',
    object: 'account',
    filter: {
      type: { eq: 'customer' },
      annual_revenue: { gte: 1_000_000 },
      or: [{ last_activity_on: { lt: '$today-P90D' } }, { last_activity_on: { isNull: true } }],
    },
    refresh: { mode: 'schedule', every: 'P1D' },
    'x-i18n': {
      'zh-CN': { label: '高价值、有流失风险', description: '年营业额百万以上且 90 天无已完成活动的成交客户' },
    },
  },
  new_customers: {
    label: 'New customers (last 90 days)',
    description: 'Customers created in the last 90 days: the onboarding audience.',
    object: 'account',
    filter: { type: { eq: 'customer' }, created_at: { gte: '$today-P90D' } },
    refresh: { mode: 'schedule', every: 'P1D' },
    'x-i18n': { 'zh-CN': { label: '新客户（近 90 天）', description: '近 90 天新建的成交客户：新客户培育对象' } },
  },
  open_receivables: {
    label: 'Customers with open receivables',
    description: 'Accounts owing money (open receivables above zero): the collections audience.',
    object: 'account',
    filter: { open_receivables: { gt: 0 } },
    refresh: { mode: 'schedule', every: 'P1D' },
    'x-i18n': { 'zh-CN': { label: '有未结应收的客户', description: '未结应收大于零的客户：催收对象' } },
  },
};
