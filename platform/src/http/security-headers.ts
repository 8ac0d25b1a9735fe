import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

type Directives = Record<string, string[]>;

/**
 * The web app's policy: its scripts, styles, fonts and images come from this origin. `'unsafe-eval'`
 * because the record forms validate with ajv (through @rjsf/validator-ajv8), which compiles each
 * object's JSON Schema to a function at run time; inline scripts stay refused, which is what stops
 * injected markup from running. Inline styles are allowed: the UI's primitives (Radix, CodeMirror,
 * React Flow) set them at run time.
 */
const APP: Directives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'unsafe-eval'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Web app pages other sites may frame: public web forms. */
export const EMBEDDABLE_PREFIX = '/f/';

/** API answers are data, never documents: nothing may load or run in one, even a file opened inline. */
const API: Directives = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

type Headers = ReadonlyArray<readonly [string, string]>;

/**
 * The headers one helmet configuration sets, worked out once. @fastify/helmet built a new helmet
 * middleware for every request (its directives parsed each time: ~3 % of a read's CPU, issue 27);
 * the headers of a configuration never change, so each answer now just gets the list.
 */
function headersOf(options: HelmetOptions): Headers {
  const headers: Array<[string, string]> = [];
  const res = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    // Helmet drops X-Powered-By, which Node never sets.
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The security headers of this route's answers (securityHeaders). */
    securityHeaders?: Headers;
  }
}

/**
 * Security headers on every answer (helmet's): a Content-Security-Policy (the web app's on
 * its pages, a closed one on `/api/…`), frames refused (`frame-ancestors 'none'` and
 * `X-Frame-Options: DENY` against clickjacking), no Referer leaving the app, nosniff. Behind an
 * https PUBLIC_URL the browser is also told to stay on https (HSTS, upgrade-insecure-requests);
 * over plain http those would break a local or intranet install. Register before any route.
 *
 * Returns what sets them on a request's raw response: app.ts calls it first in the one onRequest
 * hook every request runs (issue 27: each hook is a step of fastify's hook runner per request), so
 * every answer (an error, a 404, a stream) carries them.
 */
export function securityHeaders(
  app: FastifyInstance,
  publicUrl: string,
): (res: ServerResponse, config: FastifyContextConfig | undefined) => void {
  const https = publicUrl.startsWith('https:');
  const policy = (directives: Directives) => ({
    useDefaults: false,
    directives: { ...directives, ...(https ? { upgradeInsecureRequests: [] } : {}) },
  });
  const common: HelmetOptions = {
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
  };
  const api = headersOf({ ...common, contentSecurityPolicy: policy(API) });
  const page = headersOf({ ...common, contentSecurityPolicy: policy(APP) });
  const embeddable = headersOf({
    ...common,
    contentSecurityPolicy: policy({ ...APP, frameAncestors: ['*'] }),
    frameguard: false,
  });
  // Routes outside /api/ serve the web app (its files and its client-side routes): they get its policy.
  // Public web form pages (/f/…) are made to be embedded in other sites' iframes (docs/public-forms.md):
  // any site may frame them; they hold no session and no data but the form's own fields.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/')) return;
    route.config = {
      ...(route.config ?? {}),
      securityHeaders: route.url.startsWith(EMBEDDABLE_PREFIX) ? embeddable : page,
    } as typeof route.config;
  });
  // Answers without a route of their own (404s) get the closed API policy.
  return (res, config) => {
    const headers = config?.securityHeaders ?? api;
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
