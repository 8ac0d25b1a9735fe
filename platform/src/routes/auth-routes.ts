import type { TypeProvider } from '../http/type-provider';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, tokenOf } from '../http/auth';
import { bearer, errors, noContent } from '../http/schemas';

export const sessionUserSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    manager: { type: ['string', 'null'] },
    locale: { type: ['string', 'null'] },
  },
} as const;

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token (and sets an httpOnly cookie for the web app)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['tenant', 'email', 'password'],
          properties: {
            tenant: { type: 'string', maxLength: 64 },
            email: { type: 'string', maxLength: 320 },
            password: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { token: { type: 'string' }, tenant: { type: 'string' }, user: sessionUserSchema },
          },
          ...errors(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await app.runtime.auth.login({
        ...request.body,
        ip: request.ip,
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
      });
      reply.setCookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'strict',
        // Behind a TLS-terminating proxy the request may arrive as http: PUBLIC_URL says what users see.
        secure: request.protocol === 'https' || app.runtime.config.publicUrl.startsWith('https:'),
        path: '/',
        maxAge: app.runtime.config.sessionTtlHours * 3600,
      });
      return result;
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'End the current session', security: bearer, response: noContent } },
    async (request, reply) => {
      const token = tokenOf(request);
      if (token) await app.runtime.auth.logout(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        security: bearer,
        response: {
          200: {
            type: 'object',
            properties: { tenant: { type: 'string' }, user: sessionUserSchema, isAdmin: { type: 'boolean' } },
          },
          ...errors(401),
        },
      },
    },
    async (request) => ({ tenant: request.ctx.tenant, user: request.ctx.user, isAdmin: request.ctx.isAdmin }),
  );

  app.patch(
    '/api/auth/me',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['auth'],
        summary:
          "The signed-in user's own preferences: `locale` (e.g. zh-CN, or null for the browser's) is the language of their notifications and e-mails",
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['locale'],
          properties: { locale: { type: ['string', 'null'], maxLength: 20 } },
        },
        response: { 200: { type: 'object', properties: { user: sessionUserSchema } }, ...errors(400, 401) },
      },
    },
    async (request) => ({ user: await app.runtime.users.setOwnLocale(request.ctx, request.body.locale) }),
  );
}
