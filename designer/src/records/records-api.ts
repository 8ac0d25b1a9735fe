import type { LookupLabel } from './lookup-value';
import type { ApiClient, QueryValue } from '../api/api-client';
import type { ApiFilter } from './filter-model';

/** A record as the API returns it: the object's fields plus the system fields. */
export interface RecordRow {
  id: string;
  version?: number;
  owner?: string;
  created_at?: string;
  updated_at?: string;
  approval_status?: 'none' | 'pending' | 'approved' | 'rejected';
  [field: string]: unknown;
}

export interface RecordPage {
  items: RecordRow[];
  nextCursor: string | null;
  total?: number;
}

export interface ListParams {
  filter?: ApiFilter | undefined;
  /** `-amount,name` */
  sort?: string | undefined;
  q?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  fields?: string[] | undefined;
  expand?: string[] | undefined;
  count?: boolean | undefined;
}

export interface HistoryEntry {
  at: string;
  user?: string | { id?: string; name?: string; email?: string } | null;
  /** The author's name (the server's; `user` is their id). */
  userName?: string | null;
  action: string;
  changes?: Record<string, [unknown, unknown]>;
}

/** What `POST …/actions/:script` answers (docs/scripts.md). */
export interface ActionAnswer {
  result?: unknown;
  changes?: Record<string, unknown>;
  errors?: Record<string, string>;
  logs?: string[];
  record?: RecordRow;
}

export interface ImportReport {
  inserted: number;
  updated: number;
  failed: Array<{ row: number; errors: Record<string, string> | string[] | string }>;
}

const enc = encodeURIComponent;

/** The records API's query string: the filter travels as URL-encoded JSON, lists as commas. */
export function listQuery(p: ListParams): Record<string, QueryValue> {
  const hasFilter = p.filter && Object.keys(p.filter).length > 0;
  return {
    filter: hasFilter ? JSON.stringify(p.filter) : undefined,
    sort: p.sort || undefined,
    q: p.q?.trim() || undefined,
    limit: p.limit,
    cursor: p.cursor,
    fields: p.fields?.length ? p.fields.join(',') : undefined,
    expand: p.expand?.length ? p.expand.join(',') : undefined,
    count: p.count ? 'true' : undefined,
  };
}

/** Typed calls of shared/API.md "Records"; every one rejects with ApiError. */
export function recordsApi(api: ApiClient) {
  const base = (object: string) => `/api/records/${enc(object)}`;
  return {
    list: (object: string, p: ListParams, signal?: AbortSignal) =>
      api.get<RecordPage>(base(object), { query: listQuery(p), ...(signal ? { signal } : {}) }),
    get: (object: string, id: string, signal?: AbortSignal) =>
      api.get<RecordRow>(`${base(object)}/${enc(id)}`, signal ? { signal } : {}),
    create: (object: string, body: Record<string, unknown>) => api.post<RecordRow>(base(object), body),
    /** Optimistic concurrency: a stale `version` answers 409 CONFLICT. */
    update: (object: string, id: string, version: number | undefined, body: Record<string, unknown>) =>
      api.patch<RecordRow>(`${base(object)}/${enc(id)}`, body, {
        ...(version !== undefined ? { headers: { 'if-match': String(version) } } : {}),
      }),
    remove: (object: string, id: string) => api.delete<void>(`${base(object)}/${enc(id)}`),
    /** The recycle bin: the same list, of deleted records. */
    listDeleted: (object: string, p: ListParams, signal?: AbortSignal) =>
      api.get<RecordPage>(base(object), {
        query: { ...listQuery(p), deleted: 'true' },
        ...(signal ? { signal } : {}),
      }),
    restore: (object: string, id: string) => api.post<RecordRow>(`${base(object)}/${enc(id)}/restore`, {}),
    /** For good (tenant admins). */
    purge: (object: string, id: string) => api.post<void>(`${base(object)}/${enc(id)}/purge`, {}),
    /** An `action` script (a button) on one record: `params` is its body. */
    runAction: (object: string, id: string, script: string, params: Record<string, unknown> = {}) =>
      api.post<ActionAnswer>(`${base(object)}/${enc(id)}/actions/${enc(script)}`, params),
    /** A plugin endpoint declared as a record action; `path` was checked by the server (`/api/plugins/…{id}…`). */
    runEndpoint: (path: string, id: string) => api.post<Record<string, unknown>>(path.replace('{id}', enc(id)), {}),
    history: (object: string, id: string, signal?: AbortSignal) =>
      api.get<HistoryEntry[] | { items: HistoryEntry[] }>(
        `${base(object)}/${enc(id)}/history`,
        signal ? { signal } : {},
      ),
    aggregate: (object: string, query: Record<string, QueryValue>, signal?: AbortSignal) =>
      api.get<{ groups: Array<Record<string, unknown>> }>(`${base(object)}/aggregate`, {
        query,
        ...(signal ? { signal } : {}),
      }),
    importCsv: (object: string, csv: string, opts: { dryRun?: boolean; partial?: boolean } = {}) =>
      api.post<ImportReport>(`${base(object)}/import`, csv, {
        headers: { 'content-type': 'text/csv' },
        query: { dryRun: opts.dryRun ? 'true' : undefined, partial: opts.partial ? 'true' : undefined },
      }),
    exportFile: (object: string, format: 'csv' | 'xlsx', p: ListParams) =>
      api.raw('GET', `${base(object)}/export`, {
        // For people: labelled headers and lookup names (ids in a column beside them).
        query: { format, filter: listQuery(p).filter, sort: listQuery(p).sort, labels: true },
      }),
    /** One record's line items (a quote's lines) as a file for people: labels and product names. */
    exportLines: (object: string, id: string, field: string, format: 'csv' | 'xlsx') =>
      api.raw('GET', `${base(object)}/${enc(id)}/lines/${enc(field)}/export`, { query: { format } }),
  };
}

export type RecordsApi = ReturnType<typeof recordsApi>;

/** The records the history's lookup values point at, by id (the server's `labels`). */
export function historyLabels(answer: unknown): Record<string, LookupLabel> {
  const labels = answer && typeof answer === 'object' ? (answer as { labels?: unknown }).labels : undefined;
  return labels && typeof labels === 'object' ? (labels as Record<string, LookupLabel>) : {};
}

/** History answers may be a bare array or `{items}`; the screen wants the array. */
export function historyItems(answer: HistoryEntry[] | { items: HistoryEntry[] } | undefined): HistoryEntry[] {
  if (!answer) return [];
  return Array.isArray(answer) ? answer : Array.isArray(answer.items) ? answer.items : [];
}
