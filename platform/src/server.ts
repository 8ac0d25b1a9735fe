import {
  connectDb,
  createRuntime,
  type DeepPartial,
  type Runtime,
  type RuntimeConfig,
  type Clock,
  sendOutbox,
  smtpTransport,
} from '@forma/runtime';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { PlatformConfig } from './config';
import { type EmbeddedDb, startEmbeddedPostgres } from './db/embedded-postgres';
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
}

/**
 * Starts everything `npm start` needs: the database (embedded unless DATABASE_URL is set), the
 * platform and tenant migrations, and the HTTP server. `close()` stops them in reverse order.
 */
export async function startServer(opts: StartOptions): Promise<Server> {
  const { config } = opts;
  let embedded: EmbeddedDb | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dir: config.dataDir,
      port: config.pgPort,
      ...(opts.onDbLog ? { onLog: opts.onDbLog } : {}),
    });
    url = embedded.url;
  }
  const db = connectDb({ url, poolMax: opts.poolMax ?? 20, statementTimeoutMs: 60_000 });
  const runtime = createRuntime({
    db,
    config: {
      publicUrl: config.publicUrl,
      ...(config.filesDir ? { files: { dir: config.filesDir } } : {}),
      ...opts.runtimeConfig,
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  let app: FastifyInstance | undefined;
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
    });
    const address = await app.listen({ port: config.port, host: config.host });
    // The escalation sweep runs on pg-boss in real servers only (tests call escalateDue directly).
    const smtp = config.smtp;
    const transport = smtp ? smtpTransport(smtp.url) : undefined;
    // After-commit events left over by a crash (or failing for a while) are retried every few seconds.
    runtime.outbox.startSweeper();
    // A warning line with the load figures whenever the event loop or the pool is slow.
    runtime.dbLoad.startLogging(app.log);
    await runtime.workflows.startScheduler([
      // Schedule automation rules: one sweep per minute across all processes (docs/workflows.md).
      { name: 'forma-automation-schedules', cron: '* * * * *', run: () => runtime.automations.sweep() },
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
    const jobs = await schedulePluginJobs(runtime, plugins);
    return {
      app,
      runtime,
      plugins,
      url: address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'),
      async close() {
        await app?.close();
        await jobs.stop();
        await runtime.close();
        await embedded?.stop();
      },
    };
  } catch (e) {
    await app?.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw e;
  }
}
