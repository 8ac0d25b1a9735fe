import { definePlugin } from '@forma/platform/plugin-api';
import { coreCrmDocument } from './document';
import { jobs, refreshAging } from './jobs/crm-jobs';
import { expenseHooks } from './expense-hooks';
import { membershipJobs } from './jobs/membership-jobs';
import { membershipHooks } from './membership-hooks';
import { combineHooks, productSalesHooks } from './product-sales-hooks';
import { installPrintTemplates } from './print-templates';
import { refreshRfm, rfmJobs, rfmRoutes } from './rfm/rfm-scores';
import { routes } from './routes';
import { finishTemplate } from './templates/extras';
import { membershipTemplate } from './templates/membership';
import { productSalesTemplate } from './templates/product-sales';
import { projectSalesTemplate } from './templates/project-sales';
import { coreCrmSampleData } from './sample-data';

export { DEMO_PASSWORD, SAMPLE_USERS } from './sample-data';

// Each template with its reports, dashboards and bulk sample data (templates/extras/).
const core = finishTemplate({
  name: 'core-crm',
  label: 'Core CRM',
  version: '0.1.0',
  document: coreCrmDocument(),
  // A campaign's cost is a roll-up of approved expenses: finishTemplate books typed costs as claims.
  sampleData: coreCrmSampleData(),
});

/** The core CRM: its metadata as the `core-crm` template, the industry templates, and the CRM's server-side work. */
export default definePlugin({
  name: 'core-crm',
  version: '0.1.0',
  description:
    'Accounts, contacts, leads, deals, quotes, contracts, orders, receivables, activities, campaigns and service cases',
  engines: { forma: '^0.1.0' },
  template: {
    label: 'Core CRM',
    description:
      'A complete CRM: sales funnel from lead to payment, quotes with approval, contracts, receivables aging, activities, campaigns, service cases with SLA.',
    sampleData: core.sampleData,
  },
  metadata: core.document,
  templates: [productSalesTemplate(), projectSalesTemplate(), membershipTemplate()].map(finishTemplate),
  routes: async (app, context) => {
    await routes(app, context);
    await rfmRoutes(app, context);
  },
  jobs: [...jobs, ...membershipJobs, ...rfmJobs],
  hooks: (context) => combineHooks(membershipHooks(context), productSalesHooks(context), expenseHooks(context)),
  // A tenant created with sample data shows aging and today's reminders at once, not after the first
  // tick (the reminders are the template's automation rules).
  async onTenantCreated(ctx, input, context) {
    await installPrintTemplates(ctx, context);
    if (!input.sampleData) return;
    const now = context.runtime.clock.now();
    await refreshAging(ctx, { ...context, now });
    // Two snapshots (30 days ago and today), so the segment movement has something to compare.
    const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    await refreshRfm(ctx, context, day(30));
    await refreshRfm(ctx, context, day(0));
    await context.runtime.automations.sweepTenant(ctx, now, [
      'activity_due_today',
      'activity_overdue',
      'account_dormant',
      'member_dormant',
      'member_birthday',
      'service_contract_renewal',
      'service_contract_expired',
    ]);
  },
});
