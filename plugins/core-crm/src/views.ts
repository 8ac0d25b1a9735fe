type View = {
  object: string;
  label: string;
  columns: string[];
  filter?: Record<string, unknown>;
  sort?: string[];
  default?: boolean;
  cardFields?: string[];
  statusField?: string;
  'x-i18n': { 'zh-CN': { title: string } };
};

const view = (
  object: string,
  label: string,
  zh: string,
  columns: string[],
  opts: {
    filter?: Record<string, unknown>;
    sort?: string[];
    default?: boolean;
    cardFields?: string[];
    statusField?: string;
  } = {},
): View => ({ object, label, columns, ...opts, 'x-i18n': { 'zh-CN': { title: zh } } });

/** List views: one default per object plus the working lists each role starts its day with. */
export const views: Record<string, View> = {
  accounts: view('account', 'All accounts', '全部客户', ['name', 'industry', 'type', 'city', 'phone'], {
    sort: ['name'],
    default: true,
  }),
  customers: view('account', 'Customers', '成交客户', ['name', 'industry', 'city', 'annual_revenue'], {
    filter: { type: { eq: 'customer' } },
    sort: ['name'],
  }),
  // The RFM scores the nightly refresh stores (rfm/rfm-scores.ts), best spenders first.
  customer_value: view(
    'account',
    'Customer value (RFM)',
    '客户价值（RFM）',
    ['name', 'rfm_segment', 'rfm_recency', 'rfm_frequency', 'rfm_monetary', 'rfm_scored_on'],
    { filter: { rfm_segment: { isNull: false } }, sort: ['-rfm_monetary', '-rfm_frequency', 'name'] },
  ),
  contacts: view('contact', 'All contacts', '全部联系人', ['full_name', 'account', 'job_title', 'email', 'phone'], {
    sort: ['last_name'],
    default: true,
  }),
  open_leads: view(
    'lead',
    'Open leads',
    '待跟进线索',
    ['company', 'contact_name', 'source', 'status', 'estimated_amount'],
    {
      filter: { status: { in: ['new', 'contacted', 'qualified'] } },
      sort: ['-created_at'],
      default: true,
    },
  ),
  pipeline: view('deal', 'Pipeline', '销售漏斗', ['name', 'account', 'stage', 'amount', 'probability', 'close_on'], {
    filter: { stage: { nin: ['won', 'lost'] } },
    sort: ['close_on'],
    default: true,
    // On a phone a rep sees who, how much and when; the stage is the card's chip.
    cardFields: ['account', 'amount', 'close_on'],
    statusField: 'stage',
  }),
  won_deals: view('deal', 'Won deals', '赢单', ['name', 'account', 'amount', 'close_on'], {
    filter: { stage: { eq: 'won' } },
    sort: ['-close_on'],
  }),
  quotes: view('quote', 'Quotes', '报价单', ['number', 'name', 'account', 'status', 'total', 'valid_until'], {
    sort: ['-created_at'],
    default: true,
  }),
  contracts: view('contract', 'Contracts', '合同', ['number', 'name', 'account', 'value', 'status', 'end_on'], {
    sort: ['-created_at'],
    default: true,
  }),
  orders: view('order', 'Orders', '订单', ['number', 'account', 'ordered_on', 'status', 'amount'], {
    sort: ['-ordered_on'],
    default: true,
  }),
  open_receivables: view(
    'receivable',
    'Open receivables',
    '未结应收款',
    ['number', 'account', 'due_on', 'amount', 'paid', 'balance', 'aging'],
    {
      filter: { aging: { ne: 'paid' } },
      sort: ['due_on'],
      default: true,
    },
  ),
  receivables_over_90: view(
    'receivable',
    'Over 90 days',
    '逾期90天以上',
    ['number', 'account', 'due_on', 'balance', 'days_overdue'],
    {
      filter: { aging: { in: ['d91_180', 'd180_plus'] } },
      sort: ['-days_overdue'],
    },
  ),
  payments: view('payment', 'Payments', '回款记录', ['receivable', 'paid_on', 'amount', 'method', 'reference'], {
    sort: ['-paid_on'],
    default: true,
  }),
  activities_today: view(
    'activity',
    'Due today',
    '今日待办',
    ['subject', 'type', 'priority', 'assigned_to', 'account'],
    {
      filter: { due_state: { eq: 'today' } },
      sort: ['priority'],
    },
  ),
  activities_overdue: view('activity', 'Overdue', '已逾期', ['subject', 'type', 'due_on', 'assigned_to', 'account'], {
    filter: { due_state: { eq: 'overdue' } },
    sort: ['due_on'],
  }),
  activities: view(
    'activity',
    'Open activities',
    '未完成活动',
    ['subject', 'type', 'due_on', 'due_state', 'assigned_to'],
    {
      filter: { status: { eq: 'open' } },
      sort: ['due_on'],
      default: true,
    },
  ),
  products: view('product', 'Products', '产品', ['code', 'name', 'category', 'list_price', 'active'], {
    sort: ['code'],
    default: true,
  }),
  price_lists: view('price_list', 'Price lists', '价格表', ['name', 'currency', 'valid_from', 'valid_to', 'products'], {
    default: true,
  }),
  campaigns: view('campaign', 'Campaigns', '营销活动', ['name', 'type', 'status', 'cost', 'revenue', 'roi'], {
    sort: ['-start_on'],
    default: true,
  }),
  expense_claims: view(
    'expense_claim',
    'Expense claims',
    '费用报销单',
    ['number', 'title', 'owner', 'total', 'status', 'approval_status'],
    { sort: ['-number'], default: true },
  ),
  expense_lines: view(
    'expense_line',
    'Approved expenses',
    '已批准费用',
    ['spent_on', 'category', 'description', 'amount', 'account', 'campaign', 'owner'],
    { filter: { approved: { eq: true } }, sort: ['-spent_on'] },
  ),
  open_cases: view(
    'service_case',
    'Open cases',
    '未关闭工单',
    ['number', 'subject', 'account', 'priority', 'status', 'sla_due_at'],
    {
      filter: { status: { nin: ['resolved', 'closed'] } },
      sort: ['sla_due_at'],
      default: true,
    },
  ),
  escalated_cases: view(
    'service_case',
    'Escalated cases',
    '已升级工单',
    ['number', 'subject', 'priority', 'escalation_level', 'escalated_to'],
    {
      filter: { escalation_level: { gt: 0 } },
      sort: ['-escalation_level'],
    },
  ),
  surveys: view('survey', 'Satisfaction surveys', '满意度调查', ['service_case', 'rating', 'comment', 'answered_on'], {
    sort: ['-answered_on'],
    default: true,
  }),
};
