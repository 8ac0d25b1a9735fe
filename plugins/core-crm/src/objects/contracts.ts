import {
  autonumber,
  bool,
  children,
  date,
  type Field,
  formula,
  integer,
  lookup,
  money,
  object,
  rollup,
  select,
  text,
  textarea,
} from '../fields';

export const AGING_BUCKETS = [
  ['not_due', 'Not due', '未到期'],
  ['d1_30', '1–30 days', '1-30天'],
  ['d31_60', '31–60 days', '31-60天'],
  ['d61_90', '61–90 days', '61-90天'],
  ['d91_180', '91–180 days', '91-180天'],
  ['d180_plus', 'Over 180 days', '180天以上'],
  ['paid', 'Paid', '已结清'],
] as const;

export const contract: Field = object(
  'Contract',
  '合同',
  'number',
  {
    number: autonumber('C-{YYYY}-{0000}', 'Number', '合同编号'),
    name: text('Name', '合同名称'),
    account: lookup('account', 'Account', '客户'),
    deal: lookup('deal', 'Deal', '商机'),
    quote: lookup('quote', 'Quote', '报价单'),
    value: money('Value', '合同金额', { minimum: 0 }),
    start_on: date('Start', '开始日期'),
    end_on: date('End', '结束日期'),
    signed_on: date('Signed on', '签订日期'),
    status: select(
      'Status',
      '状态',
      [
        ['draft', 'Draft', '草稿'],
        ['active', 'Active', '生效'],
        ['expired', 'Expired', '已到期'],
        ['terminated', 'Terminated', '已终止'],
      ],
      { default: 'draft' },
    ),
    terms: textarea('Terms', '合同条款', 10000),
  },
  ['name', 'account', 'value'],
);

export const order: Field = object(
  'Order',
  '订单',
  'number',
  {
    number: autonumber('SO-{YYYY}-{0000}', 'Number', '订单编号'),
    account: lookup('account', 'Account', '客户'),
    contract: lookup('contract', 'Contract', '合同'),
    quote: lookup('quote', 'Quote', '报价单'),
    ordered_on: date('Order date', '下单日期'),
    status: select(
      'Status',
      '状态',
      [
        ['draft', 'Draft', '草稿'],
        ['confirmed', 'Confirmed', '已确认'],
        ['shipped', 'Shipped', '已发货'],
        ['delivered', 'Delivered', '已交付'],
        ['cancelled', 'Cancelled', '已取消'],
      ],
      { default: 'draft' },
    ),
    amount: money('Amount', '订单金额', { minimum: 0 }),
    // What the order cost to fulfil: the quote's line costs unless entered (docs/analytics.md).
    cost: money('Cost', '成本', {
      minimum: 0,
      'x-default-from': [{ object: 'quote', match: { id: '$record.quote' }, field: 'cost' }],
    }),
    margin: formula('(record.amount || 0) - (record.cost || 0)', 'Margin', '毛利', {
      type: 'number',
      'x-kind': 'currency',
    }),
    notes: textarea('Notes', '备注'),
    // Set on every save by the script order_credit_check from the account (never typed): what the
    // account owes plus this order, against its credit limit.
    credit_exposure: money('Credit exposure', '信用占用'),
    over_credit_limit: bool('Over credit limit', '超出信用额度', { default: false }),
  },
  ['account', 'amount'],
);

export const receivable: Field = object(
  'Receivable',
  '应收款',
  'number',
  {
    number: autonumber('AR-{YYYY}-{0000}', 'Number', '应收编号'),
    account: lookup('account', 'Account', '客户'),
    order: lookup('order', 'Order', '订单'),
    contract: lookup('contract', 'Contract', '合同'),
    invoiced_on: date('Invoice date', '开票日期'),
    due_on: date('Due date', '到期日'),
    amount: money('Amount', '应收金额', { minimum: 0 }),
    payments: children('payment', 'receivable', 'Payments', '回款记录'),
    paid: rollup('payments', 'sum', 'amount', 'Paid', '已回款'),
    payment_count: rollup('payments', 'count', undefined, 'Payments', '回款次数', { type: 'integer' }),
    balance: formula('(record.amount || 0) - (record.paid || 0)', 'Balance', '未回款', {
      type: 'number',
      'x-kind': 'currency',
    }),
    aging: select('Aging', '账龄', AGING_BUCKETS, { default: 'not_due' }),
    days_overdue: integer('Days overdue', '逾期天数', { default: 0 }),
  },
  ['account', 'due_on', 'amount'],
);

export const payment: Field = object(
  'Payment',
  '回款',
  'reference',
  {
    receivable: lookup('receivable', 'Receivable', '应收款'),
    paid_on: date('Paid on', '回款日期'),
    amount: money('Amount', '金额', { minimum: 0 }),
    method: select('Method', '方式', [
      ['bank_transfer', 'Bank transfer', '银行转账'],
      ['cash', 'Cash', '现金'],
      ['card', 'Card', '刷卡'],
      ['alipay', 'Alipay', '支付宝'],
      ['wechat', 'WeChat Pay', '微信支付'],
    ]),
    reference: text('Reference', '流水号', 100),
  },
  ['receivable', 'amount', 'paid_on'],
);
