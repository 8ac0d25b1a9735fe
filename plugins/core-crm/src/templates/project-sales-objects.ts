import type { MetadataDocument } from '@forma/platform/plugin-api';
import {
  autonumber,
  bool,
  type Choice,
  date,
  type Field,
  lookup,
  money,
  object,
  select,
  text,
  textarea,
  url,
} from '../fields';

type ReportDefinition = NonNullable<MetadataDocument['reports']>[string];

/** The buying centre of a B2B deal: who plays which part in the decision. */
export const CONTACT_ROLES: Choice[] = [
  ['decision_maker', 'Decision maker', '决策者'],
  ['influencer', 'Influencer', '影响者'],
  ['technical_buyer', 'Technical buyer', '技术评估者'],
  ['blocker', 'Blocker', '阻碍者'],
];

export const LOSS_REASONS: Choice[] = [
  ['price', 'Price', '价格'],
  ['functionality', 'Functionality', '功能不满足'],
  ['competitor_relationship', "Competitor's relationship", '竞品关系'],
  ['no_budget', 'No budget', '无预算'],
  ['no_decision', 'No decision / postponed', '无决策/延期'],
  ['timing', 'Timing', '时机'],
  ['other', 'Other', '其他'],
];

/** Days before a service contract's renewal date when its owner is reminded. */
export const RENEWAL_NOTICE_DAYS = 60;

/** A contact's part in a deal (line items of the deal: the deal page lists them by role). */
export const dealContactRole: Field = object(
  'Contact role',
  '联系人角色',
  'contact',
  {
    deal: lookup('deal', 'Deal', '商机'),
    contact: lookup('contact', 'Contact', '联系人'),
    role: select('Role', '角色', CONTACT_ROLES),
    attitude: select(
      'Attitude',
      '态度',
      [
        ['supporter', 'Supporter', '支持'],
        ['neutral', 'Neutral', '中立'],
        ['opponent', 'Opponent', '反对'],
      ],
      { default: 'neutral' },
    ),
    influence: select(
      'Influence',
      '影响力',
      [
        ['high', 'High', '高'],
        ['medium', 'Medium', '中'],
        ['low', 'Low', '低'],
      ],
      { default: 'medium' },
    ),
    notes: text('Notes', '备注', 500),
  },
  ['deal', 'contact', 'role'],
  // The deal page's Related tab lists the roles grouped by role: the decision map.
  { 'x-related-group': 'role' },
);

/** A competitor with its general strengths and weaknesses; how deals against it ended is the report win_loss_by_competitor. */
export const competitor: Field = object(
  'Competitor',
  '竞争对手',
  'name',
  {
    name: text('Name', '名称', 200, { 'x-unique': true }),
    website: url('Website', '网站'),
    strengths: textarea('Strengths', '优势', 4000),
    weaknesses: textarea('Weaknesses', '劣势', 4000),
  },
  ['name'],
);

/**
 * A competitor in one deal (line items of the deal): how it is positioned there. Who won is the
 * deal's stage, read through the lookup by the win/loss report (never copied, so never stale).
 */
export const dealCompetitor: Field = object(
  'Deal competitor',
  '商机竞争对手',
  'competitor',
  {
    deal: lookup('deal', 'Deal', '商机'),
    competitor: lookup('competitor', 'Competitor', '竞争对手'),
    strengths: textarea('Their strengths here', '本项目中的优势', 2000),
    weaknesses: textarea('Their weaknesses here', '本项目中的劣势', 2000),
  },
  ['deal', 'competitor'],
);

/** A service (maintenance/support) contract that renews: its owner is reminded before renewal. */
export const serviceContract: Field = object(
  'Service contract',
  '服务合同',
  'number',
  {
    number: autonumber('SC-{YYYY}-{0000}', 'Number', '服务合同编号'),
    name: text('Name', '名称'),
    account: lookup('account', 'Account', '客户'),
    contract: lookup('contract', 'Project contract', '项目合同'),
    level: select('Service level', '服务级别', [
      ['standard', 'Standard', '标准'],
      ['premium', 'Premium', '高级'],
      ['enterprise', 'Enterprise 24×7', '企业级7×24'],
    ]),
    annual_value: money('Annual value', '年费', { minimum: 0 }),
    start_on: date('Start', '开始日期'),
    end_on: date('End', '结束日期'),
    renewal_on: date('Renewal date', '续约日期'),
    auto_renew: bool('Renews automatically', '自动续约', { default: false }),
    status: select(
      'Status',
      '状态',
      [
        ['active', 'Active', '生效'],
        ['renewal_due', 'Renewal due', '待续约'],
        ['renewed', 'Renewed', '已续约'],
        ['expired', 'Expired', '已到期'],
        ['cancelled', 'Cancelled', '已取消'],
      ],
      { default: 'active' },
    ),
    notes: textarea('Notes', '备注', 2000),
  },
  ['name', 'account', 'end_on'],
);

export const projectSalesScripts = {
  // A decision map before contracting: the buying centre is known, the decision maker by name.
  deal_contracting_needs_decision_maker: {
    object: 'deal',
    event: 'validate',
    label: 'Contracting needs a decision maker among the contact roles',
    'x-i18n': { 'zh-CN': { label: '进入签约阶段需要联系人角色中有决策人' } },
    code: [
      "if (['contracting', 'won'].includes(record.stage) && !(old && ['contracting', 'won'].includes(old.stage))) {",
      '  const found = record.id',
      "    ? await query('deal_contact_role', { deal: { eq: record.id }, role: { eq: 'decision_maker' } }, { limit: 1 })",
      '    : [];',
      '  if (!found.length)',
      "    error('contact_roles', 'Name the decision maker (a contact role) before contracting', { 'zh-CN': '签约前请在联系人角色中指定决策者' });",
      '}',
    ].join('\n'),
  },
  receivable_milestone_accepted: {
    object: 'receivable',
    event: 'validate',
    label: 'A milestone is invoiced only after the customer accepted it',
    'x-i18n': { 'zh-CN': { label: '里程碑须经客户验收后才能开票' } },
    code: [
      'if (record.milestone && (!old || old.milestone !== record.milestone)) {',
      "  const [m] = await query('milestone', { id: { eq: record.milestone } }, { limit: 1 });",
      "  if (!m) error('milestone', 'Unknown milestone');",
      "  else if (!['accepted', 'invoiced'].includes(m.status))",
      "    error('milestone', 'The customer has not accepted this milestone yet: it cannot be invoiced', { 'zh-CN': '该里程碑尚未经客户验收，不能开票' });",
      '  else if (m.contract && record.contract && m.contract !== record.contract)',
      "    error('milestone', 'This milestone belongs to another contract');",
      '}',
    ].join('\n'),
  },
};

/** Reminders of service contracts (automation rules a consultant edits, docs/workflows.md). */
export const projectSalesAutomations = {
  service_contract_renewal: {
    label: 'Service contract renewal reminder',
    description: `${RENEWAL_NOTICE_DAYS} days before its renewal date an active service contract is marked renewal due, its owner gets a task due on the renewal date and a reminder.`,
    'x-i18n': { 'zh-CN': { title: '服务合同续约提醒' } },
    object: 'service_contract',
    trigger: {
      on: 'schedule',
      every: 'P1D',
      filter: { status: { eq: 'active' }, renewal_on: { lte: `$today+P${RENEWAL_NOTICE_DAYS}D` } },
    },
    actions: [
      { type: 'set', values: { status: 'renewal_due' } },
      {
        type: 'create',
        object: 'activity',
        values: { type: 'task', priority: 'high', assigned_to: '$owner' },
        expressions: {
          subject: "('Renew service contract ' + record.number + ': ' + record.name).slice(0, 200)",
          due_on: 'record.renewal_on',
          account: 'record.account || null',
        },
      },
      {
        type: 'notify',
        to: ['owner'],
        title: 'Service contract {{record.number}} renews on {{record.renewal_on}}',
        message: '{{record.name}} for {{record.account}} is due for renewal on {{record.renewal_on}}.',
      },
    ],
  },
  service_contract_expired: {
    label: 'Service contracts past their end',
    description: 'Service contracts not renewed by their end date are marked expired and their owner is told.',
    'x-i18n': { 'zh-CN': { title: '服务合同到期' } },
    object: 'service_contract',
    trigger: {
      on: 'schedule',
      every: 'P1D',
      filter: { status: { in: ['active', 'renewal_due'] }, end_on: { lt: '$today' } },
    },
    actions: [
      { type: 'set', values: { status: 'expired' } },
      { type: 'notify', to: ['owner'], title: 'Service contract {{record.number}} expired on {{record.end_on}}' },
    ],
  },
};

const zh = (title: string) => ({ 'zh-CN': { title } });
const zhLabel = (label: string) => ({ 'zh-CN': { label } });

export const projectSalesReports: Record<string, ReportDefinition> = {
  win_loss: {
    label: 'Win/loss',
    description: 'Closed deals won against lost: deals, amount and the win rate (% of closed deals).',
    'x-i18n': zh('赢单/输单分析'),
    object: 'deal',
    filter: { stage: { in: ['won', 'lost'] } },
    groupBy: [{ field: 'stage' }],
    aggregates: [
      { fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': zhLabel('商机数') },
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('金额') },
    ],
    derive: [
      { as: 'share', expr: 'round(deals / total(deals) * 100, 1)', label: 'Share %', 'x-i18n': zhLabel('占比 %') },
    ],
    chart: 'pie',
  },
  loss_reasons: {
    label: 'Loss reasons',
    description: 'Lost deals by the reason given (the loss reason picklist).',
    'x-i18n': zh('输单原因分析'),
    object: 'deal',
    filter: { stage: { eq: 'lost' } },
    groupBy: [{ field: 'lost_reason' }],
    aggregates: [
      { fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': zhLabel('商机数') },
      { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount lost', 'x-i18n': zhLabel('输单金额') },
    ],
    sort: ['-deals'],
    chart: 'bar',
  },
  win_loss_by_competitor: {
    label: 'Win/loss by competitor',
    description: 'Closed deals per competitor met in them: won against and lost to.',
    'x-i18n': zh('按竞争对手的输赢'),
    object: 'deal_competitor',
    filter: { 'deal.stage': { in: ['won', 'lost'] } },
    groupBy: [{ field: 'competitor' }, { field: 'deal.stage', as: 'outcome' }],
    aggregates: [{ fn: 'count', as: 'deals', label: 'Deals', 'x-i18n': zhLabel('商机数') }],
    chart: 'bar',
  },
};
