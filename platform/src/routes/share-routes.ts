import type { FastifyInstance } from 'fastify';
import { bearer, errors, noContent, uuidParam } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const shareOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string' },
    record: { type: 'string' },
    user: { type: ['string', 'null'] },
    role: { type: ['string', 'null'] },
    level: { type: 'string', enum: ['read', 'edit'] },
    createdBy: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const recordParams = {
  type: 'object',
  required: ['object', 'id'],
  properties: { object: { type: 'string', minLength: 1, maxLength: 100 }, id: uuidParam },
} as const;

const verdict = {
  type: 'object',
  properties: {
    allowed: { type: 'boolean' },
    reasons: { type: 'array', items: { type: 'object', additionalProperties: true } },
    denial: { type: 'string' },
  },
} as const;

/**
 * Manual sharing of one record (`/api/records/:object/:id/shares`, by its owner or an admin) and the
 * access explainer (`/api/records/:object/:id/access`). Record CRUD lives in record-routes.ts.
 */
export async function shareRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['permissions'];

  app.get(
    '/api/records/:object/:id/shares',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: "The record's manual shares (its owner or an admin)",
        security: bearer,
        params: recordParams,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: shareOut } } },
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => ({
      items: await app.runtime.permissions.shares.list(request.ctx, request.params.object, request.params.id),
    }),
  );

  app.post(
    '/api/records/:object/:id/shares',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'Share the record with a user or a role, for read or edit (its owner or an admin)',
        description: 'Sharing again with the same user or role changes the level: 200 instead of 201.',
        security: bearer,
        params: recordParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['level'],
          properties: {
            user: { type: 'string', maxLength: 64 },
            role: { type: 'string', maxLength: 63 },
            level: { type: 'string', enum: ['read', 'edit'] },
          },
        },
        response: { 200: shareOut, 201: shareOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { share, created } = await app.runtime.permissions.shares.share(
        request.ctx,
        request.params.object,
        request.params.id,
        request.body,
      );
      return reply.status(created ? 201 : 200).send(share);
    },
  );

  app.delete(
    '/api/records/:object/:id/shares/:share',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'Remove a manual share (its owner or an admin)',
        security: bearer,
        params: {
          type: 'object',
          required: ['object', 'id', 'share'],
          properties: { ...recordParams.properties, share: uuidParam },
        },
        response: { ...noContent, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { object, id, share } = request.params;
      await app.runtime.permissions.shares.unshare(request.ctx, object, id, share);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/records/:object/:id/access',
    {
      preHandler: app.requireUser,
      schema: {
        tags,
        summary: 'Why a user can or cannot read, update or delete this record',
        description:
          'Names the role scope, sharing rule or manual share behind each answer. Admins may ask about any ' +
          'user (?user=); others only about themselves.',
        security: bearer,
        params: recordParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { user: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              object: { type: 'string' },
              record: { type: 'string' },
              owner: { type: ['string', 'null'] },
              user: { type: 'object', additionalProperties: true },
              read: verdict,
              update: verdict,
              delete: verdict,
              fields: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      app.runtime.permissions.explain(request.ctx, request.params.object, request.params.id, request.query.user),
  );
}
