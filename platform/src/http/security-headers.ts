import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

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

/**
 * Security headers on every answer (@fastify/helmet): a Content-Security-Policy (the web app's on
 * its pages, a closed one on `/api/…`), frames refused (`frame-ancestors 'none'` and
 * `X-Frame-Options: DENY` against clickjacking), no Referer leaving the app, nosniff. Behind an
 * https PUBLIC_URL the browser is also told to stay on https (HSTS, upgrade-insecure-requests);
 * over plain http those would break a local or intranet install. Register before any route.
 */
export async function securityHeaders(app: FastifyInstance, publicUrl: string): Promise<void> {
  const https = publicUrl.startsWith('https:');
  const policy = (directives: Directives) => ({
    useDefaults: false,
    directives: { ...directives, ...(https ? { upgradeInsecureRequests: [] } : {}) },
  });
  // Routes outside /api/ serve the web app (its files and its client-side routes): they get its policy.
  // Public web form pages (/f/…) are made to be embedded in other sites' iframes (docs/public-forms.md):
  // any site may frame them; they hold no session and no data but the form's own fields.
  app.addHook('onRoute', (route) => {
    const r = route as typeof route & { helmet?: unknown };
    if (r.helmet !== undefined || route.url.startsWith('/api/')) return;
    r.helmet = route.url.startsWith(EMBEDDABLE_PREFIX)
      ? { contentSecurityPolicy: policy({ ...APP, frameAncestors: ['*'] }), frameguard: false }
      : { contentSecurityPolicy: policy(APP) };
  });
  await app.register(helmet, {
    contentSecurityPolicy: policy(API),
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
  });
}
