import type { TemplateDocument } from '@forma/platform/plugin-api';
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

/** A template with its extras: reports and dashboards in its document, volume after its story. */
export function finishTemplate(t: TemplateDocument): TemplateDocument {
  const extras = TEMPLATE_EXTRAS[t.name];
  if (!extras) return t;
  const document = structuredClone(t.document);
  if (extras.reports) document.reports = { ...(document.reports ?? {}), ...extras.reports };
  if (extras.dashboards) document.dashboards = extras.dashboards(document.dashboards ?? {});
  return withVolume({ ...t, document }, extras.volume, extras.seed);
}
