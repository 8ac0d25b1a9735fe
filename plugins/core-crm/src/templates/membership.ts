import type { TemplateDocument } from '@forma/platform/plugin-api';
import { autonumber, children, date, email, integer, lookup, money, object, select, text } from '../fields';
import { DEMO_PASSWORD } from '../sample-data';
import { template } from './compose';

/** Points needed for each tier, highest first; the tier script and the tests read this table. */
export const TIERS = [
  ['platinum', 'Platinum', '白金', 20000],
  ['gold', 'Gold', '黄金', 5000],
  ['silver', 'Silver', '白银', 1000],
  ['bronze', 'Bronze', '青铜', 0],
] as const;

const tierCode = [
  `const tiers = ${JSON.stringify(TIERS.map(([t, , , min]) => [t, min]))};`,
  'const points = record.points || 0;',
  "set('tier', tiers.find(([, min]) => points >= min)[0]);",
].join('\n');

const g = (create: unknown, read: unknown, update: unknown, del: unknown) => ({ create, read, update, delete: del });

/**
 * Membership (B2C): members with points and tiers, point transactions that move the balance (a
 * plugin hook applies each one to its member in the same transaction, the tier script follows the
 * points), and paid renewals that extend the membership.
 */
export function membershipTemplate(): TemplateDocument {
  return template({
    name: 'membership',
    label: 'Membership (B2C)',
    version: '0.1.0',
    description: 'Members, tiers kept in line with points by a script, point transactions, renewals.',
    document: {
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
            points: integer('Points', '积分', { minimum: 0, default: 0 }),
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
            renewals: children('renewal', 'member', 'Renewals', '续费记录'),
          },
          ['name', 'phone'],
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
              ['adjust', 'Adjustment', '调整'],
            ]),
            amount: money('Purchase amount', '消费金额', { minimum: 0 }),
            occurred_on: date('Date', '日期'),
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
      },
      scripts: {
        member_tier: {
          object: 'member',
          event: 'beforeSave',
          label: 'The tier follows the points',
          code: tierCode,
        },
        member_expiry: {
          object: 'member',
          event: 'beforeSave',
          label: 'A membership past its end date is expired; a renewed one is active again',
          code: [
            'const today = new Date().toISOString().slice(0, 10);',
            "if (record.status !== 'cancelled' && record.expires_on) set('status', record.expires_on < today ? 'expired' : 'active');",
          ].join('\n'),
        },
        renewal_dates: {
          object: 'renewal',
          event: 'validate',
          code: "if (record.ends_on <= record.starts_on) error('ends_on', 'A renewal ends after it starts');",
        },
      },
      roles: {
        store_clerk: {
          label: 'Store clerk',
          'x-i18n': { 'zh-CN': { title: '店员' } },
          objects: {
            member: { ...g('all', 'all', 'all', false), fields: { tier: 'read', points: 'read' } },
            points_entry: g('all', 'all', false, false),
            renewal: g('all', 'all', false, false),
          },
        },
        member_manager: {
          label: 'Membership manager',
          'x-i18n': { 'zh-CN': { title: '会员经理' } },
          objects: {
            member: g('all', 'all', 'all', 'all'),
            points_entry: g('all', 'all', 'all', 'all'),
            renewal: g('all', 'all', 'all', 'all'),
          },
        },
      },
      views: {
        members: {
          object: 'member',
          label: 'Members',
          columns: ['number', 'name', 'phone', 'tier', 'points', 'expires_on', 'status'],
          sort: ['-points'],
          default: true,
          'x-i18n': { 'zh-CN': { title: '会员列表' } },
        },
        expiring: {
          object: 'member',
          label: 'Expired members',
          columns: ['number', 'name', 'phone', 'tier', 'expires_on'],
          filter: { status: { eq: 'expired' } },
          sort: ['expires_on'],
          'x-i18n': { 'zh-CN': { title: '已过期会员' } },
        },
        points: {
          object: 'points_entry',
          label: 'Points transactions',
          columns: ['member', 'points', 'reason', 'amount', 'occurred_on'],
          sort: ['-created_at'],
          default: true,
          'x-i18n': { 'zh-CN': { title: '积分流水' } },
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
              'joined_on',
              'expires_on',
              'status',
              '*',
            ],
            tier: { 'ui:readonly': true },
          },
        },
      },
    },
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
      member: [
        {
          _owner: '@clerk',
          name: 'Han Mei',
          phone: '13800000001',
          points: 6200,
          joined_on: '2024-03-01',
          expires_on: '2030-03-01',
        },
        {
          _owner: '@clerk',
          name: 'Tang Bo',
          phone: '13800000002',
          points: 300,
          joined_on: '2025-01-15',
          expires_on: '2030-01-15',
        },
      ],
    },
  });
}
