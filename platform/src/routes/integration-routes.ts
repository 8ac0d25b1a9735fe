import { WEBHOOK_EVENTS } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors, noContent } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const stamp = { type: 'string', format: 'date-time' } as const;
const maybeStamp = { type: ['string', 'null'], format: 'date-time' } as const;

const webhookOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    object: { type: 'string' },
    events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
    fields: { type: 'array', items: { type: 'string' } },
    url: { type: 'string' },
    active: { type: 'boolean' },
    created_at: stamp,
    updated_at: stamp,
  },
} as const;
const webhookCreated = {
  ...webhookOut,
  properties: {
    ...webhookOut.properties,
    secret: { type: 'string', description: 'The signing secret (whsec_…): shown this once' },
  },
} as const;
const webhookBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 200 },
    object: { type: 'string', maxLength: 63 },
    events: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 10 },
    fields: { type: 'array', items: { type: 'string', maxLength: 63 }, maxItems: 200 },
    url: { type: 'string', maxLength: 2000 },
    active: { type: 'boolean' },
  },
} as const;
const deliveryOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    webhook_id: { type: 'string' },
    event: { type: 'string' },
    object: { type: 'string' },
    record_id: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['pending', 'retrying', 'succeeded', 'failed'] },
    attempts: { type: 'integer' },
    response_status: { type: ['integer', 'null'] },
    duration_ms: { type: ['integer', 'null'] },
    response_body: { type: ['string', 'null'], description: 'The start of the last answer' },
    error: { type: ['string', 'null'] },
    created_at: stamp,
    last_attempt_at: maybeStamp,
  },
} as const;
const accountOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    active: { type: 'boolean' },
    created_at: stamp,
  },
} as const;
const keyOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    service_account: { type: 'string' },
    service_account_name: { type: 'string' },
    read_only: { type: 'boolean' },
    created_at: stamp,
    last_used_at: maybeStamp,
    revoked_at: maybeStamp,
  },
} as const;
const keyCreated = {
  ...keyOut,
  properties: { ...keyOut.properties, token: { type: 'string', description: 'The API key: shown this once' } },
} as const;

/**
 * Integrations in the admin area (tenant admins; docs/webhooks.md, docs/api-keys.md): outbound
 * webhooks with their delivery log, service accounts and their API keys.
 */
export async function integrationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['integrations'];
  const admin = { preHandler: app.requireAdmin };

  app.get(
    '/api/admin/webhooks',
    {
      ...admin,
      schema: {
        tags,
        summary: 'List webhook subscriptions',
        security: bearer,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: webhookOut } } },
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ items: await app.runtime.webhooks.list(request.ctx) }),
  );

  app.post(
    '/api/admin/webhooks',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Subscribe a URL to record events of an object (the answer shows the signing secret once)',
        security: bearer,
        body: { ...webhookBody, required: ['name', 'object', 'events', 'url'] },
        response: { 201: webhookCreated, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await app.runtime.webhooks.create(request.ctx, {
          ...request.body,
          events: [...request.body.events],
          ...(request.body.fields ? { fields: [...request.body.fields] } : {}),
        }),
      ),
  );

  app.get(
    '/api/admin/webhooks/:id',
    {
      ...admin,
      schema: { tags, security: bearer, params: idParams, response: { 200: webhookOut, ...errors(401, 403, 404) } },
    },
    async (request) => app.runtime.webhooks.get(request.ctx, request.params.id),
  );

  app.patch(
    '/api/admin/webhooks/:id',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Change a subscription (name, events, field filter, URL, active)',
        security: bearer,
        params: idParams,
        body: webhookBody,
        response: { 200: webhookOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { events, fields, ...rest } = request.body;
      return app.runtime.webhooks.update(request.ctx, request.params.id, {
        ...rest,
        ...(events ? { events: [...events] } : {}),
        ...(fields ? { fields: [...fields] } : {}),
      });
    },
  );

  app.delete(
    '/api/admin/webhooks/:id',
    {
      ...admin,
      schema: { tags, security: bearer, params: idParams, response: { ...noContent, ...errors(401, 403, 404) } },
    },
    async (request, reply) => {
      await app.runtime.webhooks.remove(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/admin/webhooks/:id/deliveries',
    {
      ...admin,
      schema: {
        tags,
        summary: 'The delivery log of a webhook, newest first',
        security: bearer,
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 200 } },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: deliveryOut } } },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      items: await app.runtime.webhooks.deliveries(request.ctx, request.params.id, {
        ...(request.query.limit ? { limit: request.query.limit } : {}),
      }),
    }),
  );

  app.post(
    '/api/admin/webhook-deliveries/:id/redeliver',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Send a delivery again (same payload and webhook-id)',
        security: bearer,
        params: idParams,
        response: { 202: deliveryOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await app.runtime.webhooks.redeliver(request.ctx, request.params.id)),
  );

  app.get(
    '/api/admin/service-accounts',
    {
      ...admin,
      schema: {
        tags,
        summary: 'List service accounts (users for integrations, who sign in only with API keys)',
        security: bearer,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: accountOut } } },
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ items: await app.runtime.apiKeys.listAccounts(request.ctx) }),
  );

  app.post(
    '/api/admin/service-accounts',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Create a service account with roles',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', maxLength: 200 },
            roles: { type: 'array', items: { type: 'string', maxLength: 63 }, maxItems: 50 },
          },
        },
        response: { 201: accountOut, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await app.runtime.apiKeys.createAccount(request.ctx, {
          name: request.body.name,
          ...(request.body.roles ? { roles: [...request.body.roles] } : {}),
        }),
      ),
  );

  app.get(
    '/api/admin/api-keys',
    {
      ...admin,
      schema: {
        tags,
        summary: 'List API keys (never their tokens)',
        security: bearer,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: keyOut } } },
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ items: await app.runtime.apiKeys.list(request.ctx) }),
  );

  app.post(
    '/api/admin/api-keys',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Create an API key for a service account (the answer shows the token once)',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['serviceAccount', 'name'],
          properties: {
            serviceAccount: { type: 'string', maxLength: 64 },
            name: { type: 'string', maxLength: 200 },
            readOnly: { type: 'boolean' },
          },
        },
        response: { 201: keyCreated, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => reply.status(201).send(await app.runtime.apiKeys.create(request.ctx, request.body)),
  );

  app.delete(
    '/api/admin/api-keys/:id',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Revoke an API key (refused from the next request on)',
        security: bearer,
        params: idParams,
        response: { ...noContent, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await app.runtime.apiKeys.revoke(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
