/**
 * Roles of the core CRM (the built-in `admin` sees and changes everything). Scopes follow the sales
 * hierarchy: reps own their records, managers see their team's, finance and service see what their
 * work needs; reference data (products, price lists, campaigns) is read-only outside its owners.
 */
type Scope = false | 'own' | 'subordinates' | 'all';
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

export const roles = {
  sales_manager: {
    label: 'Sales manager',
    description: 'Leads a sales team: sees and changes the team’s pipeline, approves discounts and contracts.',
    'x-i18n': { 'zh-CN': { title: '销售经理' } },
    objects: {
      account: g('all', 'all', 'subordinates', 'subordinates'),
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
      product: readOnly,
      price_list: readOnly,
      price_list_entry: readOnly,
      service_case: readOnly,
      survey: readOnly,
      survey_response: readOnly,
    },
  },
  sales_rep: {
    label: 'Sales rep',
    description: 'Works their own leads, deals, quotes and activities; sees every account and contact.',
    'x-i18n': { 'zh-CN': { title: '销售代表' } },
    objects: {
      account: g('all', 'all', 'own', false),
      contact: g('all', 'all', 'own', false),
      lead: g('all', 'own', 'own', 'own'),
      deal: g('all', 'own', 'own', false),
      quote: g('all', 'own', 'own', 'own', { discount_amount: 'read' }),
      quote_line: g('all', 'own', 'own', 'own'),
      contract: g('all', 'own', 'own', false, { signed_on: 'read' }),
      order: g('all', 'own', 'own', false),
      receivable: g(false, 'own', false, false),
      payment: g(false, 'own', false, false),
      activity: g('all', 'own', 'own', 'own'),
      campaign: readOnly,
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
      survey: g('all', 'all', 'own', false),
      // Answers come from customers (the public survey page): agents read them, nobody edits them.
      survey_response: g(false, 'all', false, false),
      activity: g('all', 'own', 'own', 'own'),
      product: g(false, 'all', false, false, { cost: 'none' }),
    },
  },
  finance: {
    label: 'Finance',
    description: 'Owns orders, receivables and payments; reads contracts and quotes; approves large contracts.',
    'x-i18n': { 'zh-CN': { title: '财务' } },
    objects: {
      account: g(false, 'all', false, false),
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
    },
  },
};
