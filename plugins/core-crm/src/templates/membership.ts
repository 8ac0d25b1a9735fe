import type { MetadataDocument, TemplateDocument } from '@forma/platform/plugin-api';
import { coreCrmDocument } from '../document';
import {
  autonumber,
  bool,
  children,
  date,
  email,
  formula,
  integer,
  lookup,
  money,
  object,
  relatedRollup,
  select,
  text,
} from '../fields';
import { DEMO_PASSWORD } from '../sample-data';
import { addFields, compose, template } from './compose';

/**
 * What each tier needs, highest first: lifetime qualifying points (earned, net of refunds; redeeming
 * never demotes) or lifetime spend, whichever reaches further. The tier script and the tests read
 * this table.
 */
export const TIERS = [
  ['platinum', 'Platinum', '白金', 20000, 15000],
  ['gold', 'Gold', '黄金', 5000, 4000],
  ['silver', 'Silver', '白银', 1000, 800],
  ['bronze', 'Bronze', '青铜', 0, 0],
] as const;

/** Points a purchase earns per unit of currency (the `purchase.points` formula). */
export const POINTS_PER_UNIT = 1;
/** Days without a purchase after which an active member is dormant (rule member_dormant). */
export const DORMANT_DAYS = 90;
/** Days before a member's birthday that their owner gets the birthday task (rule member_birthday). */
export const BIRTHDAY_NOTICE_DAYS = 7;

const tierCode = [
  '// [tier, qualifying points, lifetime spend]: the first tier the member reaches by either.',
  `const tiers = ${JSON.stringify(TIERS.map(([t, , , points, spend]) => [t, points, spend]))};`,
  'const earned = record.points_earned || 0;',
  'const spend = Number(record.lifetime_spend || 0);',
  "set('tier', tiers.find(([, points, spend0]) => earned >= points || spend >= spend0)[0]);",
].join('\n');

/**
 * The next birthday on or after today, for the member_birthday rule to look ahead to; 29 February
 * falls on 28 February in other years. A formula, so it is computed for everyone on every save; it
 * reads today(), so a nightly job (jobs/membership-jobs.ts) re-saves members whose date has passed.
 */
const nextBirthday = [
  '!record.birthday ? null : [0, 1]',
  '.map((k) => Number(today().slice(0, 4)) + k)',
  ".map((y) => y + '-' + (record.birthday.slice(5) === '02-29' && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? '02-28' : record.birthday.slice(5)))",
  '.find((d) => d >= today())',
].join(' ');

const dormantCode = [
  `// A purchase in the last ${DORMANT_DAYS} days wakes a dormant member (the member_dormant rule sets the flag).`,
  `const cutoff = new Date(Date.now() - ${DORMANT_DAYS} * 86400000).toISOString().slice(0, 10);`,
  "if (record.dormant && record.last_purchase_on && record.last_purchase_on > cutoff) set('dormant', false);",
].join('\n');

const pointsEntryCode = [
  "const manager = user.roles.includes('member_manager') || user.roles.includes('admin');",
  "if (!Number.isInteger(record.points) || record.points === 0) error('points', 'Give a whole number of points other than 0');",
  "else if (record.reason === 'redeem' && record.points > 0)",
  "  error('points', 'A redemption takes points: give a negative number', { 'zh-CN': '兑换应为负数积分' });",
  "else if (record.reason === 'bonus' && record.points < 0) error('points', 'A bonus gives points: give a positive number');",
  "if (['bonus', 'adjust'].includes(record.reason) && !manager)",
  "  error('reason', 'Only a membership manager grants bonuses and adjustments', { 'zh-CN': '仅会员经理可发放奖励或调整积分' });",
  "if (['purchase', 'refund'].includes(record.reason) && !record.purchase)",
  "  error('reason', 'Purchase points come from recording the purchase', { 'zh-CN': '消费积分由登记消费自动产生' });",
].join('\n');

const purchaseCode = [
  "if (old && old.status === 'refunded' && record.status !== 'refunded') error('status', 'A refunded purchase stays refunded');",
  'if (old && (Number(old.amount) !== Number(record.amount) || old.member !== record.member))',
  "  error('amount', 'A recorded purchase is not changed: refund it and record a new one', { 'zh-CN': '已登记的消费不可修改:请退款后重新登记' });",
].join('\n');

const g = (create: unknown, read: unknown, update: unknown, del: unknown, fields?: Record<string, string>) => ({
  create,
  read,
  update,
  delete: del,
  ...(fields ? { fields } : {}),
});
const zh = (title: string) => ({ 'zh-CN': { title } });
const zhLabel = (label: string) => ({ 'zh-CN': { label } });
const ACTIVE_COUNTS = { status: { eq: 'completed' } };
const isoDay = (daysAgo: number) => new Date(Date.now() - daysAgo * 86400000).toISOString().slice(0, 10);

type Doc = Record<string, Record<string, unknown>>;

const membershipReports: NonNullable<MetadataDocument['reports']> = {
  member_spend_by_tier: {
    label: 'Member spend by tier',
    description: 'Members per tier with their lifetime spend (completed purchases) and visits.',
    'x-i18n': zh('各等级会员消费'),
    object: 'member',
    groupBy: [{ field: 'tier' }],
    aggregates: [
      { fn: 'count', as: 'members', label: 'Members', 'x-i18n': zhLabel('会员数') },
      { fn: 'sum', field: 'lifetime_spend', as: 'spend', label: 'Lifetime spend', 'x-i18n': zhLabel('累计消费') },
      { fn: 'sum', field: 'visits', as: 'visits', label: 'Visits', 'x-i18n': zhLabel('到店次数') },
    ],
    chartValue: 'spend',
    chart: 'bar',
  },
  new_members_by_month: {
    label: 'New members by month',
    'x-i18n': zh('每月新增会员'),
    object: 'member',
    groupBy: [{ field: 'joined_on', bucket: 'month', as: 'month' }],
    aggregates: [{ fn: 'count', as: 'members', label: 'New members', 'x-i18n': zhLabel('新增会员') }],
    chart: 'line',
  },
  points_issued_vs_redeemed: {
    label: 'Points issued vs redeemed by month',
    description: 'Points given (purchases, bonuses, positive adjustments) and redeemed, per month of the transaction.',
    'x-i18n': zh('每月积分发放与兑换'),
    object: 'points_entry',
    groupBy: [{ field: 'occurred_on', bucket: 'month', as: 'month' }],
    aggregates: [
      { fn: 'sum', field: 'issued', as: 'issued', label: 'Issued', 'x-i18n': zhLabel('发放') },
      { fn: 'sum', field: 'redeemed', as: 'redeemed', label: 'Redeemed', 'x-i18n': zhLabel('兑换') },
    ],
    chart: 'bar',
  },
  dormant_members: {
    label: 'Dormant members by tier',
    description: `Active members without a purchase for ${DORMANT_DAYS} days (flagged daily by the member_dormant rule).`,
    'x-i18n': zh('沉睡会员(按等级)'),
    object: 'member',
    filter: { dormant: { eq: true }, status: { eq: 'active' } },
    groupBy: [{ field: 'tier' }],
    aggregates: [{ fn: 'count', as: 'members', label: 'Dormant members', 'x-i18n': zhLabel('沉睡会员') }],
    chart: 'pie',
  },
};

const membershipDashboards: NonNullable<MetadataDocument['dashboards']> = {
  // Named to come before the core's dashboards: a tenant admin of a membership business sees this one.
  membership: {
    label: 'Membership',
    'x-i18n': zh('会员运营'),
    roles: ['member_manager', 'admin'],
    widgets: [
      { report: 'member_spend_by_tier', width: 'half' },
      { report: 'new_members_by_month', width: 'half' },
      { report: 'points_issued_vs_redeemed', width: 'half' },
      { report: 'dormant_members', width: 'half' },
    ],
  },
  store_clerk: {
    label: 'Store',
    'x-i18n': zh('门店'),
    roles: ['store_clerk'],
    widgets: [
      { report: 'new_members_by_month', width: 'half' },
      { report: 'dormant_members', width: 'half' },
    ],
  },
};

/**
 * Membership (B2C) on top of the core CRM: members with spend roll-ups, points and tiers, purchases
 * that earn points, redemptions that can never overdraw (a plugin hook takes them with the records
 * engine's guarded `adjust`, membership-hooks.ts), birthday and dormant-member reminders as
 * automation rules, members on service cases and in campaigns, reports and role dashboards.
 */
export function membershipTemplate(): TemplateDocument {
  const doc = compose(coreCrmDocument(), {
    objects: {
      member: object(
        'Member',
        '会员',
        'name',
        {
          number: autonumber('M-{000000}', 'Member number', '会员号'),
          name: text('Name', '姓名', 100),
          phone: text('Mobile', '手机号', 30, { 'x-unique': true }),
          email: email('E-mail', '邮箱'),
          birthday: date('Birthday', '生日'),
          points: integer('Points balance', '积分余额', { minimum: 0, default: 0 }),
          tier: select(
            'Tier',
            '等级',
            TIERS.map(([v, l, z]) => [v, l, z] as const),
            { default: 'bronze' },
          ),
          joined_on: date('Joined on', '入会日期'),
          expires_on: date('Expires on', '到期日'),
          status: select(
            'Status',
            '状态',
            [
              ['active', 'Active', '有效'],
              ['expired', 'Expired', '已过期'],
              ['cancelled', 'Cancelled', '已注销'],
            ],
            { default: 'active' },
          ),
          lifetime_spend: relatedRollup(
            { object: 'purchase', via: 'member', op: 'sum', field: 'amount', filter: ACTIVE_COUNTS },
            'Lifetime spend',
            '累计消费',
          ),
          visits: relatedRollup(
            { object: 'purchase', via: 'member', op: 'count', filter: ACTIVE_COUNTS },
            'Visits',
            '消费次数',
            { type: 'integer' },
          ),
          last_purchase_on: relatedRollup(
            { object: 'purchase', via: 'member', op: 'max', field: 'purchased_on', filter: ACTIVE_COUNTS },
            'Last purchase',
            '最近消费日期',
            { type: 'string', format: 'date' },
          ),
          points_earned: relatedRollup(
            { object: 'points_entry', via: 'member', op: 'sum', field: 'points', filter: { reason: { ne: 'redeem' } } },
            'Qualifying points',
            '累计积分(定级)',
            { type: 'integer' },
          ),
          points_redeemed: relatedRollup(
            { object: 'points_entry', via: 'member', op: 'sum', field: 'redeemed' },
            'Points redeemed',
            '已兑换积分',
            { type: 'integer' },
          ),
          next_birthday: formula(nextBirthday, 'Next birthday', '下次生日', { type: 'string', format: 'date' }),
          dormant: bool('Dormant', '沉睡', { default: false }),
          open_cases: relatedRollup(
            {
              object: 'service_case',
              via: 'member',
              op: 'count',
              filter: { status: { nin: ['resolved', 'closed'] } },
            },
            'Open cases',
            '未结工单',
            { type: 'integer' },
          ),
          renewals: children('renewal', 'member', 'Renewals', '续费记录'),
        },
        ['name', 'phone'],
      ),
      purchase: object(
        'Purchase',
        '消费记录',
        'number',
        {
          number: autonumber('P-{YYYY}-{000000}', 'Number', '单号'),
          member: lookup('member', 'Member', '会员'),
          purchased_on: date('Date', '消费日期'),
          amount: money('Amount', '金额', { minimum: 0 }),
          channel: select('Channel', '渠道', [
            ['store', 'In store', '门店'],
            ['app', 'App', 'App'],
            ['wechat', 'WeChat', '微信'],
            ['online', 'Online shop', '网店'],
          ]),
          campaign: lookup('campaign', 'Campaign', '营销活动'),
          status: select(
            'Status',
            '状态',
            [
              ['completed', 'Completed', '已完成'],
              ['refunded', 'Refunded', '已退款'],
            ],
            { default: 'completed' },
          ),
          points: formula(`Math.floor((record.amount || 0) * ${POINTS_PER_UNIT})`, 'Points earned', '获得积分', {
            type: 'integer',
          }),
        },
        ['member', 'purchased_on', 'amount'],
      ),
      points_entry: object(
        'Points transaction',
        '积分流水',
        'reason',
        {
          member: lookup('member', 'Member', '会员'),
          points: integer('Points (+ earned, − spent)', '积分(正为获得,负为消费)'),
          reason: select('Reason', '原因', [
            ['purchase', 'Purchase', '消费'],
            ['redeem', 'Redemption', '兑换'],
            ['bonus', 'Bonus', '奖励'],
            ['refund', 'Refund', '退款'],
            ['adjust', 'Adjustment', '调整'],
          ]),
          amount: money('Purchase amount', '消费金额', { minimum: 0 }),
          occurred_on: date('Date', '日期'),
          purchase: lookup('purchase', 'Purchase', '消费记录'),
          issued: formula("record.points > 0 && record.reason !== 'redeem' ? record.points : 0", 'Issued', '发放', {
            type: 'integer',
          }),
          redeemed: formula("record.reason === 'redeem' ? -record.points : 0", 'Redeemed', '兑换', {
            type: 'integer',
          }),
        },
        ['member', 'points', 'reason'],
      ),
      renewal: object(
        'Renewal',
        '续费',
        'ends_on',
        {
          member: lookup('member', 'Member', '会员'),
          starts_on: date('Starts on', '开始日期'),
          ends_on: date('Ends on', '结束日期'),
          fee: money('Fee', '费用', { minimum: 0 }),
          channel: select('Paid via', '支付方式', [
            ['store', 'In store', '门店'],
            ['app', 'App', 'App'],
            ['wechat', 'WeChat Pay', '微信支付'],
          ]),
        },
        ['member', 'starts_on', 'ends_on'],
      ),
      campaign_member: object(
        'Campaign member',
        '活动会员',
        // Its label is the response (a lookup would show as an id where the record is named).
        'status',
        {
          campaign: lookup('campaign', 'Campaign', '营销活动'),
          member: lookup('member', 'Member', '会员'),
          status: select(
            'Response',
            '响应',
            [
              ['invited', 'Invited', '已邀请'],
              ['responded', 'Responded', '已响应'],
              ['converted', 'Bought', '已消费'],
            ],
            { default: 'invited' },
          ),
          responded_on: date('Responded on', '响应日期'),
        },
        ['campaign', 'member'],
        // A member is in a campaign once.
        { 'x-duplicates': [['campaign', 'member']] },
      ),
    },
    scripts: {
      member_tier: {
        object: 'member',
        event: 'beforeSave',
        label: 'The tier follows the qualifying points or the lifetime spend',
        'x-i18n': { 'zh-CN': { label: '会员等级取决于累计积分或终身消费' } },
        code: tierCode,
      },
      member_expiry: {
        object: 'member',
        event: 'beforeSave',
        label: 'A membership past its end date is expired; a renewed one is active again',
        'x-i18n': { 'zh-CN': { label: '过了结束日期的会员为已过期；续费后重新生效' } },
        code: [
          'const today = new Date().toISOString().slice(0, 10);',
          "if (record.status !== 'cancelled' && record.expires_on) set('status', record.expires_on < today ? 'expired' : 'active');",
        ].join('\n'),
      },
      member_awake: {
        object: 'member',
        event: 'beforeSave',
        label: 'A recent purchase ends dormancy',
        'x-i18n': { 'zh-CN': { label: '近期消费结束休眠状态' } },
        code: dormantCode,
      },
      points_entry_rules: {
        object: 'points_entry',
        event: 'validate',
        label: 'Redemptions take points; bonuses are for managers; purchase points come from purchases',
        'x-i18n': { 'zh-CN': { label: '兑换扣减积分；奖励积分仅限经理发放；消费积分来自消费记录' } },
        code: pointsEntryCode,
      },
      purchase_rules: {
        object: 'purchase',
        event: 'validate',
        label: 'A purchase is refunded, never edited',
        'x-i18n': { 'zh-CN': { label: '消费记录只能退款，不能修改' } },
        code: purchaseCode,
      },
      renewal_dates: {
        object: 'renewal',
        event: 'validate',
        label: 'A renewal ends after it starts',
        'x-i18n': { 'zh-CN': { label: '续约的结束日期晚于开始日期' } },
        code: "if (record.ends_on <= record.starts_on) error('ends_on', 'A renewal ends after it starts');",
      },
    },
    automations: {
      member_birthday: {
        label: 'Birthday reminders',
        description: `${BIRTHDAY_NOTICE_DAYS} days before an active member's birthday, their owner gets a task (a greeting, a voucher) and a notification.`,
        'x-i18n': zh('会员生日提醒'),
        object: 'member',
        trigger: {
          on: 'schedule',
          every: 'P1D',
          filter: { status: { eq: 'active' } },
          date: { field: 'next_birthday', days: BIRTHDAY_NOTICE_DAYS },
        },
        actions: [
          {
            type: 'create',
            object: 'activity',
            values: { type: 'task', due_on: `$today+P${BIRTHDAY_NOTICE_DAYS}D`, assigned_to: '$owner' },
            expressions: {
              subject: "('Birthday of ' + record.name + ' on ' + record.next_birthday).slice(0, 200)",
              member: 'record.id',
            },
          },
          {
            type: 'notify',
            to: ['owner'],
            title: 'Birthday on {{record.next_birthday}}: {{record.name}} ({{record.tier}})',
          },
        ],
      },
      member_dormant: {
        label: 'Dormant members',
        description: `An active member without a purchase for ${DORMANT_DAYS} days (or who joined ${DORMANT_DAYS} days ago and never bought) is marked dormant once; their owner gets a win-back task and a notification. A new purchase clears the mark (script member_awake).`,
        'x-i18n': zh('沉睡会员提醒'),
        object: 'member',
        trigger: {
          on: 'schedule',
          every: 'P1D',
          filter: {
            status: { eq: 'active' },
            dormant: { eq: false },
            or: [
              { last_purchase_on: { lte: `$today-P${DORMANT_DAYS}D` } },
              { and: [{ last_purchase_on: { isNull: true } }, { joined_on: { lte: `$today-P${DORMANT_DAYS}D` } }] },
            ],
          },
        },
        actions: [
          { type: 'set', values: { dormant: true } },
          {
            type: 'create',
            object: 'activity',
            values: { type: 'task', due_on: '$today+P3D', assigned_to: '$owner' },
            expressions: {
              subject: `('Win back ' + record.name + ': no purchase for ${DORMANT_DAYS} days').slice(0, 200)`,
              member: 'record.id',
            },
          },
          {
            type: 'notify',
            to: ['owner'],
            title: `{{record.name}} has not bought anything for ${DORMANT_DAYS} days`,
            message: 'Last purchase: {{record.last_purchase_on}}. Tier {{record.tier}}, {{record.points}} points.',
          },
        ],
      },
    },
    roles: {
      store_clerk: {
        label: 'Store clerk',
        'x-i18n': zh('店员'),
        objects: {
          member: g('all', 'all', 'all', false, { tier: 'read', points: 'read', dormant: 'read' }),
          purchase: g('all', 'all', false, false),
          points_entry: g('all', 'all', false, false, { purchase: 'read' }),
          renewal: g('all', 'all', false, false),
          campaign: g(false, 'all', false, false),
          campaign_member: g('all', 'all', 'all', false),
          service_case: g('all', 'all', 'own', false),
          activity: g('all', 'own', 'own', false),
        },
      },
      member_manager: {
        label: 'Membership manager',
        'x-i18n': zh('会员经理'),
        objects: {
          member: g('all', 'all', 'all', 'all'),
          purchase: g('all', 'all', 'all', false),
          points_entry: g('all', 'all', false, false),
          renewal: g('all', 'all', 'all', 'all'),
          campaign: g('all', 'all', 'all', 'all'),
          campaign_member: g('all', 'all', 'all', 'all'),
          service_case: g('all', 'all', 'all', false),
          activity: g('all', 'all', 'all', 'all'),
        },
      },
    },
    views: {
      members: {
        object: 'member',
        label: 'Members',
        columns: ['number', 'name', 'phone', 'tier', 'points', 'lifetime_spend', 'last_purchase_on', 'status'],
        sort: ['-lifetime_spend'],
        default: true,
        'x-i18n': zh('会员列表'),
      },
      expiring: {
        object: 'member',
        label: 'Expired members',
        columns: ['number', 'name', 'phone', 'tier', 'expires_on'],
        filter: { status: { eq: 'expired' } },
        sort: ['expires_on'],
        'x-i18n': zh('已过期会员'),
      },
      dormant_members: {
        object: 'member',
        label: 'Dormant members',
        columns: ['number', 'name', 'phone', 'tier', 'last_purchase_on', 'lifetime_spend'],
        filter: { dormant: { eq: true } },
        sort: ['last_purchase_on'],
        'x-i18n': zh('沉睡会员'),
      },
      birthdays: {
        object: 'member',
        label: 'Upcoming birthdays',
        columns: ['number', 'name', 'phone', 'tier', 'next_birthday'],
        filter: { status: { eq: 'active' } },
        sort: ['next_birthday'],
        'x-i18n': zh('近期生日'),
      },
      purchases: {
        object: 'purchase',
        label: 'Purchases',
        columns: ['number', 'member', 'purchased_on', 'amount', 'points', 'channel', 'status'],
        sort: ['-purchased_on'],
        default: true,
        'x-i18n': zh('消费记录'),
      },
      points: {
        object: 'points_entry',
        label: 'Points transactions',
        columns: ['member', 'points', 'reason', 'amount', 'occurred_on'],
        sort: ['-created_at'],
        default: true,
        'x-i18n': zh('积分流水'),
      },
      campaign_members: {
        object: 'campaign_member',
        label: 'Campaign members',
        columns: ['campaign', 'member', 'status', 'responded_on'],
        default: true,
        'x-i18n': zh('活动会员'),
      },
    },
    forms: {
      member: {
        object: 'member',
        uiSchema: {
          'ui:order': [
            'number',
            'name',
            'phone',
            'email',
            'birthday',
            'tier',
            'points',
            'lifetime_spend',
            'visits',
            'last_purchase_on',
            'joined_on',
            'expires_on',
            'status',
            '*',
          ],
          tier: { 'ui:readonly': true },
        },
      },
    },
  });
  // Members on the core CRM's records: cases and tasks name the member they are about (and so show
  // in the member's timeline); campaigns count their members and the purchases they brought.
  addFields(doc, 'service_case', { member: lookup('member', 'Member', '会员') });
  addFields(doc, 'activity', { member: lookup('member', 'Member', '会员') });
  addFields(doc, 'campaign', {
    members_invited: relatedRollup(
      { object: 'campaign_member', via: 'campaign', op: 'count' },
      'Members',
      '活动会员数',
      {
        type: 'integer',
      },
    ),
    members_responded: relatedRollup(
      {
        object: 'campaign_member',
        via: 'campaign',
        op: 'count',
        filter: { status: { in: ['responded', 'converted'] } },
      },
      'Members responded',
      '响应会员数',
      { type: 'integer' },
    ),
    member_revenue: relatedRollup(
      { object: 'purchase', via: 'campaign', op: 'sum', field: 'amount', filter: ACTIVE_COUNTS },
      'Member purchases',
      '会员消费额',
    ),
  });
  const d = doc as unknown as Doc;
  // Service agents look members up from a case.
  const agent = (d.roles as Record<string, { objects: Record<string, unknown> }>).service_agent!;
  agent.objects.member = g(false, 'all', false, false);
  d.reports = { ...d.reports, ...membershipReports };
  d.dashboards = { ...d.dashboards, ...membershipDashboards };

  return template({
    name: 'membership',
    label: 'Membership (B2C)',
    version: '0.2.0',
    description:
      'The core CRM plus members: spend roll-ups, points earned and redeemed without overdraw, tiers by points or spend, birthday and dormant-member reminders, campaigns and cases, reports and dashboards.',
    document: doc,
    sampleData: {
      users: [
        {
          _key: 'mgr',
          email: 'members@club.test',
          name: 'Membership manager',
          password: DEMO_PASSWORD,
          roles: ['member_manager'],
        },
        {
          _key: 'clerk',
          email: 'clerk@club.test',
          name: 'Store clerk',
          password: DEMO_PASSWORD,
          roles: ['store_clerk'],
          manager: '@mgr',
        },
      ],
      campaign: [
        {
          _key: 'spring',
          _owner: '@mgr',
          name: 'Spring member day',
          type: 'event',
          status: 'active',
          start_on: isoDay(45),
          end_on: isoDay(30),
          cost: 1200,
        },
      ],
      member: [
        {
          _key: 'han',
          _owner: '@clerk',
          name: 'Han Mei',
          phone: '13800000001',
          birthday: '1990-05-20',
          joined_on: '2024-03-01',
          expires_on: '2030-03-01',
        },
        {
          _key: 'tang',
          _owner: '@clerk',
          name: 'Tang Bo',
          phone: '13800000002',
          joined_on: '2025-01-15',
          expires_on: '2030-01-15',
        },
      ],
      purchase: [
        { _owner: '@clerk', member: '@han', purchased_on: isoDay(70), amount: 3200, channel: 'store' },
        {
          _owner: '@clerk',
          member: '@han',
          purchased_on: isoDay(40),
          amount: 1800,
          channel: 'wechat',
          campaign: '@spring',
        },
        { _owner: '@clerk', member: '@han', purchased_on: isoDay(10), amount: 1200, channel: 'app' },
        { _owner: '@clerk', member: '@tang', purchased_on: isoDay(120), amount: 300, channel: 'store' },
      ],
      points_entry: [{ _owner: '@clerk', member: '@han', points: -500, reason: 'redeem', occurred_on: isoDay(15) }],
      campaign_member: [
        { member: '@han', campaign: '@spring', status: 'converted', responded_on: isoDay(40) },
        { member: '@tang', campaign: '@spring', status: 'invited' },
      ],
      service_case: [
        {
          _owner: '@clerk',
          subject: 'Points of a purchase missing',
          member: '@tang',
          channel: 'wechat',
          priority: 'low',
        },
      ],
    },
  });
}
