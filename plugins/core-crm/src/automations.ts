/**
 * The CRM's automation rules (docs/workflows.md, "Automation rules"): metadata a consultant can edit
 * in the tenant, run by the platform's rule engine instead of plugin code.
 */
export const automations = {
  case_sla_escalation: {
    label: 'Escalate cases past their SLA',
    description:
      "An unresolved service case past its SLA deadline goes to its owner's manager, with a high-priority task due today.",
    'x-i18n': { 'zh-CN': { title: '服务工单超时升级' } },
    object: 'service_case',
    trigger: {
      on: 'schedule',
      every: 'PT5M',
      filter: { status: { nin: ['resolved', 'closed'] }, sla_due_at: { lt: '$now' }, escalation_level: { eq: 0 } },
    },
    actions: [
      { type: 'set', values: { escalation_level: 1, escalated_to: '$managerOfOwner' } },
      {
        type: 'create',
        object: 'activity',
        owner: 'managerOfOwner',
        values: {
          type: 'task',
          priority: 'high',
          due_on: '$today',
          due_state: 'today',
          assigned_to: '$managerOfOwner',
        },
        expressions: {
          subject: "('Escalated case ' + record.number + ': ' + record.subject).slice(0, 200)",
          service_case: 'record.id',
          account: 'record.account || null',
        },
      },
      {
        type: 'notify',
        to: ['managerOfOwner'],
        title: 'Case {{record.number}} is past its SLA: {{record.subject}}',
        message: 'The case was due {{record.sla_due_at}} and is still {{record.status}}. It is now escalated to you.',
      },
    ],
  },
  activity_due_today: {
    label: 'Activities due today',
    description: 'Open activities due today go on the owner\'s "due today" list; the owner is reminded once that day.',
    'x-i18n': { 'zh-CN': { title: '今日到期提醒' } },
    object: 'activity',
    trigger: { on: 'schedule', every: 'P1D', filter: { status: { eq: 'open' }, due_on: { eq: '$today' } } },
    actions: [
      { type: 'set', values: { due_state: 'today' } },
      { type: 'notify', to: ['owner'], title: 'Due today: {{record.subject}}' },
    ],
  },
  activity_overdue: {
    label: 'Overdue activities',
    description: 'Open activities past their due date are marked overdue; the owner is reminded once a day.',
    'x-i18n': { 'zh-CN': { title: '逾期提醒' } },
    object: 'activity',
    trigger: { on: 'schedule', every: 'P1D', filter: { status: { eq: 'open' }, due_on: { lt: '$today' } } },
    actions: [
      { type: 'set', values: { due_state: 'overdue' } },
      { type: 'notify', to: ['owner'], title: 'Overdue since {{record.due_on}}: {{record.subject}}' },
    ],
  },
};
