import { defaultSessionCacheConfig, type SessionCacheConfig } from './auth/session-cache';
import { defaultDocumentWorkersConfig, type DocumentWorkersConfig } from './documents/document-workers';
import { type DbLoadConfig, defaultDbLoadConfig } from './db/db-load';
import { defaultScriptsConfig, type ScriptsConfig } from './scripts/scripts-config';
import { defaultWebhooksConfig, type WebhooksConfig } from './webhooks/webhook-config';
import { defaultInboundMailConfig, type InboundMailConfig } from './inbound-mail/inbound-mail-service';
import { defaultSegmentsConfig, type SegmentsConfig } from './segments/segments-config';

/** Runtime settings; the platform fills them from the environment, tests override what they need. */
export interface RuntimeConfig {
  sessionTtlHours: number;
  /** Signed-in sessions cached per process, revoked everywhere through LISTEN/NOTIFY (auth/session-cache.ts). */
  sessionCache: SessionCacheConfig;
  login: {
    /** Failed logins for one tenant + e-mail within the window before further attempts get 429. */
    maxFailuresPerAccount: number;
    /** Failed logins from one IP address within the window, across tenants. */
    maxFailuresPerIp: number;
    windowMinutes: number;
  };
  passwordMinLength: number;
  /** Script sandbox limits (runtime/src/scripts/scripts-config.ts). */
  scripts: ScriptsConfig;
  /** Metadata changes (runtime/src/meta/meta-service.ts). */
  meta: MetaConfig;
  /**
   * Record imports (runtime/src/records/import-service.ts): body size, rows, rows per batch, and how
   * slowly the file may arrive (longest pause, longest total) before 408; `staged: false` writes every
   * import record by record (records/import-staged.ts otherwise takes the objects it can).
   */
  imports: {
    maxBytes: number;
    maxRows: number;
    batchSize: number;
    bodyIdleTimeoutMs: number;
    bodyTimeoutMs: number;
    staged: boolean;
  };
  /** Address users reach the server at (`PUBLIC_URL`); links in e-mails start with it. Empty: relative links. */
  publicUrl: string;
  /** Whether queued e-mails are sent (`SMTP_URL` set): new users are then invited by an e-mailed link. */
  mail: { enabled: boolean; invitationTtlHours: number };
  /** Record files (`FILES_DIR`): bodies on disk under `dir` instead of the database; size limit either way. */
  files: { dir: string; maxBytes: number };
  /** Mail merge: e-mails one tenant may queue per hour (merges past it answer 429 with Retry-After). */
  mailMerge: { emailsPerHour: number };
  /**
   * Satisfaction surveys (docs/surveys.md): requests one client address may make to the public
   * survey pages per minute (past it 429 with Retry-After), and the largest answer body in bytes (413).
   */
  surveys: { publicPerMinute: number; maxBodyBytes: number };
  /** Word and PDF work in worker threads (runtime/src/documents/document-workers.ts). */
  documents: DocumentWorkersConfig;
  /** Database admission, per-kind timeouts and load logging (runtime/src/db/db-load.ts, docs/architecture.md). */
  database: DbLoadConfig;
  /** Outbound webhooks: allowed private networks, timeouts, answer size, attempts (docs/webhooks.md). */
  webhooks: WebhooksConfig;
  /** E-mail to case: message size limit and per-sender budget of the inbound listener (docs/email-to-case.md). */
  inboundMail: InboundMailConfig;
  /** Public web forms: their proof-of-work challenge and body size (runtime/src/web-forms, docs/public-forms.md). */
  webForms: WebFormsConfig;
  /** Customer portal sign-in (docs/portal.md): link and session lifetimes, sign-in requests per window. */
  portal: PortalConfig;
  /** Saved segments: how long a refresh may run, how many refreshes keep their entered/left rows (docs/analytics.md). */
  segments: SegmentsConfig;
  /**
   * Template sample data (docs/templates/README.md): `full` loads every row, `story` only the few
   * named records (rows without `_volume`), which tests that count records and want a quick tenant use.
   */
  sampleData: { volume: 'full' | 'story' };
}

export interface WebFormsConfig {
  /** ALTCHA key derivation and its cost (PBKDF2 iterations per try). */
  powAlgorithm: string;
  powCost: number;
  /** The secret counter is drawn from [min, max): the expected tries a browser makes. */
  powCounterMin: number;
  powCounterMax: number;
  /** How long a challenge may be solved and sent. */
  challengeTtlSeconds: number;
  /** Largest submission body (JSON or urlencoded); larger → 413. */
  maxBodyBytes: number;
}

export interface PortalConfig {
  linkTtlMinutes: number;
  sessionTtlHours: number;
  /** Sign-in requests within the window: per e-mail address asked for, and per client address. */
  maxRequestsPerEmail: number;
  maxRequestsPerIp: number;
  windowMinutes: number;
}

export interface MetaConfig {
  /** `lock_timeout` of the DDL of a metadata change; on timeout the whole change is retried. */
  lockTimeoutMs: number;
  /** Attempts before a change that keeps timing out on locks answers 503. */
  maxAttempts: number;
}

export const defaultRuntimeConfig: RuntimeConfig = {
  sessionTtlHours: 24 * 7,
  sessionCache: defaultSessionCacheConfig,
  login: { maxFailuresPerAccount: 10, maxFailuresPerIp: 100, windowMinutes: 15 },
  passwordMinLength: 8,
  scripts: defaultScriptsConfig,
  meta: { lockTimeoutMs: 3000, maxAttempts: 5 },
  imports: {
    maxBytes: 256 * 1024 * 1024,
    maxRows: 500_000,
    batchSize: 1000,
    bodyIdleTimeoutMs: 30_000,
    bodyTimeoutMs: 30 * 60_000,
    staged: true,
  },
  publicUrl: '',
  mail: { enabled: false, invitationTtlHours: 72 },
  files: { dir: '', maxBytes: 10 * 1024 * 1024 },
  mailMerge: { emailsPerHour: 1000 },
  surveys: { publicPerMinute: 30, maxBodyBytes: 32 * 1024 },
  documents: defaultDocumentWorkersConfig,
  database: defaultDbLoadConfig,
  webhooks: defaultWebhooksConfig,
  inboundMail: defaultInboundMailConfig,
  webForms: {
    powAlgorithm: 'PBKDF2/SHA-256',
    powCost: 1000,
    powCounterMin: 2000,
    powCounterMax: 6000,
    challengeTtlSeconds: 1200,
    maxBodyBytes: 32 * 1024,
  },
  portal: { linkTtlMinutes: 15, sessionTtlHours: 8, maxRequestsPerEmail: 5, maxRequestsPerIp: 30, windowMinutes: 15 },
  segments: defaultSegmentsConfig,
  sampleData: { volume: 'full' },
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function mergeConfig<T extends object>(base: T, over: DeepPartial<T> | undefined): T {
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const cur = (base as Record<string, unknown>)[k];
    out[k] =
      cur && typeof cur === 'object' && !Array.isArray(cur) && typeof v === 'object' && !Array.isArray(v)
        ? mergeConfig(cur as object, v as DeepPartial<object>)
        : v;
  }
  return out as T;
}
