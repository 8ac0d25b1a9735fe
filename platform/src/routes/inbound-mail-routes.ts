import type { InboundMailSettings } from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { bearer, errors, uuidParam } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const name = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$', maxLength: 63 } as const;

const tenantParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,30}$', maxLength: 31 } },
} as const;

const addressSchema = {
  type: 'object',
  properties: {
    address: { type: 'string', maxLength: 254, description: 'Where customers write to, e.g. support@acme.example' },
    object: { ...name, description: 'What a new message becomes a record of, e.g. service_case' },
    owner: { type: 'string', description: 'Id of the user who owns records made from e-mail' },
    acknowledge: { type: 'boolean', description: 'Queue an acknowledgement to the sender of a new case' },
  },
} as const;

const settingsSchema = {
  type: 'object',
  required: ['addresses'],
  properties: { addresses: { type: 'array', maxItems: 100, items: addressSchema } },
} as const;

const settingsOut = (s: InboundMailSettings) => ({ addresses: s.addresses.map((a) => ({ ...a })) });

/**
 * E-mail to case (docs/email-to-case.md): the addresses a tenant receives e-mail at (platform
 * admin: an address routes mail across tenants, so no tenant may claim one itself) and replies
 * from a record, threaded so the customer's answer comes back to it.
 */
export async function inboundMailRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const platformSecurity = [{ platformToken: [] }];

  app.get(
    '/api/tenants/:id/inbound-email',
    {
      preHandler: app.requirePlatform,
      schema: {
        tags: ['tenants', 'inbound-email'],
        summary: 'The addresses a tenant receives e-mail at and what it becomes (platform admin)',
        security: platformSecurity,
        params: tenantParams,
        response: { 200: settingsSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => settingsOut(await app.runtime.inboundMail.getSettings(request.params.id)),
  );

  app.put(
    '/api/tenants/:id/inbound-email',
    {
      preHandler: app.requirePlatform,
      schema: {
        tags: ['tenants', 'inbound-email'],
        summary: 'Replace the addresses a tenant receives e-mail at (platform admin); {"addresses": []} stops it',
        description:
          'Each address names the object new messages become records of and the user who owns them. ' +
          'An address another tenant receives at answers 409; a bad entry 400 naming it (`addresses.0.owner`).',
        security: platformSecurity,
        params: tenantParams,
        body: settingsSchema,
        response: { 200: settingsSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => settingsOut(await app.runtime.inboundMail.putSettings(request.params.id, request.body)),
  );

  const recordParams = {
    type: 'object',
    required: ['object', 'id'],
    properties: { object: name, id: uuidParam },
  } as const;

  app.get(
    '/api/records/:object/:id/reply',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records', 'inbound-email'],
        summary: 'Whether a reply by e-mail from this record would be accepted, and to whom',
        description:
          'For screens that offer a reply box: `receives` is false for objects no inbound address ' +
          'receives, `allowed` false without the record’s update scope, `to` null when the record has ' +
          'no customer address. A record outside the read scope answers 404.',
        security: bearer,
        params: recordParams,
        response: {
          200: {
            type: 'object',
            required: ['receives', 'allowed', 'to', 'subject'],
            properties: {
              receives: { type: 'boolean' },
              allowed: { type: 'boolean' },
              to: { type: ['string', 'null'] },
              subject: { type: ['string', 'null'] },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { object, id } = request.params;
      return { ...(await app.runtime.inboundMail.replyTarget(request.ctx, object, id)) };
    },
  );

  app.post(
    '/api/records/:object/:id/reply',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['records', 'inbound-email'],
        summary: 'Reply to the customer of a record received by e-mail (a case)',
        description:
          'Queues an e-mail in the outbox to the last person who wrote in about the record (else its ' +
          'contact), with the record’s number in the subject and In-Reply-To/References of the ' +
          'conversation, so the answer threads back to the same record. Needs the record’s update ' +
          'scope (403); a record outside the read scope answers 404; an object no inbound address ' +
          'receives, or a record without a customer address, 400.',
        security: bearer,
        params: recordParams,
        body: {
          type: 'object',
          required: ['body'],
          additionalProperties: false,
          properties: { body: { type: 'string', maxLength: 20_000, description: 'The text of the reply' } },
        },
        response: {
          201: {
            type: 'object',
            required: ['id', 'to', 'subject', 'messageId'],
            properties: {
              id: { type: 'string', description: 'The outbox e-mail' },
              to: { type: 'string' },
              subject: { type: 'string' },
              messageId: { type: 'string' },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { object, id } = request.params;
      const sent = await app.runtime.inboundMail.reply(request.ctx, object, id, request.body);
      return reply.status(201).send({ ...sent });
    },
  );
}
