import { agingOf } from '../jobs/classify';
import { DEMO_PASSWORD } from '../sample-data';
import {
  ACTIVITY_SUBJECTS,
  CAMPAIGNS,
  CASE_SUBJECTS,
  CITIES,
  COMPANY_PREFIXES,
  COMPANY_SUFFIXES,
  JOB_TITLES,
  LOST_REASONS,
  person,
} from './names';
import type { Random } from './random';
import { day, type Row, type VolumeContext, type VolumeGenerator } from './volume';

/** Days of history the core volume spreads over (18 months). */
export const HISTORY_DAYS = 540;

/** How much the core generator makes; a template may ask for more or less. */
export interface CoreVolumeOptions {
  accounts: number;
  deals: number;
  leads: number;
  cases: number;
  /**
   * An order's fields for an amount: `{amount}` by default; a template whose order amount is its
   * lines' total returns `{lines}` (and may add its own fields, e.g. a sales channel), and a template
   * whose orders follow a path returns their `status` with the later steps (`_then`, `_finally`).
   * `ordered` is the order date (days from today).
   */
  orderFields?: (ctx: VolumeContext, amount: number, ordered: number) => Row;
  /**
   * A deal's extra fields (line items such as contact roles, and the path to its stage when the
   * template's rules refuse creating it there: `stage` and `_then`), given the deal and the
   * contacts of its account.
   */
  dealFields?: (ctx: VolumeContext, deal: Deal, contacts: string[]) => Row;
}

export const DEFAULT_CORE_VOLUME: CoreVolumeOptions = { accounts: 100, deals: 220, leads: 80, cases: 120 };

/** The sales and service org the volume is owned by (user keys). */
export interface Org {
  top: string;
  managers: string[];
  reps: string[];
  agents: string[];
  finance: string[];
}

export interface Product {
  key: string;
  price: number;
  cost: number;
}

/** An order of the volume (`ctx.shared.orders`): later generators deliver or return it. */
export interface Order {
  key: string;
  owner: string;
  account: string;
  ordered: number;
  status: string;
  lines?: Row[];
}

export interface Deal {
  key: string;
  owner: string;
  account: string;
  contact: string;
  name: string;
  amount: number;
  stage: string;
  close: number;
}

const PRODUCTS: ReadonlyArray<readonly [string, string, string, string, number, number]> = [
  ['Industrial controller', 'V-HW-01', 'hardware', 'unit', 24000, 15000],
  ['Conveyor module', 'V-HW-02', 'hardware', 'unit', 38000, 26000],
  ['Safety light curtain', 'V-HW-03', 'hardware', 'unit', 5200, 2900],
  ['Barcode scanner', 'V-HW-04', 'hardware', 'unit', 1800, 900],
  ['Warehouse management licence', 'V-SW-01', 'software', 'licence', 60000, 6000],
  ['Analytics add-on', 'V-SW-02', 'software', 'licence', 18000, 2000],
  ['Mobile app seats (10)', 'V-SW-03', 'software', 'pack', 9000, 800],
  ['Consulting day', 'V-SV-01', 'service', 'day', 4500, 2500],
  ['Training course', 'V-SV-02', 'service', 'course', 8000, 3500],
  ['Maintenance visit', 'V-SV-03', 'service', 'visit', 2500, 1200],
  ['Standard support (yearly)', 'V-SB-01', 'subscription', 'year', 15000, 4000],
  ['Cloud hosting (yearly)', 'V-SB-02', 'subscription', 'year', 24000, 9000],
];

/** NPS answers that go with a rating: only the unhappy are detractors. */
const NPS_RANGE: Record<number, [number, number]> = { 5: [9, 10], 4: [7, 9], 3: [7, 8], 2: [4, 6], 1: [0, 3] };

/** A calendar day `offset` days from a fixed day: differences between such days are exact. */
const onDay = (offset: number) => new Date(Date.UTC(2000, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

const has = (roles: unknown, role: string) => Array.isArray(roles) && roles.includes(role);

/**
 * The org chart: the story's users plus a second sales team under a manager who reports to the
 * top sales manager, more reps, service agents with a manager, finance. Keys start with `v_`.
 */
export function buildOrg(ctx: VolumeContext): Org {
  const story = (ctx.story.users ?? []) as Array<Row & { _key?: string; roles?: string[]; manager?: string }>;
  const email = String(story[0]?.email ?? 'admin@demo.test');
  const domain = email.slice(email.indexOf('@') + 1);
  const keyed = story.filter((u) => u._key);
  const managers = keyed.filter((u) => has(u.roles, 'sales_manager')).map((u) => u._key!);
  const reps = keyed.filter((u) => has(u.roles, 'sales_rep')).map((u) => u._key!);
  const agents = keyed.filter((u) => has(u.roles, 'service_agent')).map((u) => u._key!);
  const finance = keyed.filter((u) => has(u.roles, 'finance')).map((u) => u._key!);
  // The top of the chart: a sales manager nobody in the story reports to another manager above.
  const top = keyed.find((u) => has(u.roles, 'sales_manager') && !u.manager)?._key ?? managers[0];
  const user = (key: string, name: string, local: string, roles: string[], manager?: string) => {
    ctx.add('users', {
      _key: key,
      email: `${local}@${domain}`,
      name,
      password: DEMO_PASSWORD,
      roles,
      ...(manager ? { manager: `@${manager}` } : {}),
    });
    return key;
  };
  const head = top ?? user('v_director', 'Qian Jun (sales director)', 'director2', ['sales_manager']);
  const mgr = user('v_mgr', 'Zhou Qiang (sales manager, East)', 'manager.east', ['sales_manager'], head);
  const newReps = [
    user('v_rep1', 'Huang Lei (sales rep)', 'rep.east1', ['sales_rep'], mgr),
    user('v_rep2', 'Xu Na (sales rep)', 'rep.east2', ['sales_rep'], mgr),
    user('v_rep3', 'Gao Peng (sales rep)', 'rep.east3', ['sales_rep'], mgr),
  ];
  const svcHead =
    keyed.find((u) => has(u.roles, 'service_agent') && !agents.includes(String(u.manager ?? '').slice(1)))?._key ??
    user('v_svcmgr', 'Ma Hui (service manager)', 'service.lead', ['service_agent'], head);
  const newAgents = [
    user('v_svc1', 'Luo Ning (service agent)', 'agent1', ['service_agent'], svcHead),
    user('v_svc2', 'Zhu Yan (service agent)', 'agent2', ['service_agent'], svcHead),
  ];
  const fin = finance.length ? finance : [user('v_fin', 'Guo Hong (finance)', 'accounts', ['finance'])];
  return {
    top: head,
    managers: [...new Set([head, ...managers, mgr])],
    reps: [...reps, ...newReps],
    agents: [...new Set([...agents, svcHead, ...newAgents])],
    finance: fin,
  };
}

/** Pairs of name parts in a seeded order: every account name is different. */
function accountNames(rnd: Random, n: number): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const p of COMPANY_PREFIXES) for (const [s, industry] of COMPANY_SUFFIXES) pairs.push([`${p} ${s}`, industry]);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  return pairs.slice(0, n);
}

const choose = (ctx: VolumeContext, object: string, field: string, preferred: readonly string[]): string => {
  const values = ctx.choices(object, field);
  if (!values) return ctx.rnd.pick(preferred);
  const wanted = preferred.filter((p) => values.includes(p));
  return ctx.rnd.pick(wanted.length ? wanted : values);
};

/**
 * The core CRM's volume: accounts and contacts, leads and campaigns, deals through every stage
 * over 18 months, quotes, contracts, orders, receivables with payments (open ones in every aging
 * bucket), activities (due today and overdue among them), service cases with survey answers.
 */
export function coreVolume(options: Partial<CoreVolumeOptions> = {}): VolumeGenerator {
  const opts = { ...DEFAULT_CORE_VOLUME, ...options };
  return {
    name: 'core',
    generate(ctx) {
      const { rnd } = ctx;
      const org = buildOrg(ctx);
      ctx.shared.org = org;
      const sellers = [...org.reps, ...org.reps, ...org.managers];

      // Catalogue.
      const products: Product[] = [];
      for (const [i, [name, code, category, unit, price, cost]] of PRODUCTS.entries()) {
        const key = `v_p${i + 1}`;
        ctx.add('product', {
          _key: key,
          name,
          code,
          category,
          unit,
          list_price: price,
          cost,
          stock: rnd.int(800, 3000),
          reorder_level: 20,
        });
        products.push({ key, price, cost });
      }
      ctx.shared.products = products;

      // Campaigns, a few a season.
      const campaigns: Array<{ key: string; start: number }> = [];
      for (const [i, [name, type]] of CAMPAIGNS.entries()) {
        const start = -HISTORY_DAYS + 20 + i * 58;
        const end = start + (type === 'ads' || type === 'email' ? 30 : 3);
        const budget = rnd.amount(10000, 150000, 1000);
        const key = `v_cmp${i + 1}`;
        ctx.add('campaign', {
          _key: key,
          _owner: `@${org.top}`,
          name,
          type: choose(ctx, 'campaign', 'type', [type]),
          status: end < 0 ? 'completed' : start <= 0 ? 'active' : 'planned',
          start_on: day(start),
          end_on: day(end),
          budget,
          leads_target: rnd.int(2, 12) * 10,
        });
        // A campaign's cost is the roll-up of its approved expense lines: its spend is booked as an
        // approved marketing claim of its owner (as expense-samples.ts books the story's).
        if (start <= 0) {
          const cost = Math.round(budget * (0.6 + rnd.next() * 0.5));
          ctx.add('expense_claim', {
            _owner: `@${org.top}`,
            title: `${name} – campaign spend`,
            status: 'approved',
            lines: [
              {
                spent_on: day(Math.min(0, end)),
                category: 'marketing',
                description: `${name} (booked)`,
                amount: cost,
                campaign: `@${key}`,
                approved: true,
              },
            ],
          });
        }
        if (start <= 0) campaigns.push({ key, start });
      }

      // Accounts and their contacts.
      const accounts: Array<{ key: string; name: string; owner: string; contacts: string[] }> = [];
      let people = 0;
      for (const [i, [name, industry]] of accountNames(rnd, opts.accounts).entries()) {
        const key = `v_acc${i + 1}`;
        const owner = rnd.pick(sellers);
        ctx.add('account', {
          _key: key,
          _owner: `@${owner}`,
          name,
          industry: choose(ctx, 'account', 'industry', [industry]),
          type: rnd.weighted([
            ['customer', 6],
            ['prospect', 3],
            ['partner', 1],
          ]),
          rating: rnd.weighted([
            ['hot', 2],
            ['warm', 5],
            ['cold', 3],
          ]),
          city: rnd.pick(CITIES),
          country: 'China',
          phone: `+86 ${rnd.int(10, 99)} ${rnd.int(1000, 9999)} ${rnd.int(1000, 9999)}`,
          annual_revenue: rnd.amount(1_000_000, 500_000_000, 100_000),
          employees: rnd.int(10, 5000),
        });
        const contacts: string[] = [];
        const n = rnd.weighted([
          [1, 5],
          [2, 4],
          [3, 1],
        ] as const);
        for (let c = 0; c < n; c++) {
          const ck = `v_con${++people}`;
          const [last, first] = person(people * 3 + c);
          ctx.add('contact', {
            _key: ck,
            _owner: `@${owner}`,
            last_name: last,
            first_name: first,
            account: `@${key}`,
            job_title: rnd.pick(JOB_TITLES),
            email: `${first.toLowerCase()}.${last.toLowerCase()}${people}@${key.replace('_', '')}.example`,
            phone: `+86 138 ${rnd.int(1000, 9999)} ${rnd.int(1000, 9999)}`,
            primary: c === 0,
          });
          contacts.push(ck);
        }
        accounts.push({ key, name, owner, contacts });
      }
      ctx.shared.accounts = accounts;

      // Leads, most of them recent.
      for (let i = 0; i < opts.leads; i++) {
        const age = Math.floor(HISTORY_DAYS * rnd.next() ** 2);
        const [last, first] = person(i * 11 + 5);
        const campaign = rnd.chance(0.4) ? campaigns.filter((c) => c.start <= -age) : [];
        ctx.add('lead', {
          _owner: `@${rnd.pick(org.reps)}`,
          company: `${rnd.pick(COMPANY_PREFIXES)} ${rnd.pick(['Trading', 'Holdings', 'Industries', 'Group', 'Tech'])} ${i + 1}`,
          contact_name: `${last} ${first}`,
          email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@lead${i}.example`,
          industry: choose(ctx, 'lead', 'industry', ['manufacturing', 'retail', 'technology', 'healthcare']),
          source: campaign.length
            ? 'campaign'
            : choose(ctx, 'lead', 'source', ['web', 'referral', 'event', 'cold_call']),
          ...(campaign.length ? { campaign: `@${rnd.pick(campaign).key}` } : {}),
          status:
            age > 120 ? rnd.pick(['qualified', 'disqualified']) : rnd.pick(['new', 'new', 'contacted', 'qualified']),
          estimated_amount: rnd.amount(10000, 400000, 5000),
        });
      }

      // Deals through every stage: closed ones (won or lost) in the past, open ones closing ahead.
      const stages = ctx.choices('deal', 'stage') ?? ['prospecting', 'won', 'lost'];
      const open = stages.filter((s) => s !== 'won' && s !== 'lost');
      const deals: Deal[] = [];
      for (let i = 0; i < opts.deals; i++) {
        const account = rnd.pick(accounts);
        // The first deals walk every stage, so each has some whatever the seed.
        const forced = i < stages.length * 3 ? stages[i % stages.length] : undefined;
        let close = rnd.int(-HISTORY_DAYS + 30, 150);
        let stage = forced;
        if (!stage) stage = close < -5 ? (rnd.chance(0.55) ? 'won' : 'lost') : rnd.pick(open);
        if ((stage === 'won' || stage === 'lost') && close > -3) close = -rnd.int(3, HISTORY_DAYS - 30);
        if (stage !== 'won' && stage !== 'lost' && close < 0) close = rnd.int(0, 120);
        const owner = rnd.chance(0.8) ? account.owner : rnd.pick(sellers);
        const amount = rnd.amount(20000, 900000, 1000);
        const name = `${account.name} — ${rnd.pick(['expansion', 'renewal', 'pilot', 'rollout', 'upgrade', 'new site'])} ${i + 1}`;
        const key = `v_deal${i + 1}`;
        const campaign = rnd.chance(0.3) ? campaigns.filter((c) => c.start < close - 30) : [];
        const contact = rnd.pick(account.contacts);
        ctx.add('deal', {
          _key: key,
          _owner: `@${owner}`,
          name,
          account: `@${account.key}`,
          contact: `@${contact}`,
          amount,
          stage,
          close_on: day(close),
          source: campaign.length ? 'campaign' : choose(ctx, 'deal', 'source', ['web', 'referral', 'event', 'partner']),
          ...(campaign.length ? { campaign: `@${rnd.pick(campaign).key}` } : {}),
          ...(stage === 'lost' ? { lost_reason: choose(ctx, 'deal', 'lost_reason', LOST_REASONS) } : {}),
          ...(open.includes(stage) ? { next_step: rnd.pick(ACTIVITY_SUBJECTS) } : {}),
          ...(opts.dealFields?.(
            ctx,
            { key, owner, account: account.key, contact, name, amount, stage, close },
            account.contacts,
          ) ?? {}),
        });
        deals.push({ key, owner, account: account.key, contact, name, amount, stage, close });
      }
      ctx.shared.deals = deals;

      // Quotes for deals that got as far as a proposal.
      const late = new Set([...open.slice(Math.floor(open.length / 2)), 'won', 'lost']);
      let quotes = 0;
      for (const d of deals) {
        if (!late.has(d.stage) || !rnd.chance(d.stage === 'lost' ? 0.3 : 0.6)) continue;
        const lines = Array.from({ length: rnd.int(1, 3) }, () => {
          const p = rnd.pick(products);
          return { product: `@${p.key}`, quantity: rnd.int(1, 12), unit_price: p.price };
        });
        ctx.add('quote', {
          _key: `v_q${++quotes}`,
          _owner: `@${d.owner}`,
          name: `${d.name} — proposal`,
          deal: `@${d.key}`,
          account: `@${d.account}`,
          contact: `@${d.contact}`,
          valid_until: day(d.close + 30),
          discount: rnd.pick([0, 0, 5, 8, 10, 12, 15]),
          status: d.stage === 'won' ? 'accepted' : d.stage === 'lost' ? 'declined' : rnd.pick(['draft', 'sent']),
          lines,
        });
      }

      // Won deals become contracts and orders; orders are invoiced.
      const receivables: Array<{ row: Row; due: number; invoiced: number }> = [];
      let orders = 0;
      let contracts = 0;
      const orderList: Order[] = [];
      ctx.shared.orders = orderList;
      const contractList: Array<{ key: string; owner: string; account: string; value: number; start: number }> = [];
      ctx.shared.contracts = contractList;
      for (const d of deals.filter((x) => x.stage === 'won')) {
        let contract: string | undefined;
        if (rnd.chance(0.75)) {
          contract = `v_k${++contracts}`;
          ctx.add('contract', {
            _key: contract,
            _owner: `@${d.owner}`,
            name: `${d.name} — agreement`,
            account: `@${d.account}`,
            deal: `@${d.key}`,
            value: d.amount,
            start_on: day(d.close + 1),
            end_on: day(d.close + 366),
            signed_on: day(d.close),
            status: d.close + 366 < 0 ? 'expired' : 'active',
          });
          contractList.push({ key: contract, owner: d.owner, account: d.account, value: d.amount, start: d.close + 1 });
        }
        const parts = d.amount > 400000 ? 2 : 1;
        for (let p = 0; p < parts; p++) {
          const ordered = Math.min(0, d.close + rnd.int(1, 10) + p * 45);
          const amount = Math.round(d.amount / parts);
          const fields = opts.orderFields?.(ctx, amount, ordered) ?? { amount };
          const lines = fields.lines as Row[] | undefined;
          const total = lines
            ? lines.reduce(
                (s, l) => s + Number(l.quantity) * Number(l.unit_price) * (1 - Number(l.discount ?? 0) / 100),
                0,
              )
            : Number(fields.amount);
          const key = `v_o${++orders}`;
          const order = {
            _key: key,
            _owner: `@${d.owner}`,
            account: `@${d.account}`,
            ...(contract ? { contract: `@${contract}` } : {}),
            ordered_on: day(ordered),
            status: ordered < -30 ? 'delivered' : 'shipped',
            ...fields,
          };
          ctx.add('order', order);
          orderList.push({ key, owner: d.owner, account: d.account, ordered, status: order.status, lines });
          const invoiced = Math.min(0, ordered + rnd.int(0, 5));
          receivables.push({
            invoiced,
            due: invoiced + rnd.pick([30, 30, 45, 60]),
            row: {
              account: `@${d.account}`,
              order: `@${key}`,
              ...(contract ? { contract: `@${contract}` } : {}),
              amount: total,
            },
          });
        }
      }
      // Service invoices that make sure every aging bucket has open balances whatever the seed.
      for (const [from, to] of [
        [-25, -5],
        [5, 25],
        [35, 55],
        [65, 85],
        [100, 170],
        [200, 400],
      ] as const) {
        for (let k = 0; k < 2; k++) {
          const account = rnd.pick(accounts);
          const due = -rnd.int(from, to);
          receivables.push({
            invoiced: Math.min(0, due - 30),
            due,
            row: { account: `@${account.key}`, amount: rnd.amount(5000, 90000, 500), _open: true },
          });
        }
      }
      let refs = 0;
      for (const r of receivables) {
        const { _open, ...row } = r.row;
        const amount = Number(row.amount);
        const overdue = r.due < 0;
        const settle = _open
          ? rnd.pick(['none', 'part'])
          : overdue
            ? rnd.weighted([
                ['full', 85],
                ['part', 10],
                ['none', 5],
              ] as const)
            : rnd.weighted([
                ['none', 7],
                ['part', 3],
              ] as const);
        const latest = Math.min(0, r.due + 15);
        const paidOn = () => day(Math.max(r.invoiced, Math.min(latest, r.due - rnd.int(-10, 10))));
        const method = () => rnd.pick(['bank_transfer', 'bank_transfer', 'alipay', 'wechat', 'card']);
        const payments =
          settle === 'full'
            ? rnd.chance(0.3)
              ? [
                  { paid_on: paidOn(), amount: Math.round(amount / 2), method: method(), reference: `PAY-${++refs}` },
                  {
                    paid_on: paidOn(),
                    amount: amount - Math.round(amount / 2),
                    method: method(),
                    reference: `PAY-${++refs}`,
                  },
                ]
              : [{ paid_on: paidOn(), amount, method: method(), reference: `PAY-${++refs}` }]
            : settle === 'part'
              ? [{ paid_on: paidOn(), amount: Math.round(amount * 0.4), method: method(), reference: `PAY-${++refs}` }]
              : [];
        // The aging bucket as the aging job would file it on the tenant's first day (the dates are
        // relative to that day), so creating the tenant does not update every receivable again.
        const paid = payments.reduce((s, p) => s + p.amount, 0);
        const { aging, daysOverdue } = agingOf(onDay(r.due), onDay(0), amount - paid);
        ctx.add('receivable', {
          _owner: `@${rnd.pick(org.finance)}`,
          ...row,
          aging,
          days_overdue: daysOverdue,
          invoiced_on: day(r.invoiced),
          due_on: day(r.due),
          ...(payments.length ? { payments } : {}),
        });
      }

      // Activities: a history of done ones, and open ones due today, overdue and upcoming.
      const active = deals.filter((d) => open.includes(d.stage));
      const pickDeal = (list: Deal[]) => rnd.pick(list.length ? list : deals);
      const activity = (d: Deal, due: number, status: string) =>
        ctx.add('activity', {
          _owner: `@${d.owner}`,
          subject: `${rnd.pick(ACTIVITY_SUBJECTS)} — ${d.name.split(' — ')[0]}`,
          type: rnd.pick(['call', 'meeting', 'email', 'visit', 'task']),
          status,
          priority: rnd.weighted([
            ['normal', 6],
            ['high', 2],
            ['low', 2],
          ]),
          due_on: day(due),
          account: `@${d.account}`,
          contact: `@${d.contact}`,
          deal: `@${d.key}`,
        });
      for (let i = 0; i < 100; i++) {
        const d = pickDeal(deals);
        activity(d, Math.min(-1, d.close - rnd.int(0, 60)), rnd.chance(0.9) ? 'done' : 'cancelled');
      }
      for (let i = 0; i < 8; i++) activity(pickDeal(active), 0, 'open');
      for (let i = 0; i < 12; i++) activity(pickDeal(active), -rnd.int(1, 20), 'open');
      for (let i = 0; i < 30; i++) activity(pickDeal(active), rnd.int(1, 30), 'open');

      // Expense claims of the sales team: visits and entertainment for their customers and deals.
      // Older claims are approved (booked, like the campaigns' spend) and count in the expense
      // statistics; the latest ones are drafts still being filled in.
      if (ctx.has('expense_claim')) {
        for (const rep of [...org.reps, ...org.managers]) {
          const mine = deals.filter((d) => d.owner === rep);
          for (let c = 0; c < 4 && mine.length; c++) {
            const on = -rnd.int(3, HISTORY_DAYS - 20);
            const lines = Array.from({ length: rnd.int(1, 3) }, () => {
              const d = rnd.pick(mine);
              const category = rnd.pick(['travel', 'meals', 'entertainment', 'lodging', 'gifts']);
              return {
                spent_on: day(Math.min(0, on + rnd.int(-10, 0))),
                category: choose(ctx, 'expense_line', 'category', [category]),
                description: `${category === 'travel' ? 'Trip to' : 'With'} ${d.name.split(' — ')[0]}`,
                amount: rnd.amount(30, 1800, 10),
                account: `@${d.account}`,
                deal: `@${d.key}`,
              };
            });
            const approved = on < -20;
            ctx.add('expense_claim', {
              _owner: `@${rep}`,
              title: `Customer visits, ${c + 1}`,
              status: approved ? 'approved' : 'draft',
              lines: lines.map((l) => ({ ...l, approved })),
            });
          }
        }
      }

      // Service cases over the whole period; older ones closed, many answered the survey.
      for (let i = 0; i < opts.cases; i++) {
        const account = rnd.pick(accounts);
        const age = rnd.int(0, HISTORY_DAYS);
        const agent = rnd.pick(org.agents);
        const status =
          age > 20
            ? rnd.weighted([
                ['closed', 7],
                ['resolved', 3],
              ])
            : rnd.pick(['new', 'in_progress', 'waiting', 'resolved']);
        const key = `v_case${i + 1}`;
        const contact = rnd.pick(account.contacts);
        const type = choose(ctx, 'service_case', 'type', ['question', 'problem', 'complaint', 'request']);
        ctx.add('service_case', {
          _key: key,
          _owner: `@${agent}`,
          subject: rnd.pick(CASE_SUBJECTS),
          account: `@${account.key}`,
          contact: `@${contact}`,
          channel: rnd.pick(['phone', 'email', 'web', 'wechat']),
          type,
          priority: rnd.weighted([
            ['low', 3],
            ['medium', 5],
            ['high', 2],
            ['urgent', 1],
          ]),
          status,
          ...(status === 'closed' || status === 'resolved' ? { resolution: 'Solved with the customer' } : {}),
        });
        if (status !== 'closed' || !rnd.chance(0.6)) continue;
        const rating = rnd.weighted([
          [5, 40],
          [4, 35],
          [3, 15],
          [2, 7],
          [1, 3],
        ] as const);
        const answered = Math.min(0, -age + rnd.int(2, 10));
        const comment = rating >= 4 ? 'Quick and helpful' : rating === 3 ? 'Fine, took a while' : 'Too slow';
        ctx.add('survey', {
          _owner: `@${agent}`,
          service_case: `@${key}`,
          rating,
          comment,
          answered_on: day(answered),
        });
        ctx.add('survey_response', {
          _owner: `@${agent}`,
          service_case: `@${key}`,
          contact: `@${contact}`,
          survey: 'case_satisfaction',
          agent: `@${agent}`,
          case_type: type,
          rating,
          // Detractors (NPS 6 or less) are the unhappy ones only: each gets the manager's follow-up task.
          nps: rnd.int(...NPS_RANGE[rating]!),
          reason: rnd.pick(['speed', 'expertise', 'friendliness', 'other']),
          comment,
        });
      }
    },
  };
}
