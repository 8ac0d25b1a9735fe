import {
  autonumber,
  bool,
  children,
  date,
  type Field,
  lookup,
  money,
  object,
  rollup,
  select,
  text,
  textarea,
} from '../fields';

/** Claims whose total is above this also need finance's approval after the manager's. */
export const EXPENSE_FINANCE_THRESHOLD = 5_000;

/** A line above this amount needs a receipt (a file on the line) before its claim is submitted. */
export const RECEIPT_THRESHOLD = 200;

export const EXPENSE_CATEGORIES = [
  ['travel', 'Travel', '差旅交通'],
  ['lodging', 'Lodging', '住宿'],
  ['meals', 'Meals', '餐饮'],
  ['entertainment', 'Customer entertainment', '业务招待'],
  ['marketing', 'Marketing', '市场推广'],
  ['gifts', 'Gifts', '礼品'],
  ['other', 'Other', '其他'],
] as const;

/**
 * An expense claim: what one person spent, line by line, approved by their manager and, above
 * EXPENSE_FINANCE_THRESHOLD, by finance (workflow `expense_approval`). The claimant is the owner.
 */
export const expenseClaim: Field = object(
  'Expense claim',
  '费用报销单',
  'number',
  {
    number: autonumber('EX-{YYYY}-{0000}', 'Number', '报销单号'),
    title: text('Title', '事由'),
    purpose: textarea('Purpose', '说明', 2000),
    // Follows the approval: the workflow's end steps set approved / rejected; finance marks paid.
    status: select(
      'Status',
      '状态',
      [
        ['draft', 'Draft', '草稿'],
        ['approved', 'Approved', '已批准'],
        ['rejected', 'Rejected', '已驳回'],
        ['paid', 'Paid', '已支付'],
      ],
      { default: 'draft' },
    ),
    lines: children('expense_line', 'claim', 'Lines', '费用明细'),
    total: rollup('lines', 'sum', 'amount', 'Total', '合计'),
    line_count: rollup('lines', 'count', undefined, 'Lines', '明细数', { type: 'integer' }),
    paid_on: date('Paid on', '支付日期'),
  },
  ['title'],
);

/**
 * One expense, with what it was for (customer, campaign, deal): the expense statistics group these
 * lines. Receipts are the line's files (`POST /api/records/expense_line/:id/files`). `approved` is
 * set by the platform when the claim is approved (and cleared when an admin unlocks it), so the
 * campaign's cost counts approved money only; nobody types it.
 */
export const expenseLine: Field = object(
  'Expense line',
  '费用明细',
  'description',
  {
    claim: lookup('expense_claim', 'Claim', '报销单'),
    spent_on: date('Date', '发生日期'),
    category: select('Category', '类别', EXPENSE_CATEGORIES),
    description: text('Description', '摘要', 500),
    amount: money('Amount', '金额', { minimum: 0 }),
    account: lookup('account', 'Customer', '客户'),
    campaign: lookup('campaign', 'Campaign', '营销活动'),
    deal: lookup('deal', 'Deal', '商机'),
    approved: bool('Approved', '已批准', { default: false }),
  },
  ['claim', 'spent_on', 'category', 'amount'],
);
