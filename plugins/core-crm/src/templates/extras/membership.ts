import { DEMO_PASSWORD } from '../../sample-data';
import { POINTS_PER_UNIT } from '../membership';
import { person } from '../../sample/names';
import { day, type Row, type VolumeGenerator } from '../../sample/volume';
import { addWidgets, type TemplateExtras, zh, zhLabel } from './types';

/**
 * Members over three years: some expired, most renewed; purchases (recorded as a clerk records
 * them: the template's hook turns each into its points), a few refunds, redemptions (never more
 * than the member has), bonuses. Balance, spend, visits and tier follow through the template's
 * hooks, roll-ups and script, never typed.
 */
const members: VolumeGenerator = {
  name: 'members',
  generate(ctx) {
    const { rnd } = ctx;
    const story = (ctx.story.users ?? []) as Array<Row & { _key?: string; roles?: string[] }>;
    const email = String(story[0]?.email ?? 'members@club.test');
    const domain = email.slice(email.indexOf('@') + 1);
    const manager = story.find((u) => u.roles?.includes('member_manager'))?._key;
    const clerks = story.filter((u) => u._key && u.roles?.includes('store_clerk')).map((u) => u._key!);
    // A second store: its lead reports to the membership manager, its clerks to the lead.
    ctx.add('users', {
      _key: 'v_lead',
      email: `store.lead@${domain}`,
      name: 'Song Li (store lead)',
      password: DEMO_PASSWORD,
      roles: ['store_clerk'],
      ...(manager ? { manager: `@${manager}` } : {}),
    });
    clerks.push('v_lead');
    for (const [i, name] of ['Deng Xia (store clerk)', 'Pan Yue (store clerk)'].entries()) {
      const key = `v_clerk${i + 1}`;
      ctx.add('users', {
        _key: key,
        email: `clerk${i + 2}@${domain}`,
        name,
        password: DEMO_PASSWORD,
        roles: ['store_clerk'],
        manager: '@v_lead',
      });
      clerks.push(key);
    }
    for (let i = 0; i < 120; i++) {
      const key = `v_mem${i + 1}`;
      const owner = rnd.pick(clerks);
      const [last, first] = person(i * 13 + 7);
      const joined = -rnd.int(1, 1000);
      // A few birthdays today and this week, so the birthday reminders have someone to remind of.
      const birthday = i < 3 ? `$today-${25 + i * 7}y` : day(-rnd.int(18 * 365, 70 * 365));
      ctx.add('member', {
        _key: key,
        _owner: `@${owner}`,
        name: `${last} ${first}`,
        phone: `139${String(10_000_000 + i * 7919).slice(-8)}`,
        email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@mail.example`,
        birthday,
        joined_on: day(joined),
        expires_on: day(joined + 365),
      });
      if (joined < -365 && rnd.chance(0.65))
        ctx.add('renewal', {
          _owner: `@${owner}`,
          member: `@${key}`,
          starts_on: day(joined + 365),
          ends_on: day(joined + 730),
          fee: rnd.pick([199, 299, 299, 499]),
          channel: rnd.pick(['store', 'app', 'wechat']),
        });
      // Purchases earn their points through the template's hook (a `purchase` points entry each,
      // POINTS_PER_UNIT a unit of money); a few are refunded, which takes their points back.
      // Redemptions are points entries of their own, loaded after every purchase and never more
      // than the member has earned on purchases that stayed.
      let balance = 0;
      const visits = rnd.int(0, 4);
      const from = Math.max(joined, -540);
      const dates = Array.from({ length: visits }, () => rnd.int(from, 0)).sort((a, b) => a - b);
      for (const on of dates) {
        const amount = rnd.amount(50, 4000, 10);
        const refunded = rnd.chance(0.05);
        if (!refunded) balance += Math.floor(amount * POINTS_PER_UNIT);
        ctx.add('purchase', {
          _owner: `@${owner}`,
          member: `@${key}`,
          purchased_on: day(on),
          amount,
          channel: rnd.pick(['store', 'store', 'app', 'wechat', 'online']),
          ...(refunded ? { _then: [{ status: 'refunded' }] } : {}),
        });
        if (balance > 150 && rnd.chance(0.25)) {
          const spent = -Math.min(balance, rnd.pick([100, 200, 500]));
          balance += spent;
          ctx.add('points_entry', {
            _owner: `@${owner}`,
            member: `@${key}`,
            points: spent,
            reason: 'redeem',
            occurred_on: day(Math.min(0, on + rnd.int(0, 20))),
          });
        }
      }
      if (rnd.chance(0.15)) {
        ctx.add('points_entry', {
          _owner: `@${owner}`,
          member: `@${key}`,
          points: 200,
          reason: 'bonus',
          occurred_on: day(-rnd.int(0, 300)),
        });
      }
    }
  },
};

/**
 * Membership: its reports and the member manager's and clerk's dashboards, and the members volume.
 * Member spend, tiers by spend and the like add their reports here and their generators after
 * `members`.
 */
export const membershipExtras: TemplateExtras = {
  seed: 20_260_404,
  volume: [members],
  reports: {
    members_by_tier: {
      label: 'Members by tier',
      'x-i18n': zh('按等级会员数'),
      object: 'member',
      filter: { status: { eq: 'active' } },
      groupBy: [{ field: 'tier' }],
      aggregates: [
        { fn: 'count', as: 'members', label: 'Members', 'x-i18n': zhLabel('会员数') },
        { fn: 'sum', field: 'points', as: 'points', label: 'Points', 'x-i18n': zhLabel('积分') },
      ],
      chart: 'pie',
    },
    members_by_status: {
      label: 'Members by status',
      'x-i18n': zh('按状态会员数'),
      object: 'member',
      groupBy: [{ field: 'status' }],
      aggregates: [{ fn: 'count', as: 'members', label: 'Members', 'x-i18n': zhLabel('会员数') }],
      chart: 'pie',
    },
    member_sales_by_month: {
      label: 'Member purchases by month',
      'x-i18n': zh('按月会员消费'),
      description: 'Completed purchases (refunds left out) per month.',
      object: 'purchase',
      filter: { status: { eq: 'completed' } },
      groupBy: [{ field: 'purchased_on', bucket: 'month', as: 'month' }],
      aggregates: [
        { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('消费金额') },
        { fn: 'count', as: 'purchases', label: 'Purchases', 'x-i18n': zhLabel('消费笔数') },
      ],
      chart: 'line',
    },
    points_by_month: {
      label: 'Points earned and redeemed by month',
      description: 'Net points per month: purchases and bonuses earn, redemptions spend.',
      'x-i18n': zh('按月积分变动'),
      object: 'points_entry',
      groupBy: [
        { field: 'occurred_on', bucket: 'month', as: 'month' },
        { field: 'reason', as: 'reason' },
      ],
      aggregates: [{ fn: 'sum', field: 'points', as: 'points', label: 'Points', 'x-i18n': zhLabel('积分') }],
      chart: 'bar',
    },
    renewals_by_month: {
      label: 'Renewal fees by month',
      'x-i18n': zh('按月续费收入'),
      object: 'renewal',
      groupBy: [{ field: 'starts_on', bucket: 'month', as: 'month' }],
      aggregates: [
        { fn: 'sum', field: 'fee', as: 'fees', label: 'Fees', 'x-i18n': zhLabel('续费金额') },
        { fn: 'count', as: 'renewals', label: 'Renewals', 'x-i18n': zhLabel('续费笔数') },
      ],
      chart: 'bar',
    },
  },
  // The template's own dashboards (`membership` for managers and admins, `store_clerk`) stay the
  // home pages; the clerk's gets tiers and points, managers get a second dashboard of activity.
  dashboards: (existing) => ({
    ...addWidgets(existing, {
      store_clerk: [
        { report: 'members_by_tier', width: 'half' },
        { report: 'points_by_month', width: 'half' },
      ],
    }),
    membership_activity: {
      label: 'Membership activity',
      'x-i18n': zh('会员活动'),
      roles: ['member_manager', 'admin'],
      widgets: [
        { report: 'members_by_tier', width: 'half' },
        { report: 'member_sales_by_month', width: 'half' },
        { report: 'renewals_by_month', width: 'half' },
        { report: 'members_by_status', width: 'half' },
      ],
    },
  }),
};
