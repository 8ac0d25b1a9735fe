import { SEARCH_LIMITS, TIMELINE_MAX_LIMIT } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const objectName = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', maxLength: 63 } as const;
const recordParams = {
  type: 'object',
  required: ['object', 'id'],
  properties: { object: objectName, id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const user = {
  type: ['object', 'null'],
  properties: { id: { type: 'string' }, name: { type: ['string', 'null'] } },
} as const;

const timelineAnswer = {
  type: 'object',
  required: ['items', 'next', 'names'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'kind', 'at'],
        properties: {
          key: { type: 'string' },
          kind: { type: 'string', enum: ['change', 'approval', 'activity', 'email', 'file'] },
          at: { type: 'string', format: 'date-time' },
          user,
          action: { type: 'string' },
          changes: { type: 'object', additionalProperties: { type: 'array' } },
          cause: { type: ['object', 'null'], additionalProperties: true },
          approval: {
            type: 'object',
            properties: {
              workflow: { type: 'string' },
              step: { type: ['string', 'null'], description: "The step's label (never a node id)" },
              comment: { type: ['string', 'null'] },
              outcome: { type: 'string', enum: ['approved', 'rejected'] },
            },
          },
          activity: {
            type: 'object',
            properties: { object: { type: 'string' }, record: { type: 'object', additionalProperties: true } },
          },
          email: { type: 'object', properties: { subject: { type: 'string' }, sent: { type: 'boolean' } } },
          file: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              name: { type: 'string' },
              size: { type: 'integer' },
              contentType: { type: 'string' },
            },
          },
        },
      },
    },
    next: { type: ['string', 'null'], description: 'Pass as before for the next (older) page' },
    names: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Labels of the readable records and users named by lookup values in changes',
    },
  },
} as const;

const searchAnswer = {
  type: 'object',
  required: ['groups', 'partial'],
  properties: {
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['object', 'items', 'more'],
        properties: {
          object: { type: 'string' },
          more: { type: 'boolean' },
          items: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'label'],
              properties: {
                id: { type: 'string' },
                label: { type: 'string' },
                match: { type: 'object', properties: { field: { type: 'string' }, value: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
    partial: { type: 'boolean', description: 'Some objects were not searched in time' },
  },
} as const;

/** A record's activity timeline and the global search (docs/records.md, "Timeline" and "Global search"). */
export async function timelineSearchRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();

  app.get(
    '/api/records/:object/:id/timeline',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Activity timeline of a record, newest first: changes, approvals, activities, e-mails, files',
        security: bearer,
        params: recordParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: `Page size, 1 to ${TIMELINE_MAX_LIMIT}` },
            before: { type: 'string', maxLength: 400, description: 'next of the previous page' },
          },
        },
        response: { 200: timelineAnswer, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      return (await app.runtime.timeline.timeline(request.ctx, request.params.object, request.params.id, {
        ...(limit !== undefined ? { limit: Number(limit) } : {}),
        ...(before !== undefined ? { before } : {}),
      })) as never;
    },
  );

  app.get(
    '/api/search',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records'],
        summary: 'Search every object you may read by label and searchable fields, grouped by object',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['q'],
          properties: {
            q: { type: 'string', maxLength: SEARCH_LIMITS.maxLength, description: 'Words to find (all of them)' },
            limit: {
              type: 'string',
              pattern: '^[0-9]{1,2}$',
              description: `Results per object, 1 to ${SEARCH_LIMITS.maxPerObject} (default ${SEARCH_LIMITS.perObject})`,
            },
          },
        },
        response: { 200: searchAnswer, ...errors(400, 401) },
      },
    },
    async (request) => {
      const { q, limit } = request.query;
      return (await app.runtime.search.search(
        request.ctx,
        q,
        limit !== undefined ? { limit: Number(limit) } : {},
      )) as never;
    },
  );
}
