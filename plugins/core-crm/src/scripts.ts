import { SLA_HOURS } from './objects/engagement';
import { DISCOUNT_APPROVAL_THRESHOLD } from './objects/quotes';

/** Rules that carry the CRM's logic, run in the script sandbox on save (docs/scripts.md). */
export const scripts = {
  // A lost deal's reason is a form rule of the deal (x-form-rules, objects/sales.ts): shown and
  // required in the form as the stage changes, and enforced on every write.
  quote_discount_needs_approval: {
    object: 'quote',
    event: 'validate',
    label: `Discounts above ${DISCOUNT_APPROVAL_THRESHOLD}% need approval before the quote is sent`,
    'x-i18n': { 'zh-CN': { label: `折扣超过 ${DISCOUNT_APPROVAL_THRESHOLD}% 的报价须先审批再发送` } },
    code: [
      `const big = (record.discount || 0) > ${DISCOUNT_APPROVAL_THRESHOLD};`,
      "if (big && ['sent', 'accepted'].includes(record.status) && record.approval_status !== 'approved')",
      `  error('status', 'A discount above ${DISCOUNT_APPROVAL_THRESHOLD}% must be approved (submit the quote) before it is sent');`,
    ].join('\n'),
  },
  contract_dates: {
    object: 'contract',
    event: 'validate',
    label: 'A contract ends after it starts',
    'x-i18n': { 'zh-CN': { label: '合同的结束日期晚于开始日期' } },
    code: "if (record.start_on && record.end_on && record.end_on < record.start_on) error('end_on', 'The end date is before the start date');",
  },
  case_sla: {
    object: 'service_case',
    event: 'beforeSave',
    label: 'SLA deadline from the priority; resolution time stamped',
    'x-i18n': { 'zh-CN': { label: '按优先级计算 SLA 截止时间；记录解决时间' } },
    code: [
      `const hours = ${JSON.stringify(SLA_HOURS)};`,
      'if (!record.sla_due_at || (old && old.priority !== record.priority)) {',
      '  const from = old && record.created_at ? new Date(record.created_at) : new Date();',
      "  set('sla_due_at', new Date(from.getTime() + (hours[record.priority] || 24) * 3600000).toISOString());",
      '}',
      "if (['resolved', 'closed'].includes(record.status) && !record.resolved_at) set('resolved_at', new Date().toISOString());",
      "if (!['resolved', 'closed'].includes(record.status) && record.resolved_at) set('resolved_at', null);",
    ].join('\n'),
  },
  case_comment_account: {
    object: 'case_comment',
    event: 'beforeSave',
    label: "A case comment belongs to its case's account (the customer portal shows it there)",
    'x-i18n': { 'zh-CN': { label: '工单评论属于工单的客户（客户门户在那里显示）' } },
    code: [
      'if (record.service_case) {',
      "  const [c] = await query('service_case', { id: { eq: record.service_case } }, { limit: 1 });",
      "  if (c && c.account !== record.account) set('account', c.account ?? null);",
      '}',
    ].join('\n'),
  },
  activity_closed: {
    object: 'activity',
    event: 'beforeSave',
    label: 'Finished activities leave the reminders; a done one keeps the day it was done',
    'x-i18n': { 'zh-CN': { label: '已完成的活动不再提醒；完成的活动保留完成日期' } },
    code: [
      "if (record.status !== 'open') set('due_state', 'closed');",
      "if (record.status === 'done' && !record.done_on) set('done_on', new Date().toISOString().slice(0, 10));",
      "if (record.status !== 'done' && record.done_on) set('done_on', null);",
    ].join('\n'),
  },
  order_credit_check: {
    object: 'order',
    event: 'beforeSave',
    label: "An order above the account's credit limit needs finance's approval before it is confirmed",
    'x-i18n': { 'zh-CN': { label: '超过客户信用额度的订单须经财务审批后才能确认' } },
    code: [
      "const active = ['confirmed', 'shipped', 'delivered'];",
      'let exposure = null;',
      'let over = false;',
      'if (record.account) {',
      '  let a = null;',
      "  try { [a] = await query('account', { id: { eq: record.account } }, { limit: 1 }); } catch (e) { log(String(e)); }",
      "  if (!a) error('account', 'The credit limit of this account cannot be checked (it cannot be read)');",
      "  const counted = record.status === 'cancelled' ? 0 : Number(record.amount || 0);",
      '  exposure = Number((a && a.open_receivables) || 0) + counted;',
      '  over = !!a && a.credit_limit !== null && a.credit_limit !== undefined && exposure > Number(a.credit_limit);',
      '}',
      "set('credit_exposure', exposure);",
      "set('over_credit_limit', over);",
      '// Checked when an order is confirmed, or a confirmed order grows or changes customer.',
      'const entering = active.includes(record.status) && (!old || !active.includes(old.status));',
      'const changed = !!old && active.includes(record.status) && (record.amount !== old.amount || record.account !== old.account);',
      "if (over && (entering || changed) && record.approval_status !== 'approved')",
      "  error('status', 'This order takes the account above its credit limit (' + exposure + '): submit it for finance approval before confirming', { 'zh-CN': '该订单使客户超出信用额度（' + exposure + '）：请先提交财务审批再确认' });",
    ].join('\n'),
  },
  expense_claim_paid: {
    object: 'expense_claim',
    event: 'validate',
    label: 'Only an approved claim is paid',
    'x-i18n': { 'zh-CN': { label: '只有已批准的报销单才能付款' } },
    code: "if (record.status === 'paid' && record.approval_status !== 'approved') error('status', 'Only an approved claim can be paid', { 'zh-CN': '只有已批准的报销单才能支付' });",
  },
};
