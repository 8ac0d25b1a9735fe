/**
 * Roles of the core CRM (the built-in `admin` sees and changes everything). Scopes follow the sales
 * hierarchy: reps own their records, managers see their team's, finance and service see what their
 * work needs; reference data (products, price lists, campaigns) is read-only outside its owners.
 */
type Scope = false | 'account' | 'own' | 'subordinates' | 'all';
type Grant = {
  create: Scope;
  read: Scope;
  update: Scope;
  delete: Scope;
  fields?: Record<string, 'none' | 'read' | 'edit'>;
};

const g = (create: Scope, read: Scope, update: Scope, del: Scope, fields?: Grant['fields']): Grant => ({
  create,
  read,
  update,
  delete: del,
  ...(fields ? { fields } : {}),
});
const readOnly = g(false, 'all', false, false);

/** Finance edits an account's credit limit only. */
const FINANCE_ACCOUNT_FIELDS: Grant['fields'] = Object.fromEntries(
  ['name', 'industry', 'type', 'rating', 'phone', 'website', 'city', 'country', 'annual_revenue', 'employees']
    .concat(['description', 'portal_access'])
    .map((f) => [f, 'read' as const]),
);

export const roles = {
  sales_manager: {
    label: 'Sales manager',
    description: 'Leads a sales team: sees and changes the team’s pipeline, approves discounts and contracts.',
    'x-i18n': { 'zh-CN': { title: '销售经理' } },
    objects: {
      account: g('all', 'all', 'subordinates', 'subordinates', { credit_limit: 'read' }),
      contact: g('all', 'all', 'subordinates', 'subordinates'),
      lead: g('all', 'all', 'subordinates', 'subordinates'),
      deal: g('all', 'subordinates', 'subordinates', 'subordinates'),
      quote: g('all', 'subordinates', 'subordinates', 'subordinates'),
      quote_line: g('all', 'subordinates', 'subordinates', 'subordinates'),
      contract: g('all', 'subordinates', 'subordinates', false),
      order: g('all', 'subordinates', 'subordinates', false),
      receivable: readOnly,
      payment: readOnly,
      activity: g('all', 'subordinates', 'subordinates', 'subordinates'),
      campaign: g('all', 'all', 'all', 'own'),
      // Expenses: their own and their team's claims; the approval workflow sets a claim's status.
      expense_claim: g('all', 'subordinates', 'subordinates', 'own', { status: 'read' }),
      expense_line: g('all', 'subordinates', 'subordinates', 'own', { approved: 'read' }),
      product: readOnly,
      price_list: readOnly,
      price_list_entry: readOnly,
      service_case: readOnly,
      case_comment: readOnly,
      survey: readOnly,
      survey_response: readOnly,
    },
  },
  sales_rep: {
    label: 'Sales rep',
    description: 'Works their own leads, deals, quotes and activities; sees every account and contact.',
    'x-i18n': { 'zh-CN': { title: '销售代表' } },
    objects: {
      account: g('all', 'all', 'own', false, { credit_limit: 'read' }),
      contact: g('all', 'all', 'own', false),
      lead: g('all', 'own', 'own', 'own'),
      deal: g('all', 'own', 'own', false),
      // Costs and margins are hidden from reps, like the product cost they come from.
      quote: g('all', 'own', 'own', 'own', { discount_amount: 'read', cost: 'none', margin: 'none' }),
      quote_line: g('all', 'own', 'own', 'own', { unit_cost: 'none', cost: 'none', margin: 'none' }),
      contract: g('all', 'own', 'own', false, { signed_on: 'read' }),
      order: g('all', 'own', 'own', false, { cost: 'none', margin: 'none' }),
      receivable: g(false, 'own', false, false),
      payment: g(false, 'own', false, false),
      activity: g('all', 'own', 'own', 'own'),
      campaign: readOnly,
      expense_claim: g('all', 'own', 'own', 'own', { status: 'read' }),
      expense_line: g('all', 'own', 'own', 'own', { approved: 'read' }),
      product: g(false, 'all', false, false, { cost: 'none' }),
      price_list: readOnly,
      price_list_entry: readOnly,
      service_case: g(false, 'all', false, false),
      survey: readOnly,
      survey_response: readOnly,
    },
    // Won deals are visible to the whole sales floor (for references).
    sharing: [{ label: 'Won deals', object: 'deal', filter: { stage: { eq: 'won' } }, access: 'read' }],
  },
  service_agent: {
    label: 'Service agent',
    description: 'Handles service cases and their surveys; reads customers.',
    'x-i18n': { 'zh-CN': { title: '客服专员' } },
    objects: {
      account: g(false, 'all', false, false),
      contact: g('all', 'all', 'all', false),
      service_case: g('all', 'all', 'all', false),
      case_comment: g('all', 'all', 'own', false),
      survey: g('all', 'all', 'own', false),
      // Answers come from customers (the public survey page): agents read them, nobody edits them.
      survey_response: g(false, 'all', false, false),
      activity: g('all', 'own', 'own', 'own'),
      expense_claim: g('all', 'own', 'own', 'own', { status: 'read' }),
      expense_line: g('all', 'own', 'own', 'own', { approved: 'read' }),
      product: g(false, 'all', false, false, { cost: 'none' }),
    },
  },
  finance: {
    label: 'Finance',
    description: 'Owns orders, receivables and payments; reads contracts and quotes; approves large contracts.',
    'x-i18n': { 'zh-CN': { title: '财务' } },
    objects: {
      // Finance sets credit limits (and nothing else of an account).
      account: g(false, 'all', 'all', false, FINANCE_ACCOUNT_FIELDS),
      contact: readOnly,
      deal: readOnly,
      quote: readOnly,
      quote_line: readOnly,
      contract: g(false, 'all', 'all', false),
      order: g('all', 'all', 'all', false),
      receivable: g('all', 'all', 'all', 'all'),
      payment: g('all', 'all', 'all', 'all'),
      product: g('all', 'all', 'all', false),
      price_list: g('all', 'all', 'all', 'all'),
      price_list_entry: g('all', 'all', 'all', 'all'),
      campaign: readOnly,
      activity: g('all', 'own', 'own', 'own'),
      // Finance pays approved claims (status paid, paid_on) and reads every expense line.
      expense_claim: g('all', 'all', 'all', false),
      expense_line: g('all', 'all', 'own', 'own', { approved: 'read' }),
    },
  },
  /**
   * The customer portal (docs/portal.md): contacts of accounts with portal access sign in with an
   * e-mailed link and act with this role. `account` scopes are their own account's rows; the fields
   * marked `none` are internal and never leave the server.
   */
  portal_customer: {
    label: 'Customer portal',
    description: 'Contacts of customer accounts: their own cases, orders and invoices.',
    'x-i18n': { 'zh-CN': { title: '客户门户' } },
    portal: {
      lists: ['service_case', 'order', 'receivable'],
      cases: 'service_case',
      caseForm: ['subject', 'description', 'priority'],
      comments: 'case_comment',
    },
    objects: {
      // Their own account and its contacts, to name them (and link new cases to them); nothing internal.
      account: g(false, 'account', false, false, {
        annual_revenue: 'none',
        rating: 'none',
        description: 'none',
        employees: 'none',
        type: 'none',
        portal_access: 'none',
        credit_limit: 'none',
        open_receivables: 'none',
      }),
      contact: g(false, 'account', false, false, { birthday: 'none', primary: 'none' }),
      service_case: g('account', 'account', 'account', false, {
        number: 'read',
        status: 'read',
        resolution: 'read',
        // The case's SLA script sets it when a customer opens a case (a script may only change what the
        // saver may edit); the case form does not offer it, so customers read it but never choose it.
        sla_due_at: 'edit',
        resolved_at: 'read',
        escalation_level: 'none',
        escalated_to: 'none',
        channel: 'read',
      }),
      case_comment: g('account', 'account', false, false),
      order: g(false, 'account', false, false, {
        notes: 'none',
        contract: 'none',
        quote: 'none',
        credit_exposure: 'none',
        over_credit_limit: 'none',
      }),
      receivable: g(false, 'account', false, false, { aging: 'none', days_overdue: 'none', contract: 'none' }),
    },
  },
};
