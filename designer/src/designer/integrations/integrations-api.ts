import type { ApiClient } from '../../api/api-client';

/** The events a webhook subscribes to (docs/webhooks.md); the server refuses any other. */
export const WEBHOOK_EVENTS = ['created', 'updated', 'deleted', 'approval_decided'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
  id: string;
  name: string;
  object: string;
  events: string[];
  fields: string[];
  url: string;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface WebhookInput {
  name: string;
  object: string;
  events: string[];
  fields?: string[];
  url: string;
  active?: boolean;
}

export interface Delivery {
  id: string;
  event: string;
  status: 'pending' | 'retrying' | 'succeeded' | 'failed';
  attempts: number;
  response_status: number | null;
  duration_ms: number | null;
  error: string | null;
  created_at: string;
  last_attempt_at: string | null;
}

export interface ServiceAccount {
  id: string;
  name: string;
  roles: string[];
  active: boolean;
  created_at: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  service_account: string;
  service_account_name: string;
  read_only: boolean;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

export const integrationsApi = {
  webhooks: (api: ApiClient, signal?: AbortSignal) =>
    api.get<{ items: Webhook[] }>('/api/admin/webhooks', opts(signal)).then((r) => r.items ?? []),
  /** The answer carries the signing secret, which the server never shows again. */
  createWebhook: (api: ApiClient, input: WebhookInput) =>
    api.post<Webhook & { secret: string }>('/api/admin/webhooks', input),
  updateWebhook: (api: ApiClient, id: string, patch: Partial<WebhookInput>) =>
    api.patch<Webhook>(`/api/admin/webhooks/${encodeURIComponent(id)}`, patch),
  deleteWebhook: (api: ApiClient, id: string) => api.delete<void>(`/api/admin/webhooks/${encodeURIComponent(id)}`),
  deliveries: (api: ApiClient, id: string, signal?: AbortSignal) =>
    api
      .get<{ items: Delivery[] }>(`/api/admin/webhooks/${encodeURIComponent(id)}/deliveries`, {
        query: { limit: 50 },
        ...opts(signal),
      })
      .then((r) => r.items ?? []),
  redeliver: (api: ApiClient, id: string) =>
    api.post<unknown>(`/api/admin/webhook-deliveries/${encodeURIComponent(id)}/redeliver`),
  serviceAccounts: (api: ApiClient, signal?: AbortSignal) =>
    api.get<{ items: ServiceAccount[] }>('/api/admin/service-accounts', opts(signal)).then((r) => r.items ?? []),
  createServiceAccount: (api: ApiClient, input: { name: string; roles: string[] }) =>
    api.post<ServiceAccount>('/api/admin/service-accounts', input),
  apiKeys: (api: ApiClient, signal?: AbortSignal) =>
    api.get<{ items: ApiKey[] }>('/api/admin/api-keys', opts(signal)).then((r) => r.items ?? []),
  /** The answer carries the token, which the server never shows again. */
  createApiKey: (api: ApiClient, input: { serviceAccount: string; name: string; readOnly: boolean }) =>
    api.post<ApiKey & { token: string }>('/api/admin/api-keys', input),
  revokeApiKey: (api: ApiClient, id: string) => api.delete<void>(`/api/admin/api-keys/${encodeURIComponent(id)}`),
};
