/**
 * RFM scores stored on the account (issue 24): the account's `rfm_*` fields hold the recency,
 * frequency and monetary scores and the segment of the "Customers by RFM segment" report (its
 * purchases, filter, `months` and `quantiles` are the scoring's configuration: edit the report to
 * change them), computed set-based for every account of the tenant by the runtime
 * (`reports.storeRfm`), nightly and when an admin asks. Each refresh keeps a snapshot of the
 * segments, which the "RFM segment sizes and movement" report compares.
 */
import {
  type Ctx,
  notFound,
  type PluginContext,
  type PluginJob,
  type PluginRoutes,
  RFM_SEGMENTS,
} from '@forma/platform/plugin-api';
import type { Field } from '../fields';

/** The report whose analysis defines the scoring. */
export const SCORING_REPORT = 'rfm_segments';

/** Where the scores go on the account. */
export const RFM_TARGET = {
  recency: 'rfm_recency',
  frequency: 'rfm_frequency',
  monetary: 'rfm_monetary',
  segment: 'rfm_segment',
  scoredOn: 'rfm_scored_on',
} as const;

const zh = (title: string, extra: Record<string, unknown> = {}) => ({ 'x-i18n': { 'zh-CN': { title, ...extra } } });
const score = (title: string, zhTitle: string): Field => ({
  type: 'integer',
  title,
  'x-computed': 'rfm',
  minimum: 1,
  maximum: 9,
  ...zh(zhTitle),
});

/** The account's read-only RFM fields (written only by the refresh). */
export const rfmFields: Record<string, Field> = {
  [RFM_TARGET.recency]: score('Recency score', '近度评分'),
  [RFM_TARGET.frequency]: score('Frequency score', '频度评分'),
  [RFM_TARGET.monetary]: score('Monetary score', '额度评分'),
  [RFM_TARGET.segment]: {
    type: 'string',
    title: 'RFM segment',
    'x-computed': 'rfm',
    enum: RFM_SEGMENTS.map((s) => s.value),
    'x-enum-labels': Object.fromEntries(RFM_SEGMENTS.map((s) => [s.value, s.label])),
    'x-index': true,
    ...zh('RFM 客户分群', { enum: Object.fromEntries(RFM_SEGMENTS.map((s) => [s.value, s.zh])) }),
  },
  [RFM_TARGET.scoredOn]: {
    type: 'string',
    format: 'date',
    title: 'RFM scored on',
    'x-computed': 'rfm',
    ...zh('RFM 评分日期'),
  },
};

/** Refreshes the stored scores as of `asOf` (default today); tenants without the report are skipped. */
export async function refreshRfm(ctx: Ctx, context: PluginContext, asOf?: string) {
  const model = await context.runtime.meta.model(ctx);
  const account = model.objects.get('account');
  if (!model.document.reports?.[SCORING_REPORT] || !account?.fields.has(RFM_TARGET.segment)) return undefined;
  return context.runtime.reports.storeRfm(ctx, SCORING_REPORT, RFM_TARGET, asOf);
}

export const rfmJobs: PluginJob[] = [
  {
    name: 'rfm-scores',
    cron: '40 0 * * *',
    run: async (ctx, context) => void (await refreshRfm(ctx, context, context.now.toISOString().slice(0, 10))),
  },
];

/** `POST /api/plugins/core-crm/rfm/refresh {asOf?}`: tenant admins refresh the scores now. */
export const rfmRoutes: PluginRoutes = async (app, context) => {
  app.post(
    '/rfm/refresh',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Recompute the RFM scores and segment stored on every account, and keep a snapshot of the segments',
        tags: ['core-crm'],
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            asOf: { type: 'string', description: 'The day the scores are computed as of (YYYY-MM-DD, up to today)' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['customers', 'asOf'],
            properties: { customers: { type: 'integer' }, asOf: { type: 'string' } },
          },
        },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { asOf?: string };
      const result = await refreshRfm(request.ctx, context, body.asOf);
      if (!result) throw notFound('This tenant has no RFM scoring');
      return result;
    },
  );
};
