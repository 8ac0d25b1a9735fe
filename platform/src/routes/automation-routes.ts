import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const anyObject = { type: 'object', additionalProperties: true } as const;
const NAME = '^[a-z][a-z0-9_]{0,62}$';

/**
 * `/api/automations`: what automation rules did (the rules themselves are metadata:
 * `/api/meta/automations/:name`). Tenant admins only, checked on request.
 */
export async function automationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['automations'];

  app.get(
    '/api/automations/runs',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Runs of automation rules, newest first: rule, record, trigger, outcome, error, what the actions did',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            rule: { type: 'string', pattern: NAME },
            record: { type: 'string', format: 'uuid' },
            outcome: { type: 'string', enum: ['running', 'succeeded', 'failed', 'skipped'] },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: anyObject } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { rule, record, outcome, limit } = request.query;
      return {
        items: await app.runtime.automations.runs(request.ctx, {
          ...(rule ? { rule } : {}),
          ...(record ? { record } : {}),
          ...(outcome ? { outcome: outcome as 'succeeded' } : {}),
          ...(limit ? { limit } : {}),
        }),
      };
    },
  );

  app.post(
    '/api/automations/sweep',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: "Run this tenant's due schedule rules now (the server also does it every minute)",
        description: 'Records already handled in the current period of a rule are not handled again.',
        security: bearer,
        response: {
          200: {
            type: 'object',
            properties: { succeeded: { type: 'integer' }, failed: { type: 'integer' }, skipped: { type: 'integer' } },
          },
          ...errors(401, 403),
        },
      },
    },
    async (request) => app.runtime.automations.sweep(undefined, { tenants: [request.ctx.tenant] }),
  );
}
