import {
  autonumber,
  date,
  datetime,
  type Field,
  formula,
  integer,
  lookup,
  money,
  object,
  relatedRollup,
  select,
  text,
  textarea,
} from '../fields';
import { CASE_TYPES } from '../surveys';

export const activity: Field = object(
  'Activity',
  '活动',
  'subject',
  {
    subject: text('Subject', '主题'),
    type: select(
      'Type',
      '类型',
      [
        ['call', 'Call', '电话'],
        ['meeting', 'Meeting', '会议'],
        ['email', 'E-mail', '邮件'],
        ['task', 'Task', '任务'],
        ['visit', 'Visit', '拜访'],
      ],
      { default: 'task' },
    ),
    status: select(
      'Status',
      '状态',
      [
        ['open', 'Open', '未完成'],
        ['done', 'Done', '已完成'],
        ['cancelled', 'Cancelled', '已取消'],
      ],
      { default: 'open' },
    ),
    priority: select(
      'Priority',
      '优先级',
      [
        ['low', 'Low', '低'],
        ['normal', 'Normal', '普通'],
        ['high', 'High', '高'],
      ],
      { default: 'normal' },
    ),
    due_on: date('Due date', '截止日期'),
    // The day it was done (given, or stamped by the activity_closed script): accounts' last activity.
    done_on: date('Done on', '完成日期'),
    due_state: select(
      'Due',
      '到期状态',
      [
        ['upcoming', 'Upcoming', '未到期'],
        ['today', 'Due today', '今日到期'],
        ['overdue', 'Overdue', '已逾期'],
        ['closed', 'Closed', '已关闭'],
      ],
      { default: 'upcoming' },
    ),
    assigned_to: lookup('user', 'Assigned to', '负责人'),
    account: lookup('account', 'Account', '客户'),
    contact: lookup('contact', 'Contact', '联系人'),
    deal: lookup('deal', 'Deal', '商机'),
    lead: lookup('lead', 'Lead', '线索'),
    service_case: lookup('service_case', 'Case', '服务工单'),
    notes: textarea('Notes', '备注'),
  },
  ['subject'],
  // Calls, meetings, notes and tasks show in the timeline of the account, contact, deal… they name.
  { 'x-timeline': true },
);

export const campaign: Field = object(
  'Campaign',
  '营销活动',
  'name',
  {
    name: text('Name', '活动名称'),
    type: select('Type', '类型', [
      ['email', 'E-mail', '邮件营销'],
      ['event', 'Event', '线下活动'],
      ['webinar', 'Webinar', '线上研讨会'],
      ['ads', 'Advertising', '广告投放'],
      ['trade_show', 'Trade show', '展会'],
    ]),
    status: select(
      'Status',
      '状态',
      [
        ['planned', 'Planned', '计划中'],
        ['active', 'Active', '进行中'],
        ['completed', 'Completed', '已结束'],
      ],
      { default: 'planned' },
    ),
    start_on: date('Start', '开始日期'),
    end_on: date('End', '结束日期'),
    budget: money('Budget', '预算', { minimum: 0 }),
    // Actual cost: the campaign's approved expense lines (objects/expenses.ts), never typed.
    cost: relatedRollup(
      { object: 'expense_line', via: 'campaign', op: 'sum', field: 'amount', filter: { approved: { eq: true } } },
      'Actual cost',
      '实际成本',
    ),
    // Attributed revenue: kept current from the campaign's won deals (a roll-up, read-only).
    revenue: relatedRollup(
      { object: 'deal', via: 'campaign', op: 'sum', field: 'amount', filter: { stage: { eq: 'won' } } },
      'Won revenue',
      '赢单收入',
    ),
    won_deals: relatedRollup(
      { object: 'deal', via: 'campaign', op: 'count', filter: { stage: { eq: 'won' } } },
      'Won deals',
      '赢单数',
      { type: 'integer' },
    ),
    roi: formula(
      'record.cost > 0 ? ((record.revenue || 0) - record.cost) / record.cost * 100 : null',
      'ROI',
      '投资回报率',
      { type: 'number', 'x-kind': 'percent' },
    ),
    leads_target: integer('Target leads', '目标线索数', { minimum: 0 }),
    description: textarea('Description', '描述'),
  },
  ['name'],
);

export const CASE_PRIORITIES = [
  ['low', 'Low', '低'],
  ['medium', 'Medium', '中'],
  ['high', 'High', '高'],
  ['urgent', 'Urgent', '紧急'],
] as const;

/** Hours to resolve a case per priority (the SLA); the case script sets `sla_due_at` from it. */
export const SLA_HOURS: Record<string, number> = { urgent: 4, high: 8, medium: 24, low: 72 };

export const serviceCase: Field = object(
  'Service case',
  '服务工单',
  'number',
  {
    number: autonumber('CS-{YYYY}-{00000}', 'Number', '工单编号'),
    subject: text('Subject', '主题'),
    account: lookup('account', 'Account', '客户'),
    contact: lookup('contact', 'Contact', '联系人'),
    channel: select('Channel', '渠道', [
      ['phone', 'Phone', '电话'],
      ['email', 'E-mail', '邮件'],
      ['web', 'Web', '网站'],
      ['wechat', 'WeChat', '微信'],
    ]),
    // What the customer came for: satisfaction reports compare case types (surveys.ts).
    type: select('Type', '类型', CASE_TYPES),
    priority: select('Priority', '优先级', CASE_PRIORITIES, { default: 'medium' }),
    status: select(
      'Status',
      '状态',
      [
        ['new', 'New', '新建'],
        ['in_progress', 'In progress', '处理中'],
        ['waiting', 'Waiting for customer', '等待客户'],
        ['resolved', 'Resolved', '已解决'],
        ['closed', 'Closed', '已关闭'],
      ],
      { default: 'new' },
    ),
    description: textarea('Description', '问题描述'),
    resolution: textarea('Resolution', '解决方案'),
    sla_due_at: datetime('SLA due', 'SLA截止时间'),
    resolved_at: datetime('Resolved at', '解决时间'),
    escalation_level: integer('Escalation level', '升级级别', { minimum: 0, default: 0 }),
    escalated_to: lookup('user', 'Escalated to', '升级给'),
  },
  ['subject'],
);

export const survey: Field = object(
  'Satisfaction survey',
  '满意度调查',
  'comment',
  {
    service_case: lookup('service_case', 'Case', '服务工单'),
    rating: integer('Rating (1–5)', '评分(1-5)', { minimum: 1, maximum: 5 }),
    comment: textarea('Comment', '评价', 2000),
    answered_on: date('Answered on', '回答日期'),
  },
  ['service_case', 'rating'],
);

/**
 * A case's conversation with the customer: everything here is shown in the customer portal
 * (docs/portal.md). Internal notes stay in activities, which the portal role does not grant.
 * `account` is copied from the case on save (script `case_comment_account`), so the portal's
 * account scope reaches staff replies too.
 */
export const caseComment: Field = object(
  'Case comment',
  '工单留言',
  'body',
  {
    service_case: lookup('service_case', 'Case', '服务工单'),
    account: lookup('account', 'Account', '客户'),
    contact: lookup('contact', 'Written by contact', '客户联系人'),
    body: textarea('Comment', '留言', 4000),
  },
  ['service_case', 'body'],
);
