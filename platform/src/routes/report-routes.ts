import { reportXlsx } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const anyObject = { type: 'object', additionalProperties: true } as const;
/** The label in other languages, from the metadata's `x-i18n`: `{"zh-CN": {"title": "…"}}`. */
const i18n = {
  type: 'object',
  additionalProperties: true,
  description: "The label in other languages (the metadata's x-i18n)",
} as const;
const reportName = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: reportName } } as const;
const asOf = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'Day aging buckets count from (default today, UTC)',
} as const;

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
/** What a viewer narrows a run to (a dashboard's filters), on top of the report's own filter. */
const narrowing = {
  filter: {
    ...anyObject,
    description:
      "AND-ed to the report's filter, in the records filter language (checked like it, with the caller's field security)",
  },
  period: {
    type: 'object',
    additionalProperties: false,
    description:
      "A date range (both days included) on the report's date field: its first date-bucketed group key, else created_at; not applied to a period comparison (the answer's periodField says where it applied)",
    properties: { from: day, to: day },
  },
} as const;

const summary = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    label: { type: 'string' },
    'x-i18n': i18n,
    description: { type: 'string' },
    object: { type: 'string' },
    chart: { type: 'string' },
    chartValue: { type: 'string', description: 'The column the chart plots (absent: the first measure)' },
    chartCategory: {
      type: 'string',
      description: "The group column labelling the chart's points (absent: the first group column)",
    },
    chartSeries: {
      type: 'string',
      description: "The group column whose values are the chart's series (absent: one series)",
    },
  },
} as const;

const column = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string' },
    label: { type: 'string' },
    'x-i18n': i18n,
    role: { type: 'string', enum: ['group', 'measure', 'derived'] },
    field: { type: 'string', description: 'The field or lookup path (account.city) behind the column' },
    kind: { type: 'string' },
    bucket: { type: 'string' },
    compare: {
      type: 'string',
      enum: ['previous', 'last_year'],
      description: 'Period comparison: the period this value is from',
    },
    of: { type: 'string', description: 'Period comparison: the measure column compared' },
    options: {
      type: 'array',
      description: "A group column of named values (rfm_segment): each value's label",
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { value: { type: 'string' }, label: { type: 'string' }, 'x-i18n': i18n },
      },
    },
  },
} as const;

const period = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', description: 'First day, inclusive' },
    to: { type: 'string', description: 'Day after the last, exclusive' },
    label: { type: 'string', description: '2026-12, 2026-Q4 or 2026' },
  },
} as const;

const result = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...summary.properties,
    columns: { type: 'array', items: column },
    rows: { type: 'array', items: anyObject },
    truncated: { type: 'boolean' },
    periodField: { type: 'string', description: "The date field a run's period was applied to" },
    compare: {
      type: 'object',
      additionalProperties: false,
      description: "A report's period comparison: the periods its columns cover",
      properties: { period: { type: 'string' }, current: period, previous: period, last_year: period },
    },
  },
} as const;

const widget = {
  type: 'object',
  additionalProperties: false,
  properties: {
    report: { type: 'string' },
    title: { type: 'string' },
    label: { type: 'string' },
    'x-i18n': i18n,
    chart: { type: 'string' },
    width: { type: 'string' },
  },
} as const;

const dashboard = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    label: { type: 'string' },
    'x-i18n': i18n,
    roles: { type: 'array', items: { type: 'string' } },
    widgets: { type: 'array', items: widget },
  },
} as const;

/**
 * Saved reports (`/api/reports`, any signed-in user: those their roles and object access allow) and
 * the home dashboard (`/api/dashboards/home`). Definitions are edited through `/api/meta/reports`
 * and `/api/meta/dashboards` like every metadata section.
 */
export async function reportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['reports'];
  const reports = () => app.runtime.reports;

  app.get(
    '/api/reports',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'Reports the user may run',
        security: bearer,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            properties: { items: { type: 'array', items: summary } },
          },
          ...errors(401),
        },
      },
    },
    async (request) => ({ items: await reports().list(request.ctx) }),
  );

  app.post(
    '/api/reports/:name/run',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: "Run a report with the caller's permissions: its columns and rows",
        security: bearer,
        params: nameParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { asOf, ...narrowing } },
        response: { 200: result, ...errors(400, 401, 404) },
      },
    },
    async (request) => reports().run(request.ctx, request.params.name, runOptions(request.body)),
  );

  app.post(
    '/api/reports/preview',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: "Run an unsaved report (the report builder's live preview)",
        description:
          'Tenant admins only. `report` is checked exactly as publishing it would be (400 with each issue at its path; nothing is saved), then run by the same engine, with the same permissions and limits as a saved report; at most 200 rows (`truncated` says when there were more).',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['report'],
          properties: { report: anyObject, name: reportName, asOf, ...narrowing },
        },
        response: { 200: result, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { report, name, ...rest } = request.body;
      return reports().runDraft(request.ctx, report, { ...runOptions(rest), ...(name ? { name } : {}) });
    },
  );

  app.get(
    '/api/reports/:name/export.xlsx',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'A report run, as an Excel workbook',
        security: bearer,
        params: nameParams,
        querystring: { type: 'object', additionalProperties: false, properties: { asOf } },
        response: { 200: { type: 'string', format: 'binary' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const run = await reports().run(
        request.ctx,
        request.params.name,
        request.query.asOf ? { asOf: request.query.asOf } : {},
      );
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${request.params.name}.xlsx"`)
        .send((await reportXlsx(run)) as never);
    },
  );

  app.get(
    '/api/dashboards/home',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: "The user's home dashboard (by role), with the widgets they may run; null when none",
        security: bearer,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            properties: {
              dashboard: { ...dashboard, type: ['object', 'null'] },
            },
          },
          ...errors(401),
        },
      },
    },
    async (request) => ({ dashboard: await reports().home(request.ctx) }),
  );

  app.get(
    '/api/dashboards',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'Dashboards the user opens by name (not home dashboards): those of their roles',
        security: bearer,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { name: { type: 'string' }, label: { type: 'string' }, 'x-i18n': i18n },
                },
              },
            },
          },
          ...errors(401),
        },
      },
    },
    async (request) => ({ items: await reports().dashboards(request.ctx) }),
  );

  app.get(
    '/api/dashboards/:name',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'A dashboard by name, with the widgets the user may run; 404 when it is not for them',
        security: bearer,
        params: nameParams,
        response: { 200: dashboard, ...errors(400, 401, 404) },
      },
    },
    async (request) => reports().dashboard(request.ctx, request.params.name),
  );
}

type RunBody = {
  asOf?: string;
  filter?: Record<string, unknown>;
  period?: { from?: string; to?: string };
} | null;

function runOptions(body: RunBody | undefined) {
  return {
    ...(body?.asOf ? { asOf: body.asOf } : {}),
    ...(body?.filter ? { filter: body.filter } : {}),
    ...(body?.period ? { period: body.period } : {}),
  };
}
