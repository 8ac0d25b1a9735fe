import { approvalGraph } from './approval-graph';
import { EXPENSE_FINANCE_THRESHOLD } from './objects/expenses';
import { DISCOUNT_APPROVAL_THRESHOLD } from './objects/quotes';

/** Value above which a contract also needs finance's approval after the sales manager's. */
export const CONTRACT_FINANCE_THRESHOLD = 500_000;

const MANAGER = { id: 'manager', label: 'Sales manager', zh: '销售经理审批' };
const FINANCE = { id: 'finance', label: 'Finance', zh: '财务审批', approvers: [{ role: 'finance' }] };

/** Approval workflows (React Flow graphs, see docs/workflows.md). */
export const workflows = {
  quote_discount_approval: {
    object: 'quote',
    label: 'Quote discount approval',
    description: `Quotes with a discount above ${DISCOUNT_APPROVAL_THRESHOLD}% need a sales manager's approval before they are sent.`,
    'x-i18n': { 'zh-CN': { title: '报价折扣审批' } },
    trigger: { on: 'submit', condition: `record.discount > ${DISCOUNT_APPROVAL_THRESHOLD}` },
    // An approval is given for these numbers: changing the discount, tax or any line sends the quote
    // back to the manager (the status and the terms stay free, so an approved quote can be sent).
    afterApproval: { mode: 'reapprove', fields: ['discount', 'tax_rate', 'lines', 'total'] },
    fallbackRole: 'sales_manager',
    ...approvalGraph({
      steps: [
        {
          ...MANAGER,
          approvers: [{ managerOf: 'submitter' }, { role: 'sales_manager' }],
          escalation: { after: 'P2D', to: { role: 'sales_manager' } },
        },
      ],
    }),
  },
  contract_approval: {
    object: 'contract',
    label: 'Contract approval',
    description: `Every contract is approved by a sales manager; above ${CONTRACT_FINANCE_THRESHOLD} also by finance. Approval attaches the contract PDF and activates it.`,
    'x-i18n': { 'zh-CN': { title: '合同审批' } },
    trigger: { on: 'submit' },
    // A signed contract does not change: an admin unlocks it with a reason (kept in its history).
    afterApproval: { mode: 'lock' },
    fallbackRole: 'sales_manager',
    ...approvalGraph({
      steps: [
        { ...MANAGER, approvers: [{ managerOf: 'submitter' }, { role: 'sales_manager' }] },
        {
          ...FINANCE,
          when: {
            id: 'large',
            label: 'Large contract?',
            zh: '大额合同？',
            condition: `record.value > ${CONTRACT_FINANCE_THRESHOLD}`,
          },
        },
      ],
      document: { id: 'pdf', label: 'Contract PDF', zh: '合同 PDF', template: 'contract' },
      approved: { id: 'active', set: { status: 'active' } },
    }),
  },
  expense_approval: {
    object: 'expense_claim',
    label: 'Expense claim approval',
    description: `The claimant's manager approves every claim; above ${EXPENSE_FINANCE_THRESHOLD} finance approves too. Approved lines count in the campaign's cost and the expense statistics.`,
    'x-i18n': { 'zh-CN': { title: '费用报销审批' } },
    trigger: { on: 'submit' },
    // What was approved is what is paid: changing a line or the total sends the claim back for
    // approval; finance still marks it paid (status, paid_on) without a new approval.
    afterApproval: { mode: 'reapprove', fields: ['lines', 'total'] },
    fallbackRole: 'sales_manager',
    ...approvalGraph({
      steps: [
        {
          ...MANAGER,
          label: 'Manager',
          zh: '直属经理审批',
          approvers: [{ managerOf: 'submitter' }],
          show: ['title', 'total', 'line_count'],
          escalation: { after: 'P3D', to: { role: 'sales_manager' } },
        },
        {
          ...FINANCE,
          show: ['title', 'total', 'line_count'],
          when: {
            id: 'large',
            label: 'Above the finance threshold?',
            zh: '超过财务审批额度？',
            condition: `record.total > ${EXPENSE_FINANCE_THRESHOLD}`,
          },
        },
      ],
      approved: { set: { status: 'approved' } },
      rejected: { set: { status: 'rejected' } },
    }),
  },
  order_credit_approval: {
    object: 'order',
    label: 'Credit limit approval',
    description:
      "An order that takes its account's open receivables above the credit limit is confirmed only after finance approves it.",
    'x-i18n': { 'zh-CN': { title: '信用额度审批' } },
    trigger: { on: 'submit', condition: 'record.over_credit_limit === true' },
    // The approval is for this amount and this customer: changing either asks finance again.
    afterApproval: { mode: 'reapprove', fields: ['amount', 'account'] },
    fallbackRole: 'finance',
    ...approvalGraph({ steps: [{ ...FINANCE, show: ['number', 'account', 'amount', 'credit_exposure'] }] }),
  },
};

/** The manager's approval step of the templates' own workflows. */
export const MANAGER_STEP = MANAGER;
