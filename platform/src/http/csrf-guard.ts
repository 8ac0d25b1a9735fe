import { forbidden } from '@forma/runtime';
import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './auth';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery: a page on another site can make the browser send a form (text/plain,
 * urlencoded, multipart) with the session cookie, without reading the answer. Every state-changing
 * request that a browser could send that way must show it comes from our own pages:
 *
 * - with `Authorization: Bearer …` it is an API client's (another site cannot set that header without
 *   a CORS preflight, which this server never grants): allowed;
 * - `Sec-Fetch-Site` (every current browser sends it) must be `same-origin`;
 * - without it, `Origin` must be this server's own origin or `PUBLIC_URL`'s;
 * - with neither, only a request without the session cookie passes (a script or CLI without a
 *   session has nothing to forge; a browser always sends one of the two on a POST).
 *
 * So a cross-site login post is refused too (it would sign the victim in to the attacker's account).
 */
export function csrfGuard(publicUrl: string) {
  const publicOrigin = originOf(publicUrl);
  const check = (request: FastifyRequest, config: FastifyContextConfig | undefined): void => {
    // Public routes that use no session (web forms posted from other sites) opt out: nothing to forge.
    if (config?.crossSite) return;
    if (request.headers.authorization) return;
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined) {
      if (site === 'same-origin') return;
      throw refused();
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (origin === `${request.protocol}://${request.host}` || (publicOrigin && origin === publicOrigin)) return;
      throw refused();
    }
    if (request.cookies?.[SESSION_COOKIE]) throw refused();
  };
  /**
   * The request's refusal, or undefined. Called from the one onRequest hook of app.ts (after the
   * cookies are read): reads (most requests) pass without a look at anything (issue 27).
   */
  return (request: FastifyRequest, config: FastifyContextConfig | undefined): Error | undefined => {
    if (SAFE_METHODS.has(request.method)) return undefined;
    try {
      check(request, config);
      return undefined;
    } catch (e) {
      return e as Error;
    }
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A public route that uses no session (web forms posted from other sites): not guarded. */
    crossSite?: boolean;
  }
}

function refused() {
  return forbidden('Cross-site request refused: send it from the Forma web app, or with a bearer token');
}

function originOf(url: string): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}
