import type { TypeProvider } from '../http/type-provider';
import { badRequest } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { errors, noContent } from '../http/schemas';

const tenantOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    schema: { type: 'string' },
    status: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'admin'],
  properties: {
    id: { type: 'string', maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    admin: {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'password', 'name'],
      properties: {
        email: { type: 'string', maxLength: 320 },
        password: { type: 'string', maxLength: 200 },
        name: { type: 'string', maxLength: 200 },
      },
    },
    template: { type: 'string', maxLength: 100 },
    sampleData: { type: 'boolean' },
  },
} as const;

const toOut = (t: { id: string; name: string; schema_name: string; status: string; created_at: Date }) => ({
  id: t.id,
  name: t.name,
  schema: t.schema_name,
  status: t.status,
  createdAt: t.created_at.toISOString(),
});

/** Platform-admin endpoints, guarded by PLATFORM_TOKEN. */
export async function tenantRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const security = [{ platformToken: [] }];

  app.post(
    '/api/tenants',
    {
      preHandler: app.requirePlatform,
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant with its first admin, optionally from a template',
        security,
        body: createBody,
        response: {
          201: {
            ...tenantOut,
            properties: { ...tenantOut.properties, admin: { type: 'object', additionalProperties: true } },
          },
          ...errors(400, 401, 409),
        },
      },
    },
    async (request, reply) => {
      const { tenant, admin } = await app.runtime.tenants.create(request.body);
      return reply
        .status(201)
        .send({ ...toOut(tenant), admin: { id: admin.id, email: admin.email, name: admin.name, roles: admin.roles } });
    },
  );

  app.get(
    '/api/tenants',
    {
      preHandler: app.requirePlatform,
      schema: {
        tags: ['tenants'],
        summary: 'List tenants',
        security,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: tenantOut } } },
          ...errors(401),
        },
      },
    },
    async () => ({ items: (await app.runtime.tenants.list()).map(toOut) }),
  );

  app.delete(
    '/api/tenants/:id',
    {
      preHandler: app.requirePlatform,
      schema: {
        tags: ['tenants'],
        summary: 'Delete a tenant and all its data; requires ?confirm=<id>',
        security,
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        querystring: { type: 'object', properties: { confirm: { type: 'string', maxLength: 64 } } },
        response: { ...noContent, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      if (request.query.confirm !== request.params.id) {
        throw badRequest('Deleting a tenant requires ?confirm=<tenant id>');
      }
      await app.runtime.tenants.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
