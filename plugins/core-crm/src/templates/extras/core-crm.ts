import { coreVolume } from '../../sample/core-volume';
import type { TemplateExtras } from './types';

/** The core CRM's reports and dashboards live in its document (reports.ts, dashboards.ts); here its volume. */
export const coreCrmExtras: TemplateExtras = { seed: 20_260_101, volume: [coreVolume()] };
