import { unauthenticated } from '@forma/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fileNameQuery, uploadOf } from '../http/file-upload';
import { errors, noContent, uuidParam } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

/**
 * The customer portal's cookie. Its path keeps it off every staff route, and staff routes would not
 * know its token anyway: portal sessions live in their own table (docs/portal.md).
 */
export const PORTAL_COOKIE = 'forma_portal';
const COOKIE_PATH = '/api/portal/';

const tenantParam = { type: 'string', minLength: 1, maxLength: 64 } as const;
const tenantParams = {
  type: 'object',
  required: ['tenant'],
  properties: { tenant: tenantParam },
} as const;
const caseParams = {
  type: 'object',
  required: ['tenant', 'id'],
  properties: { tenant: tenantParam, id: uuidParam },
} as const;
const listParams = {
  type: 'object',
  required: ['tenant', 'object'],
  properties: { tenant: tenantParam, object: { type: 'string', minLength: 1, maxLength: 63 } },
} as const;
const recordParams = {
  type: 'object',
  required: ['tenant', 'object', 'id'],
  properties: { tenant: tenantParam, object: { type: 'string', minLength: 1, maxLength: 63 }, id: uuidParam },
} as const;
const fileParams = {
  type: 'object',
  required: ['tenant', 'id', 'file'],
  properties: { tenant: tenantParam, id: uuidParam, file: uuidParam },
} as const;

const anyRecord = { type: 'object', additionalProperties: true } as const;
const portalObject = { type: 'object', additionalProperties: true } as const;
const meOut = {
  type: 'object',
  properties: {
    contact: {
      type: 'object',
      properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } },
    },
    account: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    lists: { type: 'array', items: portalObject },
    cases: { anyOf: [portalObject, { type: 'null' }] },
    comments: { anyOf: [portalObject, { type: 'null' }] },
  },
} as const;
const commentOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    body: { type: 'string' },
    createdAt: { type: 'string' },
    mine: { type: 'boolean' },
    author: { type: ['string', 'null'] },
  },
} as const;
const fileOut = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    size: { type: 'integer' },
    contentType: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;
const portalAuth = [{ portalCookie: [] }];

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  return request.cookies?.[PORTAL_COOKIE];
}

/**
 * The customer portal (docs/portal.md): `/api/portal/:tenant/…`. Sign-in by e-mailed link; every
 * other route needs a portal session of that tenant (cookie, or `Authorization: Bearer` for API
 * clients) and answers through `runtime.portal`, which acts with the tenant's portal role.
 */
export async function portalRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['portal'];
  const portal = () => app.runtime.portal;

  const requirePortal = async (request: FastifyRequest) => {
    const token = tokenOf(request);
    const tenant = (request.params as { tenant?: string }).tenant ?? '';
    if (!token) throw unauthenticated('Sign in to the customer portal');
    const ctx = await portal().authenticate(tenant, token, request.id);
    if (!ctx) throw unauthenticated('Portal session expired or invalid');
    request.ctx = ctx;
  };

  const setCookie = (request: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(PORTAL_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https' || app.runtime.config.publicUrl.startsWith('https:'),
      path: COOKIE_PATH,
      maxAge: app.runtime.config.portal.sessionTtlHours * 3600,
    });

  app.post(
    '/api/portal/:tenant/login',
    {
      schema: {
        tags,
        summary: 'Ask for a sign-in link by e-mail (always 202: whether the address may sign in is not told)',
        params: tenantParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email'],
          properties: { email: { type: 'string', minLength: 1, maxLength: 320 } },
        },
        response: {
          202: { type: 'object', properties: { message: { type: 'string' } } },
          ...errors(400, 429),
        },
      },
    },
    async (request, reply) => {
      await portal().requestLink({ tenant: request.params.tenant, email: request.body.email, ip: request.ip });
      return reply.status(202).send({ message: 'If this address may use the portal, a sign-in link is on its way' });
    },
  );

  app.post(
    '/api/portal/:tenant/session',
    {
      schema: {
        tags,
        summary: "Spend a sign-in link's token: opens a portal session (cookie, and the token for API clients)",
        params: tenantParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['token'],
          properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: {
          200: { type: 'object', properties: { token: { type: 'string' }, me: meOut } },
          ...errors(400, 401),
        },
      },
    },
    async (request, reply) => {
      const { token, me } = await portal().redeem({
        tenant: request.params.tenant,
        token: request.body.token,
        ip: request.ip,
      });
      setCookie(request, reply, token);
      return { token, me } as never;
    },
  );

  app.post(
    '/api/portal/:tenant/logout',
    { schema: { tags, summary: 'End the portal session', params: tenantParams, response: noContent } },
    async (request, reply) => {
      const token = tokenOf(request);
      if (token) await portal().logout(token);
      reply.clearCookie(PORTAL_COOKIE, { path: COOKIE_PATH });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/portal/:tenant/me',
    {
      preHandler: requirePortal,
      schema: {
        tags,
        summary: 'The signed-in contact, their account, and the lists and fields the portal shows',
        security: portalAuth,
        params: tenantParams,
        response: { 200: meOut, ...errors(401) },
      },
    },
    async (request) => (await portal().me(request.ctx)) as never,
  );

  app.get(
    '/api/portal/:tenant/lists/:object',
    {
      preHandler: requirePortal,
      schema: {
        tags,
        summary: "A page of one of the portal's lists (the account's records), newest first",
        security: portalAuth,
        params: listParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cursor: { type: 'string', maxLength: 2000 },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: anyRecord }, nextCursor: { type: ['string', 'null'] } },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const page = await portal().list(request.ctx, request.params.object, request.query);
      return { items: page.items, nextCursor: page.nextCursor } as never;
    },
  );

  app.get(
    '/api/portal/:tenant/lists/:object/:id',
    {
      preHandler: requirePortal,
      schema: {
        tags,
        summary: "One record of a portal list (404 outside the contact's account)",
        security: portalAuth,
        params: recordParams,
        response: { 200: anyRecord, ...errors(400, 401, 404) },
      },
    },
    async (request) => (await portal().get(request.ctx, request.params.object, request.params.id)) as never,
  );

  app.post(
    '/api/portal/:tenant/cases',
    {
      preHandler: requirePortal,
      schema: {
        tags,
        summary: 'Open a case: account and contact come from the session, whatever the body says',
        security: portalAuth,
        params: tenantParams,
        body: { type: 'object', additionalProperties: true, maxProperties: 50 },
        response: { 201: anyRecord, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send((await portal().openCase(request.ctx, request.body)) as never),
  );

  app.get(
    '/api/portal/:tenant/cases/:id',
    {
      preHandler: requirePortal,
      schema: {
        tags,
        summary: 'A case with its conversation and files',
        security: portalAuth,
        params: caseParams,
        response: {
          200: {
            type: 'object',
            properties: {
              record: anyRecord,
              comments: { type: 'array', items: commentOut },
              files: { type: 'array', items: fileOut },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => (await portal().getCase(request.ctx, request.params.id)) as never,
  );

  app.post(
    '/api/portal/:tenant/cases/:id/comments',
    {
      preHandler: requirePortal,
      schema: {
        tags,
        summary: 'Add a comment to a case',
        security: portalAuth,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['body'],
          properties: { body: { type: 'string', minLength: 1, maxLength: 4000 } },
        },
        response: { 201: commentOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply.status(201).send((await portal().addComment(request.ctx, request.params.id, request.body.body)) as never),
  );

  app.get(
    '/api/portal/:tenant/cases/:id/files/:file',
    {
      preHandler: requirePortal,
      schema: {
        tags,
        summary: "Download a case's file (as an attachment)",
        security: portalAuth,
        params: fileParams,
        response: { 200: { type: 'string', format: 'binary' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { meta, data } = await portal().download(request.ctx, request.params.id, request.params.file);
      // An attachment with nosniff, as for staff: an uploaded HTML file never runs in our origin.
      return reply
        .header('content-type', meta.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(meta.name)}`)
        .send(data as never);
    },
  );

  // Uploads are the raw bytes with ?name=, in a scope of their own so only this route takes any body type.
  await app.register(async (scope) => {
    const files = scope.withTypeProvider<TypeProvider>();
    const maxBytes = app.runtime.files.maxBytes;
    files.removeAllContentTypeParsers();
    files.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));
    files.post(
      '/api/portal/:tenant/cases/:id/files',
      {
        preHandler: requirePortal,
        bodyLimit: maxBytes,
        schema: {
          tags,
          summary: 'Attach a file to a case: the body is its bytes, ?name= its file name',
          security: portalAuth,
          params: caseParams,
          querystring: fileNameQuery,
          response: { 201: fileOut, ...errors(400, 401, 403, 404, 413) },
        },
      },
      async (request, reply) => {
        const meta = await portal().upload(request.ctx, request.params.id, uploadOf(request));
        return reply.status(201).send(meta as never);
      },
    );
  });
}
