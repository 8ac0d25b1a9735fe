import type { TypeProvider } from '../http/type-provider';
import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';

const userOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    manager: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    locale: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const roles = { type: 'array', items: { type: 'string', maxLength: 63 }, maxItems: 50 } as const;
const manager = { type: ['string', 'null'], maxLength: 64 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();

  app.get(
    '/api/users',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['users'],
        summary: 'List users (admins: all details; others: names of active users, for pickers)',
        security: bearer,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: userOut } } }, ...errors(401) },
      },
    },
    async (request) => ({ items: await app.runtime.users.list(request.ctx) }),
  );

  app.get(
    '/api/users/:id',
    {
      preHandler: app.requireUser,
      schema: { tags: ['users'], security: bearer, params: idParams, response: { 200: userOut, ...errors(401, 404) } },
    },
    async (request) => app.runtime.users.get(request.ctx, request.params.id),
  );

  app.post(
    '/api/users',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: 'Create a user (tenant admin)',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'name', 'password'],
          properties: {
            email: { type: 'string', maxLength: 320 },
            name: { type: 'string', maxLength: 200 },
            password: { type: 'string', maxLength: 200 },
            roles,
            manager,
            locale: { type: ['string', 'null'], maxLength: 20 },
          },
        },
        response: { 201: userOut, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await app.runtime.users.create(request.ctx, request.body)),
  );

  app.patch(
    '/api/users/:id',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: 'Update a user (tenant admin); active=false deactivates and ends their sessions',
        security: bearer,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            email: { type: 'string', maxLength: 320 },
            name: { type: 'string', maxLength: 200 },
            password: { type: 'string', maxLength: 200 },
            roles,
            manager,
            active: { type: 'boolean' },
            locale: { type: ['string', 'null'], maxLength: 20 },
          },
        },
        response: { 200: userOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => app.runtime.users.update(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/api/users/:id',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: 'Deactivate a user (tenant admin)',
        security: bearer,
        params: idParams,
        response: { 200: userOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => app.runtime.users.deactivate(request.ctx, request.params.id),
  );
}
