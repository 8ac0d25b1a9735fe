import type { TemplateDocument } from '@forma/platform/plugin-api';
import { coreCrmDocument } from '../document';
import {
  bool,
  children,
  date,
  formula,
  lookup,
  money,
  object,
  percent,
  relatedRollup,
  rollup,
  select,
  text,
  textarea,
} from '../fields';
import { DEMO_PASSWORD } from '../sample-data';
import { addFields, compose, template } from './compose';
import {
  competitor,
  dealCompetitor,
  dealContactRole,
  LOSS_REASONS,
  projectSalesAutomations,
  projectSalesReports,
  projectSalesScripts,
  serviceContract,
} from './project-sales-objects';

/** Consultative stages of a B2B project sale, with their win probability. */
export const PROJECT_STAGES = [
  ['discovery', 'Discovery', '需求调研', 10],
  ['solution', 'Solution design', '方案设计', 30],
  ['proposal', 'Proposal', '方案报价', 50],
  ['negotiation', 'Negotiation', '商务谈判', 70],
  ['contracting', 'Contracting', '合同签订', 90],
  ['won', 'Won', '赢单', 100],
  ['lost', 'Lost', '输单', 0],
] as const;

/**
 * Consultative project sales (B2B): deals move through consultative stages, a won deal becomes a
 * contract approved through the contract workflow, and the contract is delivered and billed by
 * milestones whose amounts roll up to the contract.
 */
export function projectSalesTemplate(): TemplateDocument {
  const probability = Object.fromEntries(PROJECT_STAGES.map(([v, , , p]) => [v, p]));
  const expr = `(${JSON.stringify(probability)})[record.stage] ?? 0`;
  const doc = compose(coreCrmDocument(), {
    objects: {
      milestone: object(
        'Milestone',
        '里程碑',
        'name',
        {
          contract: lookup('contract', 'Contract', '合同'),
          name: text('Name', '名称'),
          due_on: date('Due date', '计划日期'),
          share: percent('Share of contract', '占合同比例', { minimum: 0, maximum: 100 }),
          amount: money('Amount', '金额', { minimum: 0 }),
          status: select(
            'Status',
            '状态',
            [
              ['planned', 'Planned', '计划中'],
              ['delivered', 'Delivered', '已交付'],
              ['accepted', 'Accepted by customer', '客户验收'],
              ['invoiced', 'Invoiced', '已开票'],
            ],
            { default: 'planned' },
          ),
          acceptance_note: textarea('Acceptance note', '验收说明', 2000),
          invoiced: bool('Invoiced', '已开票', { default: false }),
        },
        ['contract', 'name', 'amount'],
      ),
      deal_contact_role: dealContactRole,
      competitor,
      deal_competitor: dealCompetitor,
      service_contract: serviceContract,
    },
    automations: projectSalesAutomations,
    scripts: {
      milestone_invoiced: {
        object: 'milestone',
        event: 'validate',
        label: 'Only accepted milestones are invoiced',
        'x-i18n': { 'zh-CN': { label: '只有已验收的里程碑才能开票' } },
        code: "if (record.status === 'invoiced' && old && old.status !== 'accepted' && old.status !== 'invoiced') error('status', 'The customer must accept the milestone before it is invoiced');",
      },
      ...projectSalesScripts,
    },
    views: {
      service_renewals: {
        object: 'service_contract',
        label: 'Service contracts to renew',
        columns: ['number', 'name', 'account', 'renewal_on', 'annual_value', 'status'],
        filter: { status: { in: ['active', 'renewal_due'] } },
        sort: ['renewal_on'],
        'x-i18n': { 'zh-CN': { title: '待续约服务合同' } },
      },
      competitors: {
        object: 'competitor',
        label: 'Competitors',
        columns: ['name', 'website', 'strengths', 'weaknesses'],
        sort: ['name'],
        default: true,
        'x-i18n': { 'zh-CN': { title: '竞争对手' } },
      },
      milestones_due: {
        object: 'milestone',
        label: 'Milestones to deliver',
        columns: ['contract', 'name', 'due_on', 'amount', 'status'],
        filter: { status: { eq: 'planned' } },
        sort: ['due_on'],
        'x-i18n': { 'zh-CN': { title: '待交付里程碑' } },
      },
    },
  });
  const deal = (doc.objects as unknown as Record<string, { properties: Record<string, Record<string, unknown>> }>)
    .deal!;
  deal.properties.stage = select(
    'Stage',
    '阶段',
    PROJECT_STAGES.map(([v, l, z]) => [v, l, z] as const),
    { default: 'discovery' },
  );
  deal.properties.probability = formula(expr, 'Probability', '赢率', { type: 'number', 'x-kind': 'percent' });
  deal.properties.expected_revenue = formula(
    `(record.amount || 0) * ((${expr}) / 100)`,
    'Expected revenue',
    '预期收入',
    { type: 'number', 'x-kind': 'currency' },
  );
  // The buying centre and the competition are line items of the deal: its page lists them.
  addFields(doc, 'deal', {
    contact_roles: children('deal_contact_role', 'deal', 'Contact roles', '联系人角色'),
    competitors: children('deal_competitor', 'deal', 'Competitors', '竞争对手'),
    lost_to: lookup('competitor', 'Lost to', '输给'),
  });
  // Loss reasons are a picklist here (a report counts them); the core form rules still show and
  // require the reason when the deal is lost.
  deal.properties.lost_reason = select('Loss reason', '输单原因', LOSS_REASONS);
  addFields(doc, 'receivable', {
    milestone: lookup('milestone', 'Milestone', '里程碑'),
  });
  addFields(doc, 'milestone', {
    invoiced_amount: relatedRollup(
      { object: 'receivable', via: 'milestone', op: 'sum', field: 'amount' },
      'Invoiced amount',
      '已开票金额',
    ),
  });
  addFields(doc, 'contract', {
    milestones: children('milestone', 'contract', 'Milestones', '里程碑'),
    milestones_total: rollup('milestones', 'sum', 'amount', 'Milestones total', '里程碑合计'),
    milestones_count: rollup('milestones', 'count', undefined, 'Milestones', '里程碑数', { type: 'integer' }),
  });
  // Milestones are accepted and invoiced on the approved contract, so it is not locked as the core
  // CRM's is: its commercial terms (value, dates, terms, what the milestones add up to) send it back
  // for approval when they change, a milestone's progress does not.
  const workflows = doc.workflows as unknown as Record<string, { afterApproval?: unknown }>;
  workflows.contract_approval!.afterApproval = {
    mode: 'reapprove',
    fields: ['value', 'start_on', 'end_on', 'terms', 'milestones_total'],
  };
  const views = doc.views as unknown as Record<string, { filter?: unknown }>;
  views.pipeline!.filter = { stage: { nin: ['won', 'lost'] } };
  // New objects follow the grants of what they belong to: milestones and service contracts the
  // contract's, the deal's line items the deal's; competitors are reference data the sales floor keeps.
  for (const role of Object.values(doc.roles as unknown as Record<string, { objects: Record<string, unknown> }>)) {
    const scopesOf = (object: string) => {
      const grant = role.objects[object] as { fields?: unknown } | undefined;
      if (!grant) return undefined;
      const { fields: _fields, ...scopes } = grant;
      return scopes;
    };
    const contractScopes = scopesOf('contract');
    if (contractScopes) role.objects.milestone = contractScopes;
    if (contractScopes) role.objects.service_contract = contractScopes;
    const dealScopes = scopesOf('deal');
    if (dealScopes) {
      role.objects.deal_contact_role = dealScopes;
      role.objects.deal_competitor = dealScopes;
      const edits = (dealScopes as { update?: unknown }).update !== false;
      role.objects.competitor = edits
        ? { create: 'all', read: 'all', update: 'all', delete: false }
        : { create: false, read: 'all', update: false, delete: false };
    }
  }
  const portal = (
    doc.roles as unknown as Record<string, { objects: Record<string, { fields?: Record<string, string> }> }>
  ).portal_customer;
  if (portal?.objects.receivable)
    portal.objects.receivable.fields = { ...portal.objects.receivable.fields, milestone: 'none' };
  (doc as { reports?: Record<string, unknown> }).reports = { ...doc.reports, ...projectSalesReports };
  return template({
    name: 'project-sales',
    label: 'Consultative project sales (B2B)',
    version: '0.1.0',
    description:
      'Consultative stages, contract approval (manager, then finance above 500,000), delivery and billing by milestones.',
    document: doc,
    sampleData: {
      users: [
        {
          _key: 'dir',
          email: 'director@b2b.test',
          name: 'Sales director',
          password: DEMO_PASSWORD,
          roles: ['sales_manager'],
        },
        {
          _key: 'am',
          email: 'am@b2b.test',
          name: 'Account manager',
          password: DEMO_PASSWORD,
          roles: ['sales_rep'],
          manager: '@dir',
        },
        {
          _key: 'fin',
          email: 'finance@b2b.test',
          name: 'Finance controller',
          password: DEMO_PASSWORD,
          roles: ['finance'],
        },
      ],
      account: [{ _key: 'bank', _owner: '@am', name: 'Northwind Bank', industry: 'finance', type: 'prospect' }],
      contact: [
        { _key: 'cio', _owner: '@am', last_name: 'Xu', first_name: 'Ming', account: '@bank', job_title: 'CIO' },
        { _key: 'cfo', _owner: '@am', last_name: 'Lin', first_name: 'Hua', account: '@bank', job_title: 'CFO' },
        {
          _key: 'arch',
          _owner: '@am',
          last_name: 'Zhou',
          first_name: 'Lei',
          account: '@bank',
          job_title: 'Chief architect',
        },
      ],
      competitor: [
        {
          _key: 'rival',
          name: 'Legacy Systems Inc.',
          strengths: 'Incumbent at most large banks; deep local references.',
          weaknesses: 'Ageing mainframe stack; slow change requests; high licence cost.',
        },
      ],
      deal: [
        {
          _key: 'core',
          _owner: '@am',
          name: 'Core banking modernisation',
          account: '@bank',
          contact: '@cio',
          amount: 2400000,
          stage: 'solution',
          close_on: '2030-06-30',
        },
      ],
      // Rows of their own rather than nested lines, so the account manager owns them (and sees them).
      deal_contact_role: [
        {
          _owner: '@am',
          deal: '@core',
          contact: '@cfo',
          role: 'decision_maker',
          attitude: 'neutral',
          influence: 'high',
        },
        { _owner: '@am', deal: '@core', contact: '@cio', role: 'influencer', attitude: 'supporter', influence: 'high' },
        {
          _owner: '@am',
          deal: '@core',
          contact: '@arch',
          role: 'technical_buyer',
          attitude: 'opponent',
          influence: 'medium',
        },
      ],
      deal_competitor: [
        {
          _owner: '@am',
          deal: '@core',
          competitor: '@rival',
          strengths: 'Runs the current core system',
          weaknesses: 'No cloud option',
        },
      ],
      service_contract: [
        {
          _owner: '@am',
          name: 'Core platform support',
          account: '@bank',
          level: 'enterprise',
          annual_value: 180000,
          start_on: '2026-01-01',
          end_on: '2030-12-31',
          renewal_on: '2030-10-01',
        },
      ],
    },
  });
}
