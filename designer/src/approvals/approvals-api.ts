import type { ApiClient } from '../api/api-client';

/** An inbox item (shared/API.md "Approvals"); names and labels are optional extras a server may add. */
export interface InboxItem {
  task: string;
  object: string;
  record: string | { id: string; [k: string]: unknown };
  step: string | { id?: string; label?: string };
  submittedBy: string | { id?: string; name?: string; email?: string };
  submittedAt: string;
  /** The step's label from the workflow (the engine adds it next to the node id). */
  stepLabel?: string;
  /** The step's label in other languages (its node's `x-i18n`). */
  stepI18n?: Record<string, Record<string, unknown>>;
  /** The record's fields the approver may read, so the inbox can name it without another call. */
  fields?: Record<string, unknown>;
  /** The fields the step names for its decision (amount, discount, total), in the workflow's order. */
  show?: string[];
  recordLabel?: string;
  comment?: string;
  dueAt?: string | null;
  delegatedFrom?: string | null;
}

export interface ApprovalDecision {
  user?: string | { id?: string; name?: string };
  by?: string | { id?: string; name?: string };
  outcome?: string;
  decision?: string;
  action?: string;
  comment?: string;
  at?: string;
}

export interface ApprovalStep {
  id?: string;
  node?: string;
  label?: string;
  status?: string;
  decisions?: ApprovalDecision[];
}

/** One event of an instance's history: submitted, approved, rejected, delegated, escalated, … */
export interface ApprovalEvent {
  at: string;
  action: string;
  step?: string | null;
  /** The step's name from the workflow ("Manager review"). */
  stepLabel?: string | null;
  user?: { id?: string; name?: string | null } | null;
  comment?: string | null;
  /** What the engine adds: an escalation's `fallback` (`role` with its `role`, or `admins`), a send-back's `reapproval`. */
  data?: Record<string, unknown> | null;
}

export interface ApprovalInstance {
  id: string;
  status: string;
  workflow?: string;
  submittedBy?: InboxItem['submittedBy'];
  submittedAt?: string;
  /** The current node while pending. */
  step?: string | null;
  stepLabel?: string | null;
  comment?: string | null;
  steps?: ApprovalStep[];
  history?: ApprovalEvent[];
}

const enc = encodeURIComponent;

export function approvalsApi(api: ApiClient) {
  return {
    inbox: (signal?: AbortSignal) => api.get<{ items: InboxItem[] }>('/api/approvals/inbox', signal ? { signal } : {}),
    approve: (task: string, comment?: string) =>
      api.post<unknown>(`/api/approvals/tasks/${enc(task)}/approve`, comment ? { comment } : {}),
    reject: (task: string, comment: string) =>
      api.post<unknown>(`/api/approvals/tasks/${enc(task)}/reject`, { comment }),
    delegate: (task: string, to: string) => api.post<unknown>(`/api/approvals/tasks/${enc(task)}/delegate`, { to }),
    submit: (object: string, id: string, comment?: string) =>
      api.post<{ instance: ApprovalInstance }>(
        `/api/records/${enc(object)}/${enc(id)}/submit`,
        comment ? { comment } : {},
      ),
    /** The submitter (or an admin) withdraws a pending request; the record is editable again. */
    recall: (instance: string, comment?: string) =>
      api.post<{ instance: ApprovalInstance }>(
        `/api/approvals/instances/${enc(instance)}/recall`,
        comment ? { comment } : {},
      ),
    /** Tenant admins: unlock a record held locked after its approval; the reason goes to its history. */
    unlock: (object: string, id: string, reason: string) =>
      api.post<{ approval_status: string }>(`/api/records/${enc(object)}/${enc(id)}/unlock`, { reason }),
    forRecord: (object: string, id: string, signal?: AbortSignal) =>
      api.get<ApprovalInstance[] | { items: ApprovalInstance[] }>(
        `/api/records/${enc(object)}/${enc(id)}/approvals`,
        signal ? { signal } : {},
      ),
  };
}

/** `string | {name}` people and steps, as text. */
export function nameOf(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['name', 'label', 'email', 'id']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  }
  return fallback;
}

export function idOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return (v as { id: string }).id;
  return '';
}

export function instancesOf(a: ApprovalInstance[] | { items: ApprovalInstance[] } | undefined): ApprovalInstance[] {
  if (!a) return [];
  return Array.isArray(a) ? a : Array.isArray(a.items) ? a.items : [];
}

/** Whether the record can be submitted now (the server's `submit` beside a record's approvals). */
export function submitOptionOf(answer: unknown): { available: boolean; workflow?: string } | undefined {
  const submit = answer && typeof answer === 'object' ? (answer as { submit?: unknown }).submit : undefined;
  return submit && typeof submit === 'object' ? (submit as { available: boolean; workflow?: string }) : undefined;
}

/** Whether an approval holds the record locked (the server's `lock` beside a record's approvals). */
export function lockOptionOf(answer: unknown): { locked: boolean; workflow?: string; canUnlock?: boolean } | undefined {
  const lock = answer && typeof answer === 'object' ? (answer as { lock?: unknown }).lock : undefined;
  return lock && typeof lock === 'object'
    ? (lock as { locked: boolean; workflow?: string; canUnlock?: boolean })
    : undefined;
}
