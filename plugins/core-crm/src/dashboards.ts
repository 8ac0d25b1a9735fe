import type { MetadataDocument } from '@forma/platform/plugin-api';

type DashboardDefinition = NonNullable<MetadataDocument['dashboards']>[string];

const zh = (title: string) => ({ 'zh-CN': { title } });

/** Home dashboards per CRM role (tenant admins get the sales manager's). */
export const dashboards: Record<string, DashboardDefinition> = {
  sales_manager: {
    label: 'Sales manager',
    'x-i18n': zh('销售经理'),
    roles: ['sales_manager', 'admin'],
    widgets: [
      { report: 'sales_funnel', width: 'half' },
      { report: 'won_by_month', width: 'half' },
      { report: 'won_by_owner', width: 'half' },
      { report: 'campaign_roi', width: 'half' },
      { report: 'pipeline_by_month', width: 'full' },
    ],
  },
  sales_rep: {
    label: 'Sales rep',
    'x-i18n': zh('销售代表'),
    roles: ['sales_rep'],
    widgets: [
      { report: 'sales_funnel', title: 'My funnel', 'x-i18n': zh('我的销售漏斗'), width: 'half' },
      { report: 'won_by_month', title: 'My won deals by month', 'x-i18n': zh('我每月赢单'), width: 'half' },
      { report: 'pipeline_by_month', title: 'My pipeline by close month', 'x-i18n': zh('我的在途商机'), width: 'half' },
      { report: 'open_activities', title: 'My open activities', 'x-i18n': zh('我的未完成活动'), width: 'half' },
    ],
  },
  finance: {
    label: 'Finance',
    'x-i18n': zh('财务'),
    roles: ['finance'],
    widgets: [
      { report: 'receivables_aging', width: 'full' },
      { report: 'won_by_month', width: 'half' },
      { report: 'collections_by_month', width: 'half' },
    ],
  },
  service_agent: {
    label: 'Service agent',
    'x-i18n': zh('客服'),
    roles: ['service_agent'],
    widgets: [
      { report: 'cases_by_status', width: 'half' },
      { report: 'satisfaction_by_month', width: 'half' },
      { report: 'csat_by_agent', width: 'half' },
    ],
  },
  customer_value: {
    label: 'Customer value',
    'x-i18n': zh('客户价值'),
    description: 'Which customers are worth the most and why: margin, RFM segments, retention, churn risk.',
    home: false,
    roles: ['sales_manager', 'admin'],
    widgets: [
      { report: 'top_customers_by_margin', width: 'full' },
      { report: 'rfm_segments', width: 'half' },
      { report: 'margin_by_category', width: 'half' },
      { report: 'rfm_movement', width: 'full' },
      { report: 'retention_cohorts', width: 'full' },
      { report: 'churn_risk', width: 'full' },
      { report: 'margin_by_channel', width: 'half' },
      { report: 'margin_by_country', width: 'half' },
      { report: 'campaign_roi', width: 'half' },
    ],
  },
};
