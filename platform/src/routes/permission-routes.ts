import type { FastifyInstance } from 'fastify';
import { bearer, errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

/** `GET /api/meta/effective-permissions?user=`: the designer's "view as" (tenant admins). */
export async function permissionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();

  app.get(
    '/api/meta/effective-permissions',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['permissions'],
        summary: "What a user may do on every object: scopes, the roles giving them, each field's access",
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['user'],
          properties: { user: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              user: { type: 'object', additionalProperties: true },
              admin: { type: 'boolean' },
              version: { type: 'integer' },
              objects: { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => app.runtime.permissions.effective(request.ctx, request.query.user),
  );
}
