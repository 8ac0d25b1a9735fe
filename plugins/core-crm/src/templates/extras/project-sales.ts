import { coreVolume } from '../../sample/core-volume';
import { day, type Row, type VolumeGenerator } from '../../sample/volume';
import { addWidgets, type TemplateExtras, zh, zhLabel } from './types';

/** Milestones of the core volume's contracts: 2–4 per contract, adding up to its value. */
const milestones: VolumeGenerator = {
  name: 'milestones',
  generate(ctx) {
    const contracts = (ctx.shared.contracts ?? []) as Array<{
      key: string;
      owner: string;
      value: number;
      start: number;
    }>;
    const names = ['Kick-off and design', 'Build', 'Go-live', 'Hyper-care'];
    for (const c of contracts) {
      const n = ctx.rnd.int(2, 4);
      let left = c.value;
      for (let i = 0; i < n; i++) {
        const share = i === n - 1 ? undefined : Math.round(100 / n);
        const amount = share === undefined ? left : Math.round((c.value * share) / 100);
        left -= amount;
        const due = c.start + Math.round(((i + 1) * 300) / n);
        const status = due < -30 ? 'invoiced' : due < -10 ? 'accepted' : due < 0 ? 'delivered' : 'planned';
        ctx.add('milestone', {
          _owner: `@${c.owner}`,
          contract: `@${c.key}`,
          name: names[i],
          due_on: day(due),
          share: share ?? 100 - Math.round(100 / n) * (n - 1),
          amount,
          status,
          invoiced: status === 'invoiced',
          ...(status === 'accepted' || status === 'invoiced' ? { acceptance_note: 'Signed off by the customer' } : {}),
        });
      }
    }
  },
};

/**
 * Service (support) contracts for about half the project contracts, a year each, renewal a month
 * before the end. Ended ones were mostly renewed (a new year follows); the others are left active
 * and the template's rules mark them when the tenant is created (renewal due with a task, or
 * expired), as their daily run would have.
 */
const serviceContracts: VolumeGenerator = {
  name: 'service contracts',
  generate(ctx) {
    const { rnd } = ctx;
    const contracts = (ctx.shared.contracts ?? []) as Array<{
      key: string;
      owner: string;
      account: string;
      value: number;
      start: number;
    }>;
    for (const c of contracts) {
      if (!rnd.chance(0.5)) continue;
      const level = rnd.pick(['standard', 'standard', 'premium', 'enterprise']);
      const value =
        Math.round((c.value * (level === 'standard' ? 0.08 : level === 'premium' ? 0.12 : 0.18)) / 100) * 100;
      let start = c.start;
      for (let year = 1; year <= 2 && start <= 0; year++) {
        const end = start + 364;
        const renewed = end < -20 && rnd.chance(0.7);
        ctx.add('service_contract', {
          _owner: `@${c.owner}`,
          name: `Support ${level}, year ${year}`,
          account: `@${c.account}`,
          contract: `@${c.key}`,
          level,
          annual_value: value,
          start_on: day(start),
          end_on: day(end),
          renewal_on: day(end - 30),
          auto_renew: rnd.chance(0.3),
          status: renewed ? 'renewed' : 'active',
        });
        if (!renewed) break;
        start = end + 1;
      }
    }
  },
};

const COMPETITORS: ReadonlyArray<readonly [string, string, string]> = [
  ['Kingsoft Systems', 'Large local references, strong in state-owned companies', 'Slow delivery, rigid licensing'],
  ['Orion Software', 'Low price, quick pilots', 'Thin services team, weak integration'],
  ['Atlas Global', 'International brand, complete suite', 'Expensive, long projects'],
  ['Huaxin Tech', 'Close relationships with IT directors', 'Dated product, little analytics'],
];

/** Competitors the sales floor keeps (reference data: deals name them as line items). */
const competitors: VolumeGenerator = {
  name: 'competitors',
  generate(ctx) {
    for (const [i, [name, strengths, weaknesses]] of COMPETITORS.entries())
      ctx.add('competitor', { _key: `v_comp${i + 1}`, name, strengths, weaknesses });
  },
};

/**
 * A deal's buying centre and competition: its contact is the decision maker, the account's other
 * contacts influence or evaluate; most deals from the proposal on name a competitor, and lost ones
 * say whom they were lost to. A deal in contracting or won needs a named decision maker
 * (deal_contracting_needs_decision_maker), which its line items give only once it is saved: it is
 * saved in negotiation with them, then moved to its stage.
 */
const dealFields = (
  ctx: Parameters<VolumeGenerator['generate']>[0],
  d: { stage: string; contact: string },
  contacts: string[],
): Row => {
  const { rnd } = ctx;
  if (!ctx.has('deal_contact_role')) return {};
  const others = contacts.filter((c) => c !== d.contact);
  const roles: Row[] = [
    {
      contact: `@${d.contact}`,
      role: 'decision_maker',
      attitude: rnd.pick(['supporter', 'neutral']),
      influence: 'high',
    },
    ...others.map((c, i) => ({
      contact: `@${c}`,
      role: i === 0 ? 'technical_buyer' : rnd.pick(['influencer', 'influencer', 'blocker']),
      attitude: rnd.pick(['supporter', 'neutral', 'neutral', 'opponent']),
      influence: rnd.pick(['high', 'medium', 'low']),
    })),
  ];
  const early = d.stage === 'discovery' || d.stage === 'solution';
  const rival = !early && rnd.chance(0.7) ? rnd.int(1, COMPETITORS.length) : 0;
  return {
    contact_roles: early && rnd.chance(0.5) ? roles.slice(0, 1) : roles,
    ...(rival ? { competitors: [{ competitor: `@v_comp${rival}`, strengths: COMPETITORS[rival - 1]![1] }] } : {}),
    ...(d.stage === 'lost' && rival && rnd.chance(0.7) ? { lost_to: `@v_comp${rival}` } : {}),
    ...(d.stage === 'contracting' || d.stage === 'won' ? { stage: 'negotiation', _then: [{ stage: d.stage }] } : {}),
  };
};

/**
 * Consultative project sales: the core volume through the consultative stages (read from the deal's
 * stage field), with contracts delivered by milestones. Competitors, contact roles and expenses of
 * this template add their generators after these.
 */
export const projectSalesExtras: TemplateExtras = {
  seed: 20_260_303,
  volume: [competitors, coreVolume({ deals: 160, accounts: 80, dealFields }), milestones, serviceContracts],
  reports: {
    weighted_pipeline: {
      label: 'Weighted pipeline by stage',
      description:
        'Open deals per stage: their amount and the expected revenue (amount × the stage’s win probability).',
      'x-i18n': zh('按阶段加权商机'),
      object: 'deal',
      filter: { stage: { nin: ['won', 'lost'] } },
      groupBy: [{ field: 'stage' }],
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
    milestones_by_status: {
      label: 'Milestones by status',
      description: 'Contract milestones planned, delivered, accepted and invoiced: what is left to bill.',
      'x-i18n': zh('按状态里程碑'),
      object: 'milestone',
      groupBy: [{ field: 'status' }],
      aggregates: [
        { fn: 'sum', field: 'amount', as: 'amount', label: 'Amount', 'x-i18n': zhLabel('金额') },
        { fn: 'count', as: 'milestones', label: 'Milestones', 'x-i18n': zhLabel('里程碑数') },
      ],
      chart: 'bar',
    },
  },
  dashboards: (existing) =>
    addWidgets(existing, {
      sales_manager: [{ report: 'weighted_pipeline', width: 'half' }],
      sales_rep: [
        { report: 'weighted_pipeline', title: 'My weighted pipeline', 'x-i18n': zh('我的加权商机'), width: 'half' },
      ],
      finance: [{ report: 'milestones_by_status', width: 'half' }],
    }),
};
