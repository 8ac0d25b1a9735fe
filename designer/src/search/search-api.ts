import type { ApiClient } from '../api/api-client';

/** `GET /api/search` (docs/records.md, "Global search"). */
export interface SearchHit {
  id: string;
  label: string;
  match?: { field: string; value: string };
}

export interface SearchGroup {
  object: string;
  items: SearchHit[];
  more: boolean;
}

export interface SearchAnswer {
  groups: SearchGroup[];
  partial: boolean;
}

/** What the server accepts: shorter text is not sent, longer is cut. */
export const SEARCH_MIN = 2;
export const SEARCH_MAX = 100;

export function searchRecords(api: ApiClient, q: string, signal?: AbortSignal): Promise<SearchAnswer> {
  return api.get<SearchAnswer>('/api/search', {
    query: { q: q.trim().slice(0, SEARCH_MAX) },
    ...(signal ? { signal } : {}),
  });
}

/** The palette's options in display order, each with its group: arrows walk this flat list. */
export function flatHits(groups: readonly SearchGroup[]): Array<SearchHit & { object: string }> {
  return groups.flatMap((g) => g.items.map((h) => ({ ...h, object: g.object })));
}
