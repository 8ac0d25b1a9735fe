import type { ApiClient } from '../api/api-client';
import type { ApiFilter } from './filter-model';

/** `POST /api/records/:object/bulk` (docs/records.md, "Bulk actions"). */
export interface BulkRefusal {
  id: string;
  /** null: a record the user may not read (nothing about it is told). */
  label: string | null;
  code: string;
  reason: string;
  fields?: Record<string, string>;
  /** `{code, params}` per field, for the user's language. */
  fieldErrors?: Record<string, { code: string; params?: Record<string, unknown> }>;
}

interface BulkAnswer {
  done: string[];
  refused: BulkRefusal[];
  next: string | null;
  total?: number;
  bulk: string;
}

export interface BulkOutcome {
  done: number;
  refused: BulkRefusal[];
}

export type BulkTarget = { ids: string[] } | { filter: ApiFilter };

/** Ids per call: the server takes up to 200; smaller calls show progress more often. */
export const BULK_CHUNK = 100;
/** The largest selection the list acts on at once (its filter for export holds at most 1000 ids). */
export const MAX_SELECTION = 1000;

/**
 * Runs a bulk action call after call (each a bounded batch on the server) and reports progress:
 * a selection in chunks of ids, a filter page by page following `next`. Every call shares the
 * first call's bulk id, so the audit names one action.
 */
export async function runBulk(
  api: ApiClient,
  object: string,
  action: { action: 'update'; changes: Record<string, unknown> } | { action: 'delete' },
  target: BulkTarget,
  onProgress: (done: number, total: number) => void,
): Promise<BulkOutcome> {
  const path = `/api/records/${encodeURIComponent(object)}/bulk`;
  const out: BulkOutcome = { done: 0, refused: [] };
  let bulk: string | undefined;
  const take = (a: BulkAnswer) => {
    bulk = a.bulk;
    out.done += a.done.length;
    out.refused.push(...a.refused);
  };
  if ('ids' in target) {
    const total = target.ids.length;
    onProgress(0, total);
    for (let i = 0; i < total; i += BULK_CHUNK) {
      take(
        await api.post<BulkAnswer>(path, {
          ...action,
          ids: target.ids.slice(i, i + BULK_CHUNK),
          ...(bulk ? { bulk } : {}),
        }),
      );
      onProgress(Math.min(total, i + BULK_CHUNK), total);
    }
    return out;
  }
  let cursor: string | null = null;
  let total = 0;
  let seen = 0;
  do {
    const a: BulkAnswer = await api.post<BulkAnswer>(path, {
      ...action,
      filter: target.filter,
      limit: BULK_CHUNK,
      ...(cursor ? { cursor } : {}),
      ...(bulk ? { bulk } : {}),
    });
    if (a.total !== undefined) total = a.total;
    take(a);
    seen += a.done.length + a.refused.length;
    onProgress(seen, Math.max(total, seen));
    cursor = a.next;
  } while (cursor);
  return out;
}
