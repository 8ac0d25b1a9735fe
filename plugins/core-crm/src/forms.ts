/** Record forms: field order, widgets and sections (@rjsf uiSchema + a layout hint for the designer). */
type Form = { object: string; label?: string; uiSchema: Record<string, unknown>; layout?: unknown };

const form = (
  object: string,
  sections: Array<[title: string, fields: string[], titleZh?: string]>,
  extra: Record<string, unknown> = {},
): Form => ({
  object,
  uiSchema: { 'ui:order': [...sections.flatMap(([, f]) => f), '*'], ...extra },
  layout: sections.map(([title, fields, titleZh]) => ({ title, fields, ...(titleZh ? { titleZh } : {}) })),
});

const textarea = { 'ui:widget': 'textarea' };
const readonly = { 'ui:readonly': true };

export const forms: Record<string, Form> = {
  account: form(
    'account',
    [
      ['Company', ['name', 'industry', 'type', 'rating']],
      ['Contact details', ['phone', 'website', 'city', 'country']],
      ['Size', ['annual_revenue', 'employees', 'description']],
      // Written only by the RFM refresh (rfm/rfm-scores.ts): shown, never edited.
      ['Customer value', ['rfm_segment', 'rfm_recency', 'rfm_frequency', 'rfm_monetary', 'rfm_scored_on'], '客户价值'],
    ],
    {
      description: textarea,
      rfm_segment: readonly,
      rfm_recency: readonly,
      rfm_frequency: readonly,
      rfm_monetary: readonly,
      rfm_scored_on: readonly,
    },
  ),
  contact: form('contact', [
    ['Person', ['last_name', 'first_name', 'full_name', 'job_title', 'primary']],
    ['Reach', ['account', 'email', 'phone', 'mobile', 'birthday']],
  ]),
  lead: form(
    'lead',
    [
      ['Lead', ['company', 'contact_name', 'email', 'phone', 'industry']],
      ['Qualification', ['source', 'campaign', 'status', 'estimated_amount', 'notes']],
      ['Conversion', ['converted_account', 'converted_contact', 'converted_deal']],
    ],
    {
      converted_account: readonly,
      converted_contact: readonly,
      converted_deal: readonly,
      notes: textarea,
      // The record page's button for the conversion route (routes.ts); it opens the new deal.
      'ui:actions': [
        {
          name: 'convert',
          label: 'Convert',
          description: 'Create an account, a contact and a deal from this lead',
          'x-i18n': { 'zh-CN': { label: '转化', description: '由此线索创建客户、联系人和商机' } },
          path: '/api/plugins/core-crm/leads/{id}/convert',
          open: 'deal',
          confirm: true,
        },
      ],
    },
  ),
  deal: form('deal', [
    ['Deal', ['name', 'account', 'contact', 'amount', 'close_on']],
    ['Stage', ['stage', 'probability', 'expected_revenue', 'next_step', 'lost_reason']],
    ['Origin', ['source', 'campaign']],
  ]),
  quote: form(
    'quote',
    [
      ['Quote', ['number', 'name', 'deal', 'account', 'contact', 'price_list', 'status', 'valid_until']],
      ['Lines', ['lines']],
      ['Totals', ['subtotal', 'discount', 'discount_amount', 'tax_rate', 'tax', 'total', 'terms']],
    ],
    {
      lines: {
        'ui:field': 'lineItems',
        'ui:options': { columns: ['product', 'description', 'quantity', 'unit_price', 'discount', 'amount'] },
      },
    },
  ),
  contract: form(
    'contract',
    [
      ['Contract', ['number', 'name', 'account', 'deal', 'quote', 'value', 'status']],
      ['Term', ['start_on', 'end_on', 'signed_on', 'terms']],
    ],
    { terms: textarea },
  ),
  receivable: form('receivable', [
    ['Invoice', ['number', 'account', 'order', 'contract', 'invoiced_on', 'due_on', 'amount']],
    ['Collection', ['payments', 'paid', 'balance', 'aging', 'days_overdue']],
  ]),
  activity: form('activity', [
    ['Activity', ['subject', 'type', 'status', 'priority', 'due_on', 'due_state', 'assigned_to']],
    ['Related to', ['account', 'contact', 'deal', 'lead', 'service_case', 'notes']],
  ]),
  campaign: form('campaign', [
    ['Campaign', ['name', 'type', 'status', 'start_on', 'end_on', 'leads_target']],
    ['Money', ['budget', 'cost', 'revenue', 'won_deals', 'roi', 'description']],
  ]),
  expense_claim: form(
    'expense_claim',
    [
      ['Claim', ['number', 'title', 'purpose', 'status', 'paid_on']],
      ['Lines', ['lines', 'total', 'line_count']],
    ],
    { purpose: textarea },
  ),
  service_case: form(
    'service_case',
    [
      ['Case', ['number', 'subject', 'account', 'contact', 'channel', 'type', 'priority', 'status']],
      ['Work', ['description', 'resolution']],
      ['SLA', ['sla_due_at', 'resolved_at', 'escalation_level', 'escalated_to']],
    ],
    { description: textarea, resolution: textarea },
  ),
};
