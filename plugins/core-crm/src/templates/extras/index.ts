import type { TemplateDocument } from '@forma/platform/plugin-api';
import { withBookedCampaignCosts } from '../../expense-samples';
import { withVolume } from '../../sample/volume';
import { coreCrmExtras } from './core-crm';
import { membershipExtras } from './membership';
import { productSalesExtras } from './product-sales';
import { projectSalesExtras } from './project-sales';
import type { TemplateExtras } from './types';

/** Each template's reports, dashboards and sample data volume, by template name. */
export const TEMPLATE_EXTRAS: Record<string, TemplateExtras> = {
  'core-crm': coreCrmExtras,
  'product-sales': productSalesExtras,
  'project-sales': projectSalesExtras,
  membership: membershipExtras,
};

/**
 * A template with its extras: reports and dashboards in its document, volume after its story. A
 * story written with typed campaign costs (the cost is now the roll-up of approved expenses) has
 * them booked as approved claims (expense-samples.ts).
 */
export function finishTemplate(template: TemplateDocument): TemplateDocument {
  const objects = (template.document.objects ?? {}) as Record<string, unknown>;
  const t =
    template.sampleData && objects.expense_claim
      ? {
          ...template,
          sampleData: withBookedCampaignCosts(
            template.sampleData as Parameters<typeof withBookedCampaignCosts>[0],
          ) as TemplateDocument['sampleData'],
        }
      : template;
  const extras = TEMPLATE_EXTRAS[t.name];
  if (!extras) return t;
  const document = structuredClone(t.document);
  if (extras.reports) document.reports = { ...(document.reports ?? {}), ...extras.reports };
  if (extras.dashboards) document.dashboards = extras.dashboards(document.dashboards ?? {});
  return withVolume({ ...t, document }, extras.volume, extras.seed);
}
