import { SLA_HOURS } from './objects/engagement';

/** Days without a done activity after which a customer is dormant (account_dormant). */
export const DORMANT_DAYS = 90;

const OPEN_CASE = { status: { nin: ['resolved', 'closed'] } };

/** Cases a whole SLA period past their deadline, per priority (the SLA differs by priority). */
const secondPeriodOver = {
  or: Object.entries(SLA_HOURS).map(([priority, hours]) => ({
    priority: { eq: priority },
    sla_due_at: { lt: `$now-PT${hours}H` },
  })),
};

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
      filter: { ...OPEN_CASE, sla_due_at: { lt: '$now' }, escalation_level: { eq: 0 } },
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
  case_sla_escalation_2: {
    label: 'Escalate cases one SLA period later',
    description:
      'Still unresolved one more SLA period after its deadline, an escalated case goes to the next manager up, with a high-priority task.',
    'x-i18n': { 'zh-CN': { title: '服务工单二级升级' } },
    object: 'service_case',
    trigger: {
      on: 'schedule',
      every: 'PT5M',
      filter: { ...OPEN_CASE, escalation_level: { eq: 1 }, ...secondPeriodOver },
    },
    actions: [
      {
        type: 'create',
        object: 'activity',
        owner: { managerOf: 'escalated_to' },
        values: {
          type: 'task',
          priority: 'high',
          due_on: '$today',
          due_state: 'today',
          assigned_to: '$managerOf:escalated_to',
        },
        expressions: {
          subject: "('Escalated case ' + record.number + ' (level 2): ' + record.subject).slice(0, 200)",
          service_case: 'record.id',
          account: 'record.account || null',
        },
      },
      {
        type: 'notify',
        to: [{ managerOf: 'escalated_to' }],
        title: 'Case {{record.number}} is still unresolved: {{record.subject}}',
        message: 'The case was due {{record.sla_due_at}}; it was escalated once and is still {{record.status}}.',
      },
      // Last: the task and the notice above go to the manager of the person it was escalated to.
      { type: 'set', values: { escalation_level: 2, escalated_to: '$managerOf:escalated_to' } },
    ],
  },
  // "No activity for 90 days": a date trigger on the date roll-up account.last_activity_on fires once,
  // on the 90th day; a new done activity moves the date and so the next reminder.
  account_dormant: {
    label: 'Customers with no activity for 90 days',
    description:
      'A customer account whose last done activity was 90 days ago gets a follow-up task for its owner, who is notified (once, on the 90th day).',
    'x-i18n': { 'zh-CN': { title: '90天未联系客户提醒' } },
    object: 'account',
    trigger: {
      on: 'schedule',
      every: 'P1D',
      filter: { type: { eq: 'customer' } },
      date: { field: 'last_activity_on', days: -DORMANT_DAYS },
    },
    actions: [
      {
        type: 'create',
        object: 'activity',
        values: { type: 'task', priority: 'normal', due_on: '$today+P3D', assigned_to: '$owner' },
        expressions: {
          subject: `('No contact for ${DORMANT_DAYS} days: ' + record.name).slice(0, 200)`,
          account: 'record.id',
        },
      },
      {
        type: 'notify',
        to: ['owner'],
        title: `{{record.name}}: no activity for ${DORMANT_DAYS} days`,
        message:
          'The last done activity with {{record.name}} was on {{record.last_activity_on}}. A follow-up task is on your list.',
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
