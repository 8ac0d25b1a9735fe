import type { DashboardDefinition, ReportDefinition, SegmentDefinition, WebFormDefinition } from '@forma/metadata';
import type { ApiClient } from '../../api/api-client';
import type { ObjectSchema } from '../../meta/meta-types';

type Section<T> = Record<string, T | null>;

/**
 * A (partial) metadata document as `POST /api/meta/plan|apply` take it: absent sections are left as
 * they are, an item given replaces the item of that name, `null` removes it (docs/metadata.md).
 */
export interface MetaDocument {
  version?: number;
  objects: Section<ObjectSchema>;
  roles: Section<Record<string, unknown>>;
  workflows: Section<Record<string, unknown>>;
  scripts: Section<Record<string, unknown>>;
  forms: Section<FormDefinition>;
  views: Section<ViewDefinition>;
  /** Automation rules (absent in documents of servers before them). */
  automations?: Section<Record<string, unknown>>;
  /** Saved reports (`report.schema.json`), edited by the report builder and the labels screen. */
  reports?: Section<ReportDefinition>;
  /** Role dashboards (`dashboard.schema.json`); the report builder adds widgets to them. */
  dashboards?: Section<DashboardDefinition>;
  /** Public web forms (`web-form.schema.json`, docs/public-forms.md). */
  webForms?: Section<WebFormDefinition>;
  /** Saved segments (`segment.schema.json`, docs/analytics.md). */
  segments?: Section<SegmentDefinition>;
}

export interface FormDefinition {
  object: string;
  uiSchema: Record<string, unknown>;
  layout?: unknown;
  label?: string;
  [key: string]: unknown;
}

export interface ViewDefinition {
  object: string;
  label: string;
  columns: string[];
  filter?: Record<string, unknown>;
  sort?: string[];
  pageSize?: number;
  default?: boolean;
  [key: string]: unknown;
}

/** The whole document an admin reads (`GET /api/meta`). */
export type FullMetaDocument = MetaDocument & { version: number };

export interface PlanStep {
  kind: string;
  sql?: string;
  destructive?: boolean;
  rewrite?: boolean;
  description?: string;
  phase?: 'transaction' | 'after-commit';
  object?: string;
  field?: string;
}

export interface SectionSummary {
  added: string[];
  removed: string[];
  changed: string[];
  renamed?: Array<{ from: string; to: string }>;
}

export type ChangeSummary = Partial<Record<Exclude<keyof MetaDocument, 'version'>, SectionSummary>> & {
  fields?: Record<string, SectionSummary>;
};

/** A data check that fails now: applying would be refused (409) until the data is fixed. */
export interface PlanConflict {
  path?: string;
  object?: string;
  field?: string;
  count?: number;
  message?: string;
}

export interface MetaPlan {
  version: number;
  changed: boolean;
  steps: PlanStep[];
  destructive: boolean;
  conflicts: PlanConflict[];
  summary: ChangeSummary;
  /** The change as business changes (servers before issue 22 leave it out). */
  changes?: PlanChange[];
}

/** One business change of a plan: `code` with `params` (names and labels) and their translations. */
export interface PlanChange {
  section: string;
  name: string;
  label: string;
  code: string;
  params: Record<string, string | number | boolean>;
  labels?: Record<string, Record<string, string>>;
}

export interface MetaApplyResult {
  version: number;
  changed: boolean;
  plan: { steps: PlanStep[]; destructive: boolean };
  summary: ChangeSummary;
}

export interface HistoryEntry {
  version: number;
  at: string;
  author?: { id: string; name: string } | null;
  source?: string;
  summary?: ChangeSummary;
  /** The steps that ran (stored as a list; older entries may wrap them in `{steps}`). */
  plan?: PlanStep[] | { steps?: PlanStep[]; destructive?: boolean } | null;
}

/** The steps a history entry ran, whichever shape it was stored in. */
export function historySteps(entry: Pick<HistoryEntry, 'plan'>): PlanStep[] {
  const plan = entry.plan;
  if (Array.isArray(plan)) return plan;
  return Array.isArray(plan?.steps) ? plan.steps : [];
}

/** What is being published: a document patch, or a revert to an earlier version. */
export type PublishSource = { document: Partial<MetaDocument> } | { revertTo: number };

const ifMatch = (version: number | undefined) =>
  version === undefined ? {} : { headers: { 'if-match': String(version) } };

export function fetchMetaDocument(client: ApiClient, signal?: AbortSignal): Promise<FullMetaDocument> {
  return client.get<FullMetaDocument>('/api/meta', signal ? { signal } : {});
}

/** Dry run: the steps, data conflicts and summary, nothing changes. */
export function planPublish(client: ApiClient, source: PublishSource): Promise<MetaPlan> {
  return 'revertTo' in source
    ? client.post<MetaPlan>(`/api/meta/history/${source.revertTo}/revert/plan`)
    : client.post<MetaPlan>('/api/meta/plan', source.document);
}

/**
 * Applies what was planned, against the version the plan was made for: if someone published in
 * between, the server answers 409 instead of applying a plan nobody has seen.
 */
export function applyPublish(
  client: ApiClient,
  source: PublishSource,
  opts: { allowDestructive: boolean; expectedVersion?: number },
): Promise<MetaApplyResult> {
  const query = opts.allowDestructive ? { allowDestructive: true } : {};
  const ro = { query, ...ifMatch(opts.expectedVersion) };
  return 'revertTo' in source
    ? client.post<MetaApplyResult>(`/api/meta/history/${source.revertTo}/revert`, undefined, ro)
    : client.post<MetaApplyResult>('/api/meta/apply', source.document, ro);
}

export async function fetchMetaHistory(
  client: ApiClient,
  opts: { limit?: number; before?: number; signal?: AbortSignal } = {},
): Promise<HistoryEntry[]> {
  const res = await client.get<{ items: HistoryEntry[] }>('/api/meta/history', {
    query: { limit: opts.limit, before: opts.before },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return res.items ?? [];
}
