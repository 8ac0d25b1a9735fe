import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const templateOut = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    label: { type: 'string' },
    version: { type: 'string' },
    description: { type: 'string' },
    objects: { type: 'array', items: { type: 'string' } },
    hasSampleData: { type: 'boolean' },
    sampleCounts: {
      type: 'object',
      properties: { users: { type: 'integer' }, records: { type: 'integer' } },
    },
    applied: { type: 'object', properties: { version: { type: 'string' }, at: { type: 'string' } } },
  },
} as const;

const templateName = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

/** `/api/templates`: the registered templates, and applying one to the tenant (tenant admins). */
export async function templateRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['templates'];

  app.get(
    '/api/templates',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'Available templates',
        security: bearer,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: templateOut } } },
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ items: (await app.runtime.templates.listFor(request.ctx)).map((t) => ({ ...t })) }),
  );

  app.post(
    '/api/templates/:name/plan',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: 'The metadata plan applying the template would run now (nothing changes)',
        description:
          'Merged with the tenant’s metadata exactly as apply does: steps with their SQL, whether any is ' +
          'destructive, data conflicts and the change summary; `changed: false` when applying is a no-op.',
        security: bearer,
        params: templateName,
        response: { 200: { type: 'object', additionalProperties: true }, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => app.runtime.templates.plan(request.ctx, request.params.name),
  );

  app.post(
    '/api/templates/:name/apply',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        summary: "Apply a template to the tenant; re-applying a newer version keeps the tenant's customizations",
        security: bearer,
        params: templateName,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            sampleData: { type: 'boolean' },
            allowDestructive: { type: 'boolean' },
          },
        },
        response: { 200: { type: 'object', additionalProperties: true }, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      return {
        ...(await app.runtime.templates.apply(request.ctx, request.params.name, {
          ...(body.sampleData !== undefined ? { sampleData: body.sampleData } : {}),
          ...(body.allowDestructive !== undefined ? { allowDestructive: body.allowDestructive } : {}),
        })),
      };
    },
  );
}
