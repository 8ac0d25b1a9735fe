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

  app.get(
    '/api/automations/action-types',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary:
          'The action kinds rules may use (core and plugin-registered), each with the JSON Schema of its configuration',
        description:
          '`transactional` kinds really run in a test run (rolled back); the others are only listed there. The designer draws action forms from `schema`.',
        security: bearer,
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    type: { type: 'string' },
                    core: { type: 'boolean' },
                    transactional: { type: 'boolean' },
                    schema: anyObject,
                  },
                },
              },
            },
          },
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ items: app.runtime.automations.actionTypes(request.ctx) }),
  );

  app.post(
    '/api/automations/dry-run',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Test a rule on one record: which conditions hold and what its actions would do, changing nothing',
        description:
          'Give `rule` (a draft, checked as publishing checks it: 400 with each issue at its path) or `name` (a published rule). The actions run as the rule would, in a transaction that is always rolled back: no record, notification, e-mail or run is kept. Documents and plugin kinds are listed with `notRun`.',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['record'],
          properties: {
            name: { type: 'string', pattern: NAME },
            rule: anyObject,
            record: { type: 'string', format: 'uuid' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              rule: { type: 'string' },
              record: { type: 'object', properties: { id: { type: 'string' }, label: { type: 'string' } } },
              when: { type: ['boolean', 'null'] },
              condition: { type: ['boolean', 'null'] },
              wouldRun: { type: 'boolean' },
              actions: { type: 'array', items: anyObject },
              error: { type: ['string', 'null'] },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { name, rule, record } = request.body;
      return app.runtime.automations.dryRun(request.ctx, {
        record,
        ...(name ? { name } : {}),
        ...(rule ? { rule: rule as never } : {}),
      });
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
