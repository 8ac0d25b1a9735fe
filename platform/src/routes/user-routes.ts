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
    service: { type: 'boolean' },
    locale: { type: ['string', 'null'] },
    last_login_at: { type: ['string', 'null'], format: 'date-time' },
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

  // The designer's users screen (docs/designer.md, "Users"): invitations, password resets,
  // sessions and imports. Admins only; the runtime checks again.
  const invited = {
    type: 'object',
    properties: {
      user: userOut,
      delivery: { type: 'string', enum: ['email', 'password'] },
      oneTimePassword: { type: 'string' },
    },
  } as const;
  const delivery = { type: 'string', enum: ['email', 'password'] } as const;

  app.get(
    '/api/users/settings',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: 'How new users are invited: by e-mail (SMTP is set up) or with a one-time password',
        security: bearer,
        response: {
          200: { type: 'object', properties: { emailInvitations: { type: 'boolean' } } },
          ...errors(401, 403),
        },
      },
    },
    async (request) => app.runtime.userAdmin.settings(request.ctx),
  );

  app.post(
    '/api/users/invite',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary:
          'Invite a user (tenant admin): an e-mailed link to choose a password when e-mail is set up, else a one-time password in the answer (shown once)',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'name'],
          properties: {
            email: { type: 'string', maxLength: 320 },
            name: { type: 'string', maxLength: 200 },
            roles,
            manager,
            locale: { type: ['string', 'null'], maxLength: 20 },
            delivery,
          },
        },
        response: { 201: invited, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await app.runtime.userAdmin.invite(request.ctx, request.body)),
  );

  app.post(
    '/api/users/import',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary:
          'Create many users at once (tenant admin): all or none; any row error answers 400 with details.rows [{row, errors}]',
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['users'],
          properties: {
            users: {
              type: 'array',
              maxItems: 1000,
              items: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  email: { type: 'string', maxLength: 400 },
                  name: { type: 'string', maxLength: 400 },
                  roles: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 100 } },
                  manager: { type: ['string', 'null'], maxLength: 400 },
                },
              },
            },
            delivery,
          },
        },
        response: {
          201: { type: 'object', properties: { created: { type: 'array', items: invited } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await app.runtime.userAdmin.importUsers(request.ctx, request.body.users, request.body.delivery)),
  );

  app.post(
    '/api/users/:id/reset-password',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: 'Give a user a new one-time password (shown once); their sessions end',
        security: bearer,
        params: idParams,
        response: {
          200: { type: 'object', properties: { oneTimePassword: { type: 'string' } } },
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => app.runtime.userAdmin.resetPassword(request.ctx, request.params.id),
  );

  app.get(
    '/api/users/:id/sessions',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: "A user's open sessions (tenant admin)",
        security: bearer,
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    created_at: { type: 'string', format: 'date-time' },
                    expires_at: { type: 'string', format: 'date-time' },
                    ip: { type: ['string', 'null'] },
                    user_agent: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => ({ items: await app.runtime.userAdmin.sessions(request.ctx, request.params.id) }),
  );

  const ended = { 200: { type: 'object', properties: { ended: { type: 'integer' } } } } as const;
  app.delete(
    '/api/users/:id/sessions',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: "End all of a user's sessions (tenant admin)",
        security: bearer,
        params: idParams,
        response: { ...ended, ...errors(401, 403, 404) },
      },
    },
    async (request) => app.runtime.userAdmin.endSessions(request.ctx, request.params.id),
  );

  app.delete(
    '/api/users/:id/sessions/:session',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['users'],
        summary: 'End one session of a user (tenant admin)',
        security: bearer,
        params: {
          type: 'object',
          required: ['id', 'session'],
          properties: { id: { type: 'string', maxLength: 64 }, session: { type: 'string', maxLength: 64 } },
        },
        response: { ...ended, ...errors(401, 403, 404) },
      },
    },
    async (request) => app.runtime.userAdmin.endSessions(request.ctx, request.params.id, request.params.session),
  );

  app.post(
    '/api/auth/invitation',
    {
      schema: {
        tags: ['auth'],
        summary: "Accept an invitation: the e-mailed link's token and the password the new user chose",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['token', 'password'],
          properties: { token: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 200 } },
        },
        response: {
          200: { type: 'object', properties: { tenant: { type: 'string' }, email: { type: 'string' } } },
          ...errors(400, 401),
        },
      },
    },
    async (request) =>
      app.runtime.userAdmin.acceptInvitation(app.runtime.db, request.body.token, request.body.password),
  );
}
