import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { REPOSITORY_ROOT } from './package-root';

/** Server settings from the environment (see README, Configuration). */
export interface PlatformConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * DATABASE_SESSION_URL: a connection straight to PostgreSQL (or through a session-mode pooler) for
   * the work that needs a session of its own, the LISTEN that revokes cached sessions. Needed when
   * DATABASE_URL is a transaction-mode pooler (PgBouncer), which delivers no notices.
   */
  databaseSessionUrl: string | undefined;
  /** Port of the embedded PostgreSQL; 0 picks a free one at every start. */
  pgPort: number;
  platformToken: string;
  platformTokenGenerated: boolean;
  demo: boolean;
  bodyLimit: number;
  logLevel: string;
  /** Directory with the built web app; served at `/` when present. */
  webDir: string;
  /** `FORMA_PLUGINS`: npm packages to load as plugins besides the `plugins/*` workspace packages. */
  formaPlugins: string | undefined;
  /** `SMTP_URL` and `SMTP_FROM`: the e-mail outbox is sent only when both are set. */
  smtp: { url: string; from: string } | undefined;
  /** `PUBLIC_URL`: where users reach this server (links in e-mails); default `http://localhost:<PORT>`. */
  publicUrl: string;
  /** `FILES_DIR`: record files are stored on disk there instead of in the database. */
  filesDir: string | undefined;
  /** `WEBHOOK_ALLOW_NETWORKS`: comma-separated CIDRs webhooks may reach although private (docs/webhooks.md). */
  webhookAllowNetworks: string[];
  /** `DB_HEAVY_NICE`: nice value of embedded-database backends doing heavy work (0: off). */
  dbHeavyNice: number;
  /** `DB_HEAVY_SCHED_IDLE`: `0` keeps those backends at the normal scheduling policy (nice only, no SCHED_IDLE). */
  dbHeavyIdlePolicy: boolean;
  /**
   * `SANDBOX_SLOW_NICE`: nice value of the low-priority sandbox child, where a tenant's scripts that
   * keep a CPU busy run on (0, the default: no such child; they stay in their normal child). Opt-in:
   * on a saturated machine a legitimately heavy save moved there gets almost no CPU and times out.
   */
  sandboxSlowNice: number;
  /** `DATABASE_NAMED_STATEMENTS`: `0` sends every statement unnamed (behind PgBouncer before 1.21 in transaction mode). */
  databaseNamedStatements: boolean;
  /** `SCHEDULES`: `0` makes this process answer HTTP only; the timed sweeps run in the other processes. */
  schedules: boolean;
  /**
   * `INBOUND_SMTP_PORT` (unset: no listener), `INBOUND_SMTP_HOST` (default 127.0.0.1),
   * `INBOUND_SMTP_MAX_BYTES`, `INBOUND_SMTP_PER_SENDER_HOUR`: the e-mail-to-case listener (docs/email-to-case.md).
   */
  inboundSmtp:
    | { port: number; host: string; maxBytes: number | undefined; perSenderPerHour: number | undefined }
    | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const token = env.PLATFORM_TOKEN?.trim();
  const port = intOf(env.PORT, 3000);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    databaseSessionUrl: env.DATABASE_SESSION_URL?.trim() || undefined,
    pgPort: intOf(env.PG_PORT, 0),
    platformToken: token || randomBytes(24).toString('base64url'),
    platformTokenGenerated: !token,
    demo: env.DEMO !== '0',
    bodyLimit: intOf(env.BODY_LIMIT, 1024 * 1024),
    logLevel: env.LOG_LEVEL ?? 'info',
    webDir: path.resolve(env.WEB_DIR ?? path.join(REPOSITORY_ROOT, 'designer/dist')),
    formaPlugins: env.FORMA_PLUGINS?.trim() || undefined,
    smtp:
      env.SMTP_URL?.trim() && env.SMTP_FROM?.trim()
        ? { url: env.SMTP_URL.trim(), from: env.SMTP_FROM.trim() }
        : undefined,
    publicUrl: (env.PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, ''),
    filesDir: env.FILES_DIR?.trim() ? path.resolve(env.FILES_DIR.trim()) : undefined,
    webhookAllowNetworks: (env.WEBHOOK_ALLOW_NETWORKS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    dbHeavyNice: niceOf(env.DB_HEAVY_NICE, 'DB_HEAVY_NICE'),
    dbHeavyIdlePolicy: env.DB_HEAVY_SCHED_IDLE !== '0',
    sandboxSlowNice: niceOf(env.SANDBOX_SLOW_NICE, 'SANDBOX_SLOW_NICE', 0),
    databaseNamedStatements: env.DATABASE_NAMED_STATEMENTS !== '0',
    schedules: env.SCHEDULES !== '0',
    inboundSmtp: env.INBOUND_SMTP_PORT?.trim()
      ? {
          port: portOf(env.INBOUND_SMTP_PORT.trim()),
          host: env.INBOUND_SMTP_HOST?.trim() || '127.0.0.1',
          maxBytes: env.INBOUND_SMTP_MAX_BYTES?.trim() ? intOf(env.INBOUND_SMTP_MAX_BYTES.trim(), 0) : undefined,
          perSenderPerHour: env.INBOUND_SMTP_PER_SENDER_HOUR?.trim()
            ? intOf(env.INBOUND_SMTP_PER_SENDER_HOUR.trim(), 0)
            : undefined,
        }
      : undefined,
  };
}

function portOf(v: string): number {
  const n = intOf(v, 0);
  if (n > 65535) throw new Error(`Expected a port from 0 to 65535, got ${n}`);
  return n;
}

function niceOf(v: string | undefined, name: string, fallback = 19): number {
  const n = intOf(v, fallback);
  if (n > 19) throw new Error(`${name} is a nice value from 0 (off) to 19, got ${n}`);
  return n;
}

function intOf(v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Expected a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}
