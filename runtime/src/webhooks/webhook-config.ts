/** Outbound webhooks (docs/webhooks.md); the platform fills these from the environment. */
export interface WebhooksConfig {
  /**
   * CIDRs a destination may resolve to although private, loopback or link-local (`WEBHOOK_ALLOW_NETWORKS`,
   * comma-separated). Installation-wide on purpose: a tenant admin must not open the server's own
   * network to their webhooks.
   */
  allowNetworks: string[];
  timeoutMs: number;
  maxResponseBytes: number;
  /** Bytes of each answer kept in the delivery log. */
  keepResponseBytes: number;
  /** Attempts of one delivery (the first one included) before it is marked failed. */
  maxAttempts: number;
  /** First retry after 1–2 × this many seconds, then doubling (pg-boss backoff with jitter). */
  retryDelaySeconds: number;
  /** How often an idle worker asks the queue for deliveries. */
  pollingIntervalSeconds: number;
  /** Deliveries one server process sends at once (each waits at most `timeoutMs` for its receiver). */
  concurrency: number;
}

export const defaultWebhooksConfig: WebhooksConfig = {
  allowNetworks: [],
  timeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
  keepResponseBytes: 2048,
  maxAttempts: 6,
  retryDelaySeconds: 30,
  pollingIntervalSeconds: 2,
  concurrency: 4,
};
