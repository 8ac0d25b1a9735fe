import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { Runtime } from '@forma/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { authPlugin } from './http/auth';
import { csrfGuard } from './http/csrf-guard';
import { installErrorHandling, noRouteBody } from './http/error-handler';
import { installDbAdmission } from './http/db-admission';
import { installBodyTimeout } from './http/body-timeout';
import { AccessLog, loggerOptions } from './http/log-redaction';
import { EMBEDDABLE_PREFIX, securityHeaders } from './http/security-headers';
import { setWebCacheHeaders } from './http/web-cache-headers';
import { installValidators, lazySerializers } from './http/validator-compiler';
import { authRoutes } from './routes/auth-routes';
import { healthRoutes } from './routes/health-routes';
import { tenantRoutes } from './routes/tenant-routes';
import { userRoutes } from './routes/user-routes';
import { metaRoutes } from './routes/meta-routes';
import { templateRoutes } from './routes/template-routes';
import { scriptRoutes } from './routes/script-routes';
import { recordRoutes } from './routes/record-routes';
import { timelineSearchRoutes } from './routes/timeline-search-routes';
import { recordIoRoutes } from './routes/record-io-routes';
import { pluginRoutes } from './routes/plugin-routes';
import type { PluginManager } from './plugins/plugin-manager';
import { shareRoutes } from './routes/share-routes';
import { permissionRoutes } from './routes/permission-routes';
import { approvalRoutes } from './routes/approval-routes';
import { notificationRoutes } from './routes/notification-routes';
import { automationRoutes } from './routes/automation-routes';
import { documentImageRoutes } from './routes/document-image-routes';
import { documentRoutes } from './routes/document-routes';
import { fileRoutes } from './routes/file-routes';
import { wordTemplateRoutes } from './routes/word-template-routes';
import { reportRoutes } from './routes/report-routes';
import { segmentRoutes } from './routes/segment-routes';
import { mailMergeRoutes } from './routes/mail-merge-routes';
import { workflowSimulateRoutes } from './routes/workflow-simulate-routes';
import { workflowNodeTypeRoutes } from './routes/workflow-node-type-routes';
import { integrationRoutes } from './routes/integration-routes';
import { inboundMailRoutes } from './routes/inbound-mail-routes';
import { publicSurveyRoutes } from './routes/public-survey-routes';
import { publicFormRoutes } from './routes/public-form-routes';
import { portalRoutes } from './routes/portal-routes';

export interface AppOptions {
  runtime: Runtime;
  platformToken: string;
  bodyLimit?: number;
  logLevel?: string;
  /** Shared with the runtime so both log through one pino instance; else one is made from logLevel. */
  logger?: FastifyBaseLogger;
  /** Where the logger made from logLevel writes (default: stdout). */
  logStream?: NodeJS.WritableStream;
  /** Built web app to serve at `/` (skipped when the directory does not exist). */
  webDir?: string;
  /** Route groups contributed by later capabilities and plugins, registered after the core ones. */
  extraRoutes?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Loaded plugins: `GET /api/plugins` and their routes under `/api/plugins/<name>`. */
  plugins?: PluginManager;
  /** Client addresses from `X-Forwarded-For` (behind a reverse proxy); default: `TRUST_PROXY=1`. */
  trustProxy?: boolean;
  /**
   * Compile each route's validators and response serializers at its first use instead of at
   * start-up (test servers; validator-compiler.ts). A production server compiles them all up front,
   * so a broken schema stops it from starting (tests/security/openapi-probe.test.ts starts so).
   */
  lazySchemas?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger
      ? { loggerInstance: opts.logger }
      : { logger: { ...loggerOptions(opts.logLevel), ...(opts.logStream ? { stream: opts.logStream } : {}) } }),
    // One access line per request, when it is answered (log-redaction.ts).
    logController: new AccessLog(),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // A caller's x-request-id is kept (so logs line up across services) when it looks sane.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: opts.trustProxy ?? process.env.TRUST_PROXY === '1',
    routerOptions: { maxParamLength: 200 },
    ...(opts.lazySchemas ? { schemaController: lazySerializers() } : {}),
  });
  installValidators(app, { lazy: opts.lazySchemas });
  installErrorHandling(app);
  // Cookies are read in the onRequest hook below (`hook: false`: not in a hook of their own);
  // setting them on a reply is unchanged.
  await app.register(cookie, { hook: false });
  const publicUrl = opts.runtime.config.publicUrl;
  const setSecurityHeaders = securityHeaders(app, publicUrl);
  const csrfRefusal = csrfGuard(publicUrl);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Forma API',
        version: '0.1.0',
        description: 'The HTTP contract of Forma, a metadata-driven low-code CRM platform.',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description:
              "A session token from POST /api/auth/login, or an API key of a service account (`fk_<tenant>~…`, created by a tenant admin at POST /api/admin/api-keys and shown once; docs/api-keys.md). Send it as `Authorization: Bearer <token>`; a key acts with its service account's roles, a read-only key only with GET.",
          },
          platformToken: { type: 'http', scheme: 'bearer', description: 'PLATFORM_TOKEN' },
          portalCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'forma_portal',
            description:
              'A customer portal session (docs/portal.md), opened by POST /api/portal/:tenant/session; API clients may send its token as `Authorization: Bearer`. Never valid on staff routes.',
          },
        },
      },
    },
  });
  await app.register(authPlugin, { runtime: opts.runtime, platformToken: opts.platformToken });
  // Before the routes: it wraps each route's handler as the route is added.
  const admissionRefusal = installDbAdmission(app);
  // The one onRequest hook every request runs (issue 27: each hook is a step of fastify's hook
  // runner, and the route's options are built anew at each look). In this order: the request id and
  // the security headers on the raw response first, so every answer carries them (an error, a 404,
  // a stream; no onSend hook per answer); the cookies; then the refusals: a cross-site write (the
  // guard looks at whether a session cookie came along), a caller inside its Retry-After.
  app.addHook('onRequest', (request, reply, done) => {
    const res = reply.raw;
    res.setHeader('x-request-id', request.id);
    const route = request.routeOptions;
    setSecurityHeaders(res, route.config);
    const cookieHeader = request.headers.cookie;
    request.cookies = cookieHeader ? app.parseCookie(cookieHeader) : {};
    done(csrfRefusal(request, route.config) ?? admissionRefusal(request, route.url));
  });
  installBodyTimeout(app, () => opts.runtime.config.imports.bodyIdleTimeoutMs);

  await app.register(healthRoutes);
  await app.register(tenantRoutes);
  await app.register(authRoutes);
  await app.register(userRoutes);
  await app.register(scriptRoutes);
  await app.register(metaRoutes);
  await app.register(templateRoutes);
  await app.register(recordRoutes);
  await app.register(timelineSearchRoutes);
  await app.register(recordIoRoutes);
  await app.register(permissionRoutes);
  await app.register(shareRoutes);
  await app.register(approvalRoutes);
  await app.register(notificationRoutes);
  await app.register(automationRoutes);
  await app.register(documentRoutes);
  await app.register(fileRoutes);
  await app.register(wordTemplateRoutes);
  await app.register(documentImageRoutes);
  await app.register(reportRoutes);
  await app.register(segmentRoutes);
  await app.register(mailMergeRoutes);
  await app.register(workflowSimulateRoutes);
  await app.register(workflowNodeTypeRoutes);
  await app.register(publicSurveyRoutes);
  await app.register(integrationRoutes);
  await app.register(inboundMailRoutes);
  await app.register(publicFormRoutes);
  await app.register(portalRoutes);
  for (const routes of opts.extraRoutes ?? []) await app.register(routes);
  await app.register(pluginRoutes(opts.plugins));

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (opts.webDir && fs.existsSync(opts.webDir)) {
    await app.register(fastifyStatic, {
      root: opts.webDir,
      prefix: '/',
      wildcard: false,
      cacheControl: false,
      setHeaders: setWebCacheHeaders,
    });
    // Public web forms: the same page, under a policy that lets other sites frame it (security-headers.ts).
    app.get(`${EMBEDDABLE_PREFIX}*`, { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
    // Client-side routes of the single-page app fall back to index.html; unknown API paths stay 404 JSON.
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      if (request.url.startsWith('/api/')) {
        return reply.status(404).send(noRouteBody(request));
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  }
  return app;
}
