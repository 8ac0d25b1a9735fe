import {
  connectDb,
  defaultDbLoadConfig,
  createRuntime,
  type DeepPartial,
  type Runtime,
  type RuntimeConfig,
  type Clock,
  sendOutbox,
  smtpTransport,
  type SmtpListener,
  startSmtpListener,
} from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { PlatformConfig } from './config';
import {
  type EmbeddedDb,
  type EmbeddedDbEvent,
  type RestartBackoff,
  startEmbeddedPostgres,
} from './db/embedded-postgres';
import { loadPlugins } from './plugins/load-plugins';
import { schedulePluginJobs } from './plugins/schedule-plugin-jobs';
import type { PluginManager } from './plugins/plugin-manager';

export interface Server {
  app: FastifyInstance;
  runtime: Runtime;
  plugins: PluginManager;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  config: PlatformConfig;
  runtimeConfig?: DeepPartial<RuntimeConfig>;
  clock?: Clock;
  /** Called with log lines of the embedded database. */
  onDbLog?: (line: string) => void;
  poolMax?: number;
  /** Delays before the embedded PostgreSQL is started again after it died (default 1 s doubling to 30 s). */
  dbRestartBackoff?: RestartBackoff;
  /** Where the server's log goes (default: stdout). */
  logStream?: NodeJS.WritableStream;
}

/**
 * Starts everything `npm start` needs: the database (embedded unless DATABASE_URL is set), the
 * platform and tenant migrations, and the HTTP server. `close()` stops them in reverse order.
 */
export async function startServer(opts: StartOptions): Promise<Server> {
  const { config } = opts;
  let embedded: EmbeddedDb | undefined;
  let url = config.databaseUrl;
  // Until the HTTP server's logger exists, the database's watcher reports on stderr.
  let logDbEvent = (e: EmbeddedDbEvent) => console.error(describeDbEvent(e));
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dir: config.dataDir,
      port: config.pgPort,
      ...(opts.onDbLog ? { onLog: opts.onDbLog } : {}),
      // `npm start` owns this database: when it dies the server starts it again and heals by itself.
      watch: true,
      ...(opts.dbRestartBackoff ? { restartBackoff: opts.dbRestartBackoff } : {}),
      onEvent: (e) => logDbEvent(e),
    });
    url = embedded.url;
  }
  // A pooled connection starts with the interactive lane's statement timeout: a request's statement
  // outside a transaction then needs no setting of its own (runtime/src/db/db-load.ts, scopeQueries).
  const db = connectDb({
    url,
    poolMax: opts.poolMax ?? 20,
    statementTimeoutMs:
      opts.runtimeConfig?.database?.timeouts?.interactive?.statementMs ??
      defaultDbLoadConfig.timeouts.interactive.statementMs,
    customPlans: config.databaseNamedStatements,
  });
  const runtime = createRuntime({
    db,
    ...(config.databaseSessionUrl ? { sessionDbUrl: config.databaseSessionUrl } : {}),
    config: {
      publicUrl: config.publicUrl,
      // Invitations go by e-mail only when the outbox is really sent.
      mail: { enabled: Boolean(config.smtp) },
      ...(config.filesDir ? { files: { dir: config.filesDir } } : {}),
      ...(config.webhookAllowNetworks.length ? { webhooks: { allowNetworks: config.webhookAllowNetworks } } : {}),
      ...(config.inboundSmtp
        ? {
            inboundMail: {
              ...(config.inboundSmtp.maxBytes ? { maxBytes: config.inboundSmtp.maxBytes } : {}),
              ...(config.inboundSmtp.perSenderPerHour ? { perSenderPerHour: config.inboundSmtp.perSenderPerHour } : {}),
            },
          }
        : {}),
      ...opts.runtimeConfig,
      scripts: {
        ...opts.runtimeConfig?.scripts,
        sandbox: {
          ...opts.runtimeConfig?.scripts?.sandbox,
          slowLane: {
            ...(config.sandboxSlowNice === 0 ? { afterCpuMs: 0 } : { afterCpuMs: 50, nice: config.sandboxSlowNice }),
            ...opts.runtimeConfig?.scripts?.sandbox?.slowLane,
          },
        },
      },
      // The embedded cluster's backends are processes of this machine: heavy work may run niced there.
      database: {
        localBackends: embedded !== undefined,
        heavyNice: config.dbHeavyNice,
        heavyIdlePolicy: config.dbHeavyIdlePolicy,
        namedStatements: config.databaseNamedStatements,
        ...opts.runtimeConfig?.database,
      },
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  let app: FastifyInstance | undefined;
  let inbound: SmtpListener | undefined;
  try {
    await runtime.migrate();
    const plugins = await loadPlugins(runtime, { formaPlugins: config.formaPlugins });
    app = await buildApp({
      plugins,
      runtime,
      platformToken: config.platformToken,
      bodyLimit: config.bodyLimit,
      logLevel: config.logLevel,
      webDir: config.webDir,
      ...(opts.logStream ? { logStream: opts.logStream } : {}),
    });
    const address = await app.listen({ port: config.port, host: config.host });
    const log = app.log;
    logDbEvent = (e) => (e.kind === 'restarted' ? log.warn : log.error).call(log, { db: e }, describeDbEvent(e));
    // The escalation sweep runs on pg-boss in real servers only (tests call escalateDue directly).
    const smtp = config.smtp;
    const transport = smtp ? smtpTransport(smtp.url) : undefined;
    // After-commit events left over by a crash (or failing for a while) are retried every few seconds.
    runtime.outbox.startSweeper();
    // A warning line with the load figures whenever the event loop or the pool is slow.
    runtime.dbLoad.startLogging(app.log);
    // Every tenant's due escalations, scheduled rules and outbox: with SCHEDULES=0 another process does it.
    if (config.schedules)
      await runtime.workflows.startScheduler([
        // Schedule automation rules: one sweep per minute across all processes (docs/workflows.md).
        { name: 'forma-automation-schedules', cron: '* * * * *', run: () => runtime.automations.sweep() },
        // Segments with a refresh schedule, once per period across all processes (docs/analytics.md).
        { name: 'forma-segment-refreshes', cron: '* * * * *', run: () => runtime.segments.sweep() },
        ...(smtp && transport
          ? [
              {
                name: 'forma-email-outbox',
                cron: '* * * * *',
                run: () =>
                  sendOutbox(
                    runtime.db,
                    transport,
                    { from: smtp.from, ...(config.filesDir ? { filesDir: config.filesDir } : {}) },
                    runtime.clock.now(),
                    runtime.logger,
                  ),
              },
            ]
          : []),
      ]);
    // Webhook deliveries: this process takes its share of the pg-boss queue (docs/webhooks.md).
    await runtime.webhooks.start();
    const jobs = await schedulePluginJobs(runtime, plugins);
    // E-mail to case: the inbound SMTP listener, only when a port is configured.
    inbound = config.inboundSmtp
      ? await startSmtpListener(runtime.inboundMail, app.log, {
          port: config.inboundSmtp.port,
          host: config.inboundSmtp.host,
        })
      : undefined;
    // In the background: the server answers meanwhile, and unique fields still without their index
    // refuse writes with 503 until it is built (runtime/src/records/unique-index-guard.ts).
    const stopIndexing = new AbortController();
    const indexing = runtime
      .reconcileIndexes({ signal: stopIndexing.signal })
      .catch((err) => log.error({ err }, 'index phase at start-up failed'));
    return {
      app,
      runtime,
      plugins,
      url: address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'),
      async close() {
        stopIndexing.abort();
        await inbound?.close();
        await app?.close();
        await indexing;
        await jobs.stop();
        await runtime.close();
        await embedded?.stop();
      },
    };
  } catch (e) {
    await inbound?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw e;
  }
}

function describeDbEvent(e: EmbeddedDbEvent): string {
  switch (e.kind) {
    case 'exited':
      return `Embedded PostgreSQL exited unexpectedly (${e.signal ?? `code ${e.code}`}); starting it again in ${e.restartInMs} ms`;
    case 'restart-failed':
      return `Embedded PostgreSQL did not start again (attempt ${e.attempt}: ${e.error}); next try in ${e.restartInMs} ms`;
    case 'restarted':
      return `Embedded PostgreSQL is running again (after ${e.attempt} attempt${e.attempt === 1 ? '' : 's'})`;
  }
}
