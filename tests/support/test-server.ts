import { randomBytes, randomInt } from 'node:crypto';
import { buildApp } from '../../platform/src/app';
import { setRouteValidatorSource } from '../../platform/src/http/validator-compiler';
import { loadPlugins } from '../../platform/src/plugins/load-plugins';
import type { PluginManager, PluginSource } from '../../platform/src/plugins/plugin-manager';
import {
  connectDb,
  createRuntime,
  type Clock,
  type DeepPartial,
  type Runtime,
  type RuntimeConfig,
  type Resolver,
} from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { setMetaValidatorSource } from '@forma/metadata';
import { ApiClient } from './api-client';
import { diskCachedMetaValidators, diskCachedRouteValidators } from './meta-validator-cache';

// Metadata checks and routes load the validators a previous test process compiled (meta-validator-cache.ts).
setMetaValidatorSource(diskCachedMetaValidators());
setRouteValidatorSource(diskCachedRouteValidators());

export interface TestServer {
  url: string;
  app: FastifyInstance;
  runtime: Runtime;
  /** Set when the server was started with `plugins`. */
  plugins?: PluginManager;
  platformToken: string;
  /** A client that sends the platform token. */
  platform: ApiClient;
  /** A client without credentials. */
  anon: ApiClient;
  /**
   * What decides the tenants a template produces on this server, when a copy of another file's
   * tenant is as good as applying it here (tenant-clone.ts); undefined when it is not.
   */
  templateProfile?: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  runtimeConfig?: DeepPartial<RuntimeConfig>;
  clock?: Clock;
  bodyLimit?: number;
  /** Extra route groups, as later capabilities register them. */
  extraRoutes?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Built web app to serve at `/` (browser tests). */
  webDir?: string;
  /** Plugins to load: explicit sources, or `'discover'` for the `plugins/*` workspace packages. */
  plugins?: PluginSource[] | 'discover';
  /** Server log level (default: TEST_LOG_LEVEL or silent) and where the log goes (default: stdout). */
  logLevel?: string;
  logStream?: NodeJS.WritableStream;
  /** Trust `X-Forwarded-For` (tests that need a client address of their own). */
  trustProxy?: boolean;
  /** Another database than the run's shared one (fault tests that stop their own PostgreSQL). */
  databaseUrl?: string;
  /** Connections in this server's pool (default 8). */
  poolMax?: number;
  /** Host name resolution of webhook destinations (a test never asks real DNS). */
  webhookResolver?: Resolver;
  /**
   * Compile every route's schemas at start-up, as a production server does (the OpenAPI probe: a
   * broken schema then stops the start). By default each route's are compiled at its first use.
   */
  eagerSchemas?: boolean;
}

/**
 * The runtime's start-up migrations without its pass over every existing tenant: every tenant a test
 * uses is created by this code during the run, so it is up to date, and the pass costs a transaction
 * per tenant in the database (other files' included, or older runs' with DATABASE_URL) at every
 * server start.
 * tests/api/foundation checks `migrateAll` itself.
 */
export async function migrateSkippingOtherTenants(runtime: Runtime): Promise<void> {
  const { tenants } = runtime;
  const migrateAll = tenants.migrateAll;
  tenants.migrateAll = async () => undefined;
  try {
    await runtime.migrate();
  } finally {
    tenants.migrateAll = migrateAll;
  }
}

/**
 * With the default settings, the real clock and the run's database, only the plugins change what a
 * template produces: the profile names them (workspace or npm modules, in load order; an inline plugin's code has
 * no name here, so a server with one never shares tenants).
 */
function templateProfileOf(opts: TestServerOptions): string | undefined {
  if (opts.runtimeConfig || opts.clock || opts.databaseUrl) return undefined;
  if (opts.plugins === undefined || opts.plugins === 'discover') return `plugins:${opts.plugins ?? 'none'}`;
  const names: string[] = [];
  for (const p of opts.plugins) {
    if (p.kind !== 'module') return undefined;
    names.push(`${p.origin}:${p.specifier}`);
  }
  return `plugins:${names.join(',')}`;
}

/** A real server (fastify listening on a free loopback port) over the run's real database. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const db = connectDb({ url: opts.databaseUrl ?? inject('databaseUrl'), poolMax: opts.poolMax ?? 8 });
  const runtime = createRuntime({
    db,
    // Tests count the named sample records and create many tenants: only the story, unless a test
    // asks for the full volume (tests/api/sample-data.test.ts).
    config: { ...opts.runtimeConfig, sampleData: { volume: 'story', ...opts.runtimeConfig?.sampleData } },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.webhookResolver ? { webhookResolver: opts.webhookResolver } : {}),
  });
  await migrateSkippingOtherTenants(runtime);
  const plugins = opts.plugins
    ? await loadPlugins(runtime, {
        ...(opts.plugins === 'discover' ? {} : { sources: opts.plugins }),
        // Other test files' tenants share the database: leave their schemas alone.
        migrateExisting: false,
      })
    : undefined;
  const platformToken = randomBytes(16).toString('hex');
  const app = await buildApp({
    runtime,
    platformToken,
    logLevel: opts.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
    ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}),
    ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}),
    ...(opts.webDir ? { webDir: opts.webDir } : {}),
    ...(plugins ? { plugins } : {}),
    ...(opts.trustProxy ? { trustProxy: true } : {}),
    // A file calls a few of the routes: compiling every route's schemas was most of a server start's
    // CPU. tests/security/openapi-probe.test.ts compiles them all, as a production start does.
    lazySchemas: !opts.eagerSchemas,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  // Login throttles count per address in the shared database: behind a trusted "proxy" this server's
  // clients come from an address of their own (TEST-NET-3), so other files' failed logins from
  // loopback never throttle this file's set-up.
  const own: Record<string, string> = opts.trustProxy ? { 'x-forwarded-for': `203.0.113.${randomInt(1, 255)}` } : {};
  const templateProfile = templateProfileOf(opts);
  return {
    url: address,
    app,
    ...(templateProfile ? { templateProfile } : {}),
    runtime,
    ...(plugins ? { plugins } : {}),
    platformToken,
    platform: new ApiClient(address, platformToken, own),
    anon: new ApiClient(address, undefined, own),
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}
