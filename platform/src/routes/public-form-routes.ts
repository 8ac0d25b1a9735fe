import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type AppError, badRequest, isAppError, type WebFormLocale } from '@forma/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../http/schemas';
import type { TypeProvider } from '../http/type-provider';

const anyObject = { type: 'object', additionalProperties: true } as const;

const params = {
  type: 'object',
  required: ['tenant', 'form'],
  properties: {
    tenant: { type: 'string', minLength: 1, maxLength: 64 },
    form: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

const langQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lang: { type: 'string', maxLength: 20, description: 'en (default) or zh-CN' },
  },
} as const;

const URLENCODED = 'application/x-www-form-urlencoded';

/** `zh`, `zh-CN`, `zh-Hans…` → Chinese; anything else English (the two languages of the web app). */
function localeOf(lang: string | undefined, acceptLanguage: string | undefined): WebFormLocale {
  const wanted = lang ?? acceptLanguage?.split(',')[0]?.trim() ?? 'en';
  return wanted.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * A urlencoded body as an object: repeated keys become arrays (a multi-select's checkboxes). Keys
 * seen once stay strings; the web-forms service reads them as its fields' types say.
 */
function parseUrlencoded(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const cur = out[key];
    if (cur === undefined) out[key] = value;
    else out[key] = Array.isArray(cur) ? [...cur, value] : [cur, value];
  }
  return out;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small page for browsers that posted a plain HTML form (no JavaScript): no script, no style. */
function page(lang: WebFormLocale, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

const TEXT = {
  en: {
    thanks: 'Thank you',
    problem: 'Your message was not sent',
    back: "Use your browser's back button to correct it.",
  },
  'zh-CN': { thanks: '谢谢', problem: '您的信息未能提交', back: '请使用浏览器的返回按钮返回修改。' },
} as const;

function errorPage(lang: WebFormLocale, err: AppError): string {
  const t = TEXT[lang];
  const items = Object.entries(err.fields ?? {})
    .map(([k, v]) => `<li>${escapeHtml(k)}: ${escapeHtml(v)}</li>`)
    .join('');
  return page(
    lang,
    t.problem,
    `<h1>${t.problem}</h1><p>${escapeHtml(err.message)}</p>${items ? `<ul>${items}</ul>` : ''}<p>${t.back}</p>`,
  );
}

/**
 * `/api/public/forms/*`: public web forms (docs/public-forms.md). No session: anyone may read a
 * published form and post to it, from this server's page, an iframe, or a plain HTML form on another
 * site. Abuse limits (rate limits, honeypot, proof of work, body size, only exposed fields) are the
 * web-forms service's and this group's body limit.
 */
export async function publicFormRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeProvider>();
  const tags = ['public forms'];
  const bodyLimit = app.runtime.config.webForms.maxBodyBytes;

  // Only inside this group: a plain HTML form posts urlencoded.
  app.addContentTypeParser(URLENCODED, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseUrlencoded(String(body)));
    } catch {
      done(badRequest('Malformed form body'), undefined);
    }
  });

  app.get(
    '/api/public/forms/widget.js',
    {
      schema: {
        tags,
        summary: 'The ALTCHA widget script, for plain HTML forms on other sites (no sign-in)',
        description:
          "The `altcha` package's self-contained build (its solver workers inline, English and Chinese texts) " +
          'served by Forma, so a form with proof of work on needs nothing from anyone else: ' +
          '`<script type="module" src=".../api/public/forms/widget.js">` and ' +
          '`<altcha-widget challenge=".../api/public/forms/:tenant/:form/challenge">` inside the form.',
      },
    },
    async (_request, reply) =>
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .header('access-control-allow-origin', '*')
        // Loaded by other sites' pages: helmet's same-origin default would block it there.
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(widgetScript()),
  );

  app.get(
    '/api/public/forms/:tenant/:form',
    {
      schema: {
        tags,
        summary: 'A public web form to render: its exposed fields and labels in one language (no sign-in)',
        params,
        querystring: langQuery,
        response: { 200: anyObject, ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const { tenant, form } = request.params;
      const view = await app.runtime.webForms.view(
        tenant,
        form,
        localeOf(request.query.lang, request.headers['accept-language']),
      );
      return { ...view };
    },
  );

  app.get(
    '/api/public/forms/:tenant/:form/challenge',
    {
      schema: {
        tags,
        summary: "A fresh ALTCHA proof-of-work challenge for the form (the widget's challenge URL; no sign-in)",
        description: 'At most five per submission an address may make per hour (429 with Retry-After past that).',
        params,
        response: { 200: anyObject, ...errors(400, 404, 429) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      // An ALTCHA widget on the customer's own site fetches it from there; it is public and uncredentialed.
      reply.header('access-control-allow-origin', '*');
      return { ...(await app.runtime.webForms.challenge(request.params.tenant, request.params.form, request.ip)) };
    },
  );

  app.post(
    '/api/public/forms/:tenant/:form',
    {
      bodyLimit,
      // Another site's page may post here: no session is used, so there is nothing to forge.
      config: { crossSite: true } as Record<string, unknown>,
      schema: {
        tags,
        summary: 'Submit a public web form (JSON, or urlencoded from a plain HTML form; no sign-in)',
        description:
          'Only the fields the form exposes are accepted (any other name: 400 naming it), plus `altcha` (the solved ' +
          'proof of work) and the honeypot field, which must stay empty. JSON answers `{ok, thankYou, redirectUrl?}`; ' +
          'a urlencoded post is answered with 303 to the redirect URL or a thank-you page, and refusals as a page. ' +
          'Too many submissions from an address or to the form: 429 with Retry-After.',
        params,
        querystring: langQuery,
        consumes: ['application/json', URLENCODED],
        body: { type: 'object', maxProperties: 100, additionalProperties: true },
        response: {
          200: {
            type: 'object',
            properties: { ok: { type: 'boolean' }, thankYou: { type: 'string' }, redirectUrl: { type: 'string' } },
          },
          303: { type: 'null', description: 'To the form’s redirect URL (plain HTML posts)' },
          ...errors(400, 404, 409, 413, 429),
        },
      },
    },
    async (
      request: FastifyRequest<{ Params: { tenant: string; form: string }; Querystring: { lang?: string } }>,
      reply: FastifyReply,
    ) => {
      const locale = localeOf(request.query.lang, request.headers['accept-language']);
      const html = (request.headers['content-type'] ?? '').startsWith(URLENCODED);
      const { tenant, form } = request.params;
      try {
        const outcome = await app.runtime.webForms.submit(tenant, form, {
          body: request.body as Record<string, unknown>,
          ip: request.ip,
          locale,
        });
        if (!html)
          return {
            ok: true,
            thankYou: outcome.thankYou,
            ...(outcome.redirectUrl ? { redirectUrl: outcome.redirectUrl } : {}),
          };
        if (outcome.redirectUrl) return reply.redirect(outcome.redirectUrl, 303);
        return reply
          .type('text/html; charset=utf-8')
          .send(
            page(locale, TEXT[locale].thanks, `<h1>${TEXT[locale].thanks}</h1><p>${escapeHtml(outcome.thankYou)}</p>`),
          );
      } catch (err) {
        // A person who posted a plain page reads the refusal as a page (with its Retry-After, if any).
        if (!html || !isAppError(err)) throw err;
        for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
        return reply.status(err.status).type('text/html; charset=utf-8').send(errorPage(locale, err));
      }
    },
  );
}

let widget: Buffer | undefined;

/** Read once: ~150 KB the server keeps rather than reading per request. */
function widgetScript(): Buffer {
  if (!widget) {
    const main = createRequire(import.meta.url).resolve('altcha');
    widget = readFileSync(path.join(path.dirname(main), 'altcha.i18n.min.js'));
  }
  return widget;
}
