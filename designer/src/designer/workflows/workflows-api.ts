import type { ApiClient } from '../../api/api-client';
import type { Outcome, WorkflowDefinition } from './workflow-model';

export interface WorkflowVersions {
  /** The metadata version the workflow is published at now (null: removed). */
  current: number | null;
  /** The workflow's own version (1, 2, … as its definition changed; absent from older servers). */
  workflowVersion?: number | null;
  versions: Array<{ version: number; workflowVersion?: number | null; pending: number; total: number }>;
}

export interface MoveResult {
  moved: string[];
  skipped: Array<{ id: string; step: string | null; reason: string }>;
}

export interface SimulationResult {
  triggered: boolean;
  path: string[];
  edges: string[];
  steps: Array<{ node: string; type: string; edge?: string; decision?: Outcome; set?: Record<string, unknown> }>;
  outcome: Outcome | null;
  /** The object's formula fields computed from the sample (absent from older servers). */
  computed?: Record<string, unknown>;
}

export interface UserOption {
  id: string;
  name?: string;
  email?: string;
  active?: boolean;
}

/** `GET /api/approvals/workflows/:name/versions`: instances per published version. */
export function fetchWorkflowVersions(api: ApiClient, name: string, signal?: AbortSignal) {
  return api.get<WorkflowVersions>(
    `/api/approvals/workflows/${encodeURIComponent(name)}/versions`,
    signal ? { signal } : {},
  );
}

/** Admin action: moves waiting instances onto the newest version where their step still exists. */
export function moveToNewest(api: ApiClient, name: string) {
  return api.post<MoveResult>(`/api/approvals/workflows/${encodeURIComponent(name)}/migrate`);
}

/** The path a sample record takes through the (unsaved) definition; 400 names broken nodes. */
export function simulateWorkflow(
  api: ApiClient,
  name: string,
  body: { record: Record<string, unknown>; definition: WorkflowDefinition; decisions?: Record<string, Outcome> },
) {
  return api.post<SimulationResult>(`/api/meta/workflows/${encodeURIComponent(name)}/simulate`, body);
}

/**
 * Dry-run validation of a draft: `POST /api/meta/plan` runs the same checks as a save (graph, roles,
 * users, fields, expressions) and changes nothing; a 400 carries the issues.
 */
export function checkDraft(api: ApiClient, name: string, definition: WorkflowDefinition, signal?: AbortSignal) {
  return api.post<unknown>('/api/meta/plan', { workflows: { [name]: definition } }, signal ? { signal } : {});
}

export async function fetchUsers(api: ApiClient, signal?: AbortSignal): Promise<UserOption[]> {
  const res = await api.get<{ items: UserOption[] }>('/api/users', signal ? { signal } : {});
  return res.items ?? [];
}
