import type { MetadataDocument } from '@forma/platform/plugin-api';
import type { VolumeGenerator } from '../../sample/volume';

export type ReportDefinition = NonNullable<MetadataDocument['reports']>[string];
export type DashboardDefinition = NonNullable<MetadataDocument['dashboards']>[string];

/**
 * What a template ships besides its objects and rules: its reports, its role dashboards and the
 * generators of its bulk sample data. One module per template (this folder), listed in index.ts.
 */
export interface TemplateExtras {
  /** Seed of the sample data generator: change it and every tenant gets other (still fixed) data. */
  seed: number;
  /** Runs in order; later generators build on what earlier ones made (`ctx.shared`). */
  volume: VolumeGenerator[];
  reports?: Record<string, ReportDefinition>;
  /** The template's dashboards, given the ones its document already has (e.g. the core CRM's). */
  dashboards?: (existing: Record<string, DashboardDefinition>) => Record<string, DashboardDefinition>;
}

export const zh = (title: string) => ({ 'zh-CN': { title } });
export const zhLabel = (label: string) => ({ 'zh-CN': { label } });

/** `existing` with widgets added to some dashboards (unknown dashboards are left alone). */
export function addWidgets(
  existing: Record<string, DashboardDefinition>,
  extra: Record<string, NonNullable<DashboardDefinition>['widgets']>,
): Record<string, DashboardDefinition> {
  const out = structuredClone(existing);
  for (const [name, widgets] of Object.entries(extra)) {
    const d = out[name];
    if (d) d.widgets = [...d.widgets, ...widgets];
  }
  return out;
}
