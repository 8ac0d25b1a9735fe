import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const anyObject = { type: 'object', additionalProperties: true } as const;

/** In-app notifications of the signed-in user. */
export async function notificationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();

  app.get(
    '/api/notifications',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['notifications'],
        summary: 'My notifications, newest first, with the unread count',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { unread: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 200 } },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: anyObject }, unread: { type: 'integer' } },
          },
          ...errors(400, 401),
        },
      },
    },
    async (request) =>
      app.runtime.workflows.notifications.list(request.ctx, {
        ...(request.query.unread !== undefined ? { unread: request.query.unread } : {}),
        ...(request.query.limit !== undefined ? { limit: request.query.limit } : {}),
      }),
  );

  app.post(
    '/api/notifications/:id/read',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['notifications'],
        summary: 'Mark one notification read',
        security: bearer,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
        response: { 204: { type: 'null' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await app.runtime.workflows.notifications.markRead(request.ctx, request.params.id, app.runtime.clock.now());
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/notifications/read-all',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['notifications'],
        summary: 'Mark all my notifications read',
        security: bearer,
        response: { 200: { type: 'object', properties: { marked: { type: 'integer' } } }, ...errors(401) },
      },
    },
    async (request) => ({
      marked: await app.runtime.workflows.notifications.markAllRead(request.ctx, app.runtime.clock.now()),
    }),
  );
}
