import { coreVolume } from '../../sample/core-volume';
import { day, type VolumeGenerator } from '../../sample/volume';
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
 * Consultative project sales: the core volume through the consultative stages (read from the deal's
 * stage field), with contracts delivered by milestones. Competitors, contact roles and expenses of
 * this template add their generators after these.
 */
export const projectSalesExtras: TemplateExtras = {
  seed: 20_260_303,
  volume: [coreVolume({ deals: 160, accounts: 80 }), milestones],
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
