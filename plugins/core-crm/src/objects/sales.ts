import {
  bool,
  type Choice,
  date,
  email,
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
  url,
} from '../fields';
import { rfmFields } from '../rfm/rfm-scores';

/** The contact picker offers the chosen account's contacts (x-lookup-filter, docs/metadata.md). */
const CONTACTS_OF_ACCOUNT = { 'x-lookup-filter': { account: '$record.account' } };

const LOST = { stage: { eq: 'lost' } };

export const INDUSTRIES: Choice[] = [
  ['manufacturing', 'Manufacturing', '制造业'],
  ['retail', 'Retail', '零售'],
  ['technology', 'Technology', '科技'],
  ['finance', 'Finance', '金融'],
  ['healthcare', 'Healthcare', '医疗'],
  ['education', 'Education', '教育'],
  ['other', 'Other', '其他'],
];

export const LEAD_SOURCES: Choice[] = [
  ['web', 'Website', '官网'],
  ['referral', 'Referral', '转介绍'],
  ['event', 'Event', '活动'],
  ['campaign', 'Campaign', '营销活动'],
  ['cold_call', 'Cold call', '陌生拜访'],
  ['partner', 'Partner', '合作伙伴'],
];

export const DEAL_STAGES: Choice[] = [
  ['prospecting', 'Prospecting', '初步接洽'],
  ['qualification', 'Qualification', '需求确认'],
  ['proposal', 'Proposal', '方案报价'],
  ['negotiation', 'Negotiation', '商务谈判'],
  ['won', 'Won', '赢单'],
  ['lost', 'Lost', '输单'],
];

/** Win probability per stage (%), kept in one place: the deal's formula reads it. */
export const STAGE_PROBABILITY: Record<string, number> = {
  prospecting: 10,
  qualification: 25,
  proposal: 50,
  negotiation: 75,
  won: 100,
  lost: 0,
};

const probabilityExpression = `(${JSON.stringify(STAGE_PROBABILITY)})[record.stage] ?? 0`;

export const account: Field = object(
  'Account',
  '客户',
  'name',
  {
    name: text('Name', '客户名称', 200, { 'x-unique': true }),
    industry: select('Industry', '行业', INDUSTRIES),
    type: select(
      'Type',
      '类型',
      [
        ['prospect', 'Prospect', '潜在客户'],
        ['customer', 'Customer', '成交客户'],
        ['partner', 'Partner', '合作伙伴'],
      ],
      { default: 'prospect' },
    ),
    rating: select('Rating', '评级', [
      ['hot', 'Hot', '热'],
      ['warm', 'Warm', '温'],
      ['cold', 'Cold', '冷'],
    ]),
    phone: text('Phone', '电话', 40),
    website: url('Website', '网站'),
    city: text('City', '城市', 100),
    country: text('Country', '国家', 100),
    annual_revenue: money('Annual revenue', '年营业额', { minimum: 0 }),
    employees: integer('Employees', '员工人数', { minimum: 0 }),
    description: textarea('Description', '描述'),
    portal_access: bool('Customer portal access', '客户门户访问', { default: false }),
    // The latest done activity (a date roll-up): the account_dormant rule reminds the owner 90 days on.
    last_activity_on: relatedRollup(
      { object: 'activity', via: 'account', op: 'max', field: 'done_on', filter: { status: { eq: 'done' } } },
      'Last activity',
      '最近活动日期',
      { type: 'string', format: 'date' },
    ),
    // Orders that would take the open receivables above the limit need finance's approval
    // (workflow order_credit_approval); no limit means none is checked.
    credit_limit: money('Credit limit', '信用额度', { minimum: 0 }),
    open_receivables: relatedRollup(
      { object: 'receivable', via: 'account', op: 'sum', field: 'balance', filter: { balance: { gt: 0 } } },
      'Open receivables',
      '未结应收',
    ),
    // Stored RFM scores and segment, refreshed nightly by the scoring job (rfm/rfm-scores.ts).
    ...rfmFields,
  },
  ['name'],
);

export const contact: Field = object(
  'Contact',
  '联系人',
  'full_name',
  {
    first_name: text('First name', '名', 100),
    last_name: text('Last name', '姓', 100),
    full_name: formula("[record.last_name, record.first_name].filter(Boolean).join(' ')", 'Full name', '姓名', {
      type: 'string',
      maxLength: 201,
    }),
    account: lookup('account', 'Account', '所属客户'),
    job_title: text('Job title', '职务', 100),
    email: email('E-mail', '邮箱'),
    phone: text('Phone', '电话', 40),
    mobile: text('Mobile', '手机', 40),
    primary: bool('Primary contact', '主要联系人', { default: false }),
    birthday: date('Birthday', '生日'),
  },
  ['last_name'],
);

export const lead: Field = object(
  'Lead',
  '线索',
  'company',
  {
    company: text('Company', '公司名称'),
    contact_name: text('Contact name', '联系人姓名', 100),
    email: email('E-mail', '邮箱'),
    phone: text('Phone', '电话', 40),
    industry: select('Industry', '行业', INDUSTRIES),
    source: select('Source', '来源', LEAD_SOURCES),
    status: select(
      'Status',
      '状态',
      [
        ['new', 'New', '新建'],
        ['contacted', 'Contacted', '已联系'],
        ['qualified', 'Qualified', '已确认'],
        ['converted', 'Converted', '已转化'],
        ['disqualified', 'Disqualified', '无效'],
      ],
      { default: 'new' },
    ),
    campaign: lookup('campaign', 'Campaign', '营销活动'),
    estimated_amount: money('Estimated amount', '预估金额', { minimum: 0 }),
    notes: textarea('Notes', '备注'),
    converted_account: lookup('account', 'Converted account', '转化客户'),
    converted_contact: lookup('contact', 'Converted contact', '转化联系人'),
    converted_deal: lookup('deal', 'Converted deal', '转化商机'),
  },
  ['company'],
);

export const deal: Field = object(
  'Deal',
  '商机',
  'name',
  {
    name: text('Name', '商机名称'),
    account: lookup('account', 'Account', '客户'),
    contact: lookup('contact', 'Contact', '联系人', CONTACTS_OF_ACCOUNT),
    amount: money('Amount', '金额', { minimum: 0 }),
    stage: select('Stage', '阶段', DEAL_STAGES, { default: 'prospecting' }),
    probability: formula(probabilityExpression, 'Probability', '赢率', { type: 'number', 'x-kind': 'percent' }),
    expected_revenue: formula(
      '(record.amount || 0) * ((' + probabilityExpression + ') / 100)',
      'Expected revenue',
      '预期收入',
      { type: 'number', 'x-kind': 'currency' },
    ),
    close_on: date('Expected close', '预计成交日期'),
    source: select('Source', '来源', LEAD_SOURCES),
    campaign: lookup('campaign', 'Campaign', '营销活动'),
    next_step: text('Next step', '下一步', 200),
    lost_reason: text('Lost reason', '输单原因', 500),
  },
  ['name', 'account'],
  {
    // Form logic (docs/metadata.md): a lost deal says why; other deals do not carry a reason.
    'x-form-rules': [
      { fields: ['lost_reason'], effect: 'show', when: LOST },
      { fields: ['lost_reason'], effect: 'require', when: LOST },
    ],
  },
);
