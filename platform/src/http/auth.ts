import { timingSafeEqual, createHash } from 'node:crypto';
import { type Ctx, forbidden, isApiKey, type Runtime, unauthenticated } from '@forma/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export const SESSION_COOKIE = 'forma_session';

/** What a read-only API key may send. */
const READ_METHODS = new Set(['GET', 'HEAD']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireUser`: the signed-in user's runtime context. */
    ctx: Ctx;
  }
  interface FastifyInstance {
    runtime: Runtime;
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    requireUser(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): Promise<void> | undefined;
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    requirePlatform(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/** The session token from `Authorization: Bearer …`, or the web app's httpOnly cookie. */
export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m?.[1];
  }
  return request.cookies?.[SESSION_COOKIE];
}

function sameSecret(a: string, b: string): boolean {
  // Hashing first makes the comparison constant-time regardless of length.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export const authPlugin = fp(
  async (app: FastifyInstance, opts: { runtime: Runtime; platformToken: string }) => {
    app.decorate('runtime', opts.runtime);
    app.decorateRequest('ctx', null as unknown as Ctx);

    /** `requireUser` past the session cache: API keys and sessions this process has not seen lately. */
    const lookUp = async (request: FastifyRequest, token: string): Promise<void> => {
      if (isApiKey(token)) {
        // An integration's API key (docs/api-keys.md): its service account acts, like a signed-in user.
        const key = await opts.runtime.apiKeys.authenticate(token, request.id);
        if (!key) throw unauthenticated('API key unknown or revoked');
        if (key.readOnly && !READ_METHODS.has(request.method)) throw forbidden('This API key may only read');
        request.ctx = key.ctx;
        return;
      }
      const ctx = await opts.runtime.auth.authenticate(token, request.id);
      if (!ctx) throw unauthenticated('Session expired or invalid');
      request.ctx = ctx;
    };

    /**
     * As a route's preHandler (fastify passes `done`), a session in this process's cache is checked
     * without a promise (issue 27: an async hook is a promise, its ticks and their async hooks per
     * request); anything else (an API key, a session not cached here, no token) goes the async way,
     * whose promise fastify awaits. Called directly (`await app.requireUser(request, reply)`), it
     * always answers a promise.
     */
    function requireUser(request: FastifyRequest, _reply: FastifyReply): Promise<void>;
    function requireUser(
      request: FastifyRequest,
      _reply: FastifyReply,
      done: (err?: Error) => void,
    ): Promise<void> | undefined;
    function requireUser(
      request: FastifyRequest,
      _reply: FastifyReply,
      done?: (err?: Error) => void,
    ): Promise<void> | undefined {
      const token = tokenOf(request);
      if (!token) return Promise.reject(unauthenticated());
      const ctx = isApiKey(token) ? undefined : opts.runtime.auth.authenticateCached(token, request.id);
      if (!ctx) return lookUp(request, token);
      request.ctx = ctx;
      if (!done) return Promise.resolve();
      done();
      return undefined;
    }
    app.decorate('requireUser', requireUser);

    app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
      await app.requireUser(request, reply);
      if (!request.ctx.isAdmin) throw forbidden('Tenant admins only');
    });

    app.decorate('requirePlatform', async (request: FastifyRequest) => {
      const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!m?.[1]) throw unauthenticated('Platform token required');
      const valid = sameSecret(m[1], opts.platformToken);
      await opts.runtime.auth.platformAttempt(request.ip, valid);
      if (!valid) throw unauthenticated('Invalid platform token');
    });
  },
  { name: 'forma-auth' },
);
