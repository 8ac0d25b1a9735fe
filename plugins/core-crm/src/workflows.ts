import { EXPENSE_FINANCE_THRESHOLD } from './objects/expenses';
import { DISCOUNT_APPROVAL_THRESHOLD } from './objects/quotes';

/** Value above which a contract also needs finance's approval after the sales manager's. */
export const CONTRACT_FINANCE_THRESHOLD = 500_000;

const at = (x: number, y: number) => ({ x, y });

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
    nodes: [
      { id: 'start', type: 'start', position: at(0, 0), data: {} },
      {
        id: 'manager',
        type: 'approval',
        position: at(0, 120),
        data: {
          label: 'Sales manager',
          'x-i18n': { 'zh-CN': { label: '销售经理审批' } },
          approvers: [{ managerOf: 'submitter' }, { role: 'sales_manager' }],
          mode: 'any',
          escalation: { after: 'P2D', to: { role: 'sales_manager' } },
        },
      },
      { id: 'approved', type: 'end', position: at(0, 240), data: { outcome: 'approved' } },
      { id: 'rejected', type: 'end', position: at(220, 240), data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'manager' },
      { id: 'e2', source: 'manager', target: 'approved', data: { outcome: 'approved' } },
      { id: 'e3', source: 'manager', target: 'rejected', data: { outcome: 'rejected' } },
    ],
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
    nodes: [
      { id: 'start', type: 'start', position: at(0, 0), data: {} },
      {
        id: 'manager',
        type: 'approval',
        position: at(0, 120),
        data: {
          label: 'Sales manager',
          'x-i18n': { 'zh-CN': { label: '销售经理审批' } },
          approvers: [{ managerOf: 'submitter' }, { role: 'sales_manager' }],
          mode: 'any',
        },
      },
      {
        id: 'large',
        type: 'condition',
        position: at(0, 240),
        data: { label: 'Large contract?', 'x-i18n': { 'zh-CN': { label: '大额合同？' } } },
      },
      {
        id: 'finance',
        type: 'approval',
        position: at(0, 360),
        data: {
          label: 'Finance',
          'x-i18n': { 'zh-CN': { label: '财务审批' } },
          approvers: [{ role: 'finance' }],
          mode: 'any',
        },
      },
      {
        id: 'pdf',
        type: 'action',
        position: at(0, 480),
        data: { label: 'Contract PDF', 'x-i18n': { 'zh-CN': { label: '合同 PDF' } }, document: 'contract' },
      },
      { id: 'active', type: 'end', position: at(0, 600), data: { outcome: 'approved', set: { status: 'active' } } },
      { id: 'rejected', type: 'end', position: at(260, 600), data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'manager' },
      { id: 'e2', source: 'manager', target: 'large', data: { outcome: 'approved' } },
      { id: 'e3', source: 'manager', target: 'rejected', data: { outcome: 'rejected' } },
      {
        id: 'e4',
        source: 'large',
        target: 'finance',
        data: { condition: `record.value > ${CONTRACT_FINANCE_THRESHOLD}` },
      },
      { id: 'e5', source: 'large', target: 'pdf', data: { default: true } },
      { id: 'e6', source: 'finance', target: 'pdf', data: { outcome: 'approved' } },
      { id: 'e8', source: 'pdf', target: 'active' },
      { id: 'e7', source: 'finance', target: 'rejected', data: { outcome: 'rejected' } },
    ],
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
    nodes: [
      { id: 'start', type: 'start', position: at(0, 0), data: {} },
      {
        id: 'manager',
        type: 'approval',
        position: at(0, 120),
        data: {
          label: 'Manager',
          'x-i18n': { 'zh-CN': { label: '直属经理审批' } },
          approvers: [{ managerOf: 'submitter' }],
          mode: 'any',
          show: ['title', 'total', 'line_count'],
          escalation: { after: 'P3D', to: { role: 'sales_manager' } },
        },
      },
      {
        id: 'large',
        type: 'condition',
        position: at(0, 240),
        data: { label: 'Above the finance threshold?', 'x-i18n': { 'zh-CN': { label: '超过财务审批额度？' } } },
      },
      {
        id: 'finance',
        type: 'approval',
        position: at(0, 360),
        data: {
          label: 'Finance',
          'x-i18n': { 'zh-CN': { label: '财务审批' } },
          approvers: [{ role: 'finance' }],
          mode: 'any',
          show: ['title', 'total', 'line_count'],
        },
      },
      { id: 'approved', type: 'end', position: at(0, 480), data: { outcome: 'approved', set: { status: 'approved' } } },
      {
        id: 'rejected',
        type: 'end',
        position: at(260, 480),
        data: { outcome: 'rejected', set: { status: 'rejected' } },
      },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'manager' },
      { id: 'e2', source: 'manager', target: 'large', data: { outcome: 'approved' } },
      { id: 'e3', source: 'manager', target: 'rejected', data: { outcome: 'rejected' } },
      {
        id: 'e4',
        source: 'large',
        target: 'finance',
        data: { condition: `record.total > ${EXPENSE_FINANCE_THRESHOLD}` },
      },
      { id: 'e5', source: 'large', target: 'approved', data: { default: true } },
      { id: 'e6', source: 'finance', target: 'approved', data: { outcome: 'approved' } },
      { id: 'e7', source: 'finance', target: 'rejected', data: { outcome: 'rejected' } },
    ],
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
    nodes: [
      { id: 'start', type: 'start', position: at(0, 0), data: {} },
      {
        id: 'finance',
        type: 'approval',
        position: at(0, 120),
        data: {
          label: 'Finance',
          'x-i18n': { 'zh-CN': { label: '财务审批' } },
          approvers: [{ role: 'finance' }],
          mode: 'any',
          show: ['number', 'account', 'amount', 'credit_exposure'],
        },
      },
      { id: 'approved', type: 'end', position: at(0, 240), data: { outcome: 'approved' } },
      { id: 'rejected', type: 'end', position: at(220, 240), data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'finance' },
      { id: 'e2', source: 'finance', target: 'approved', data: { outcome: 'approved' } },
      { id: 'e3', source: 'finance', target: 'rejected', data: { outcome: 'rejected' } },
    ],
  },
};
