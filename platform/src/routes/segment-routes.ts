import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const segmentName = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: segmentName } } as const;
const i18n = {
  type: 'object',
  additionalProperties: true,
  description: 'The label in other languages (x-i18n)',
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
    refresh: {
      type: 'object',
      additionalProperties: false,
      description: '{mode: manual} or {mode: schedule, every}',
      properties: { mode: { type: 'string', enum: ['manual', 'schedule'] }, every: { type: 'string' } },
    },
    roles: { type: 'array', items: { type: 'string' } },
    refreshedAt: { type: ['string', 'null'], description: 'When membership was last computed (null: never)' },
    count: { type: 'integer', description: 'Members the caller may read (their row scope applies)' },
  },
} as const;

const refresh = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    at: { type: 'string' },
    trigger: { type: 'string', enum: ['manual', 'schedule'] },
    count: { type: 'integer', description: 'Members after the refresh (every record, no row scope)' },
    entered: { type: 'integer' },
    left: { type: 'integer' },
    ms: { type: 'integer', description: 'How long the refresh took' },
  },
} as const;

const membersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: { type: 'string', maxLength: 20_000, description: 'A further JSON filter, AND-ed to membership' },
    sort: { type: 'string', maxLength: 500 },
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' },
    cursor: { type: 'string', maxLength: 8192 },
    fields: { type: 'string', maxLength: 5000 },
    count: { type: 'string', enum: ['true', 'false'] },
  },
} as const;

/**
 * `/api/segments`: saved segments (docs/analytics.md). Definitions are edited through
 * `/api/meta/segments/:name` like every metadata section; these routes read members, refresh
 * membership and show its history. Lists, reports and mail merge select members with the filter
 * operator `{"id": {"inSegment": name}}` (mail merge also takes `segment`).
 */
export async function segmentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['segments'];
  const segments = () => app.runtime.segments;

  app.get(
    '/api/segments',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'Segments the user may use: their roles allow it and they may read its object',
        security: bearer,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: summary } } },
          ...errors(401),
        },
      },
    },
    async (request) => ({ items: await segments().list(request.ctx) }),
  );

  app.post(
    '/api/segments/preview',
    {
      onRequest: app.requireAdmin,
      bodyLimit: 64 * 1024,
      schema: {
        tags,
        summary: 'Count preview of a segment being edited: live records of object matching filter (tenant admins)',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['object', 'filter'],
          properties: {
            object: segmentName,
            filter: { type: 'object', additionalProperties: true, description: 'The records filter language' },
          },
        },
        response: {
          200: { type: 'object', additionalProperties: false, properties: { count: { type: 'integer' } } },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async (request) => segments().preview(request.ctx, request.body),
  );

  app.get(
    '/api/segments/:name',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'A segment with the number of its members the caller may read; 404 when it is not for them',
        security: bearer,
        params: nameParams,
        response: { 200: summary, ...errors(400, 401, 404) },
      },
    },
    async (request) => segments().get(request.ctx, request.params.name),
  );

  app.get(
    '/api/segments/:name/members',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        summary: 'The members the caller may read, as a records list (filter, sort, limit, cursor, fields, count)',
        security: bearer,
        params: nameParams,
        querystring: membersQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: { type: 'object', additionalProperties: true } },
              nextCursor: { type: ['string', 'null'] },
              total: { type: 'integer' },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await segments().members(request.ctx, request.params.name, {
        ...(q.filter !== undefined ? { filter: q.filter } : {}),
        ...(q.sort !== undefined ? { sort: q.sort } : {}),
        ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        ...(q.fields !== undefined ? { fields: q.fields } : {}),
        ...(q.count === 'true' ? { count: true } : {}),
      });
      return { ...page };
    },
  );

  app.post(
    '/api/segments/:name/refresh',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Recompute membership now, record the counts, run the "entered/left segment" rules (tenant admins)',
        security: bearer,
        params: nameParams,
        response: { 200: refresh, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => segments().refresh(request.ctx, request.params.name),
  );

  app.get(
    '/api/segments/:name/history',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Each refresh with its count, entered and left, newest first (tenant admins: counts span every scope)',
        security: bearer,
        params: nameParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: refresh } } },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      items: await segments().history(
        request.ctx,
        request.params.name,
        request.query.limit !== undefined ? Number(request.query.limit) : undefined,
      ),
    }),
  );
}
