import type { AutomationRule } from '@forma/metadata';
import type { ApiClient } from '../../api/api-client';

export type { AutomationRule };

/** One action kind of `GET /api/automations/action-types`: its configuration as a JSON Schema. */
export interface ActionTypeInfo {
  type: string;
  core: boolean;
  transactional: boolean;
  schema: JsonSchema;
}

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  maxLength?: number;
  [key: string]: unknown;
}

export interface DryRunAction {
  type: string;
  notRun?: boolean;
  values?: Record<string, unknown>;
  fields?: string[];
  object?: string;
  title?: string;
  people?: Array<{ id: string; name: string }>;
  [key: string]: unknown;
}

export interface DryRunResult {
  rule: string;
  record: { id: string; label: string };
  when: boolean | null;
  condition: boolean | null;
  wouldRun: boolean;
  actions: DryRunAction[];
  error: string | null;
}

export interface RuleRun {
  id: string;
  rule: string;
  object: string | null;
  record: string;
  recordLabel: string | null;
  trigger: string | null;
  outcome: string;
  error: string | null;
  at: string;
}

export function fetchActionTypes(api: ApiClient, signal?: AbortSignal): Promise<ActionTypeInfo[]> {
  return api
    .get<{ items: ActionTypeInfo[] }>('/api/automations/action-types', signal ? { signal } : {})
    .then((r) => r.items ?? []);
}

/** A test run of the editor's draft on one record: nothing changes. */
export function dryRun(api: ApiClient, name: string, rule: AutomationRule, record: string): Promise<DryRunResult> {
  return api.post<DryRunResult>('/api/automations/dry-run', { name, rule, record });
}

export function fetchRuns(api: ApiClient, rule: string, signal?: AbortSignal): Promise<RuleRun[]> {
  return api
    .get<{ items: RuleRun[] }>('/api/automations/runs', { query: { rule, limit: 50 }, ...(signal ? { signal } : {}) })
    .then((r) => r.items ?? []);
}

export interface RecordOption {
  id: string;
  label: string;
}

/** Records of `object` for the test run's picker, by the words typed. */
export async function searchRecords(
  api: ApiClient,
  object: string,
  labelField: string,
  q: string,
  signal?: AbortSignal,
): Promise<RecordOption[]> {
  const res = await api.get<{ items: Array<Record<string, unknown>> }>(`/api/records/${encodeURIComponent(object)}`, {
    query: { limit: 20, ...(q.trim() ? { q: q.trim() } : {}) },
    ...(signal ? { signal } : {}),
  });
  return (res.items ?? []).map((r) => ({
    id: String(r.id),
    label: r[labelField] === null || r[labelField] === undefined ? String(r.id) : String(r[labelField]),
  }));
}
