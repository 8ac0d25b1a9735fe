import type { SegmentRefreshRun, SegmentSummary } from '@forma/metadata/api-types';
import type { ApiClient } from '../../api/api-client';

export type { SegmentRefreshRun, SegmentSummary };

/** `/api/segments` (docs/analytics.md, Segments): what the designer reads besides the metadata. */
export function segmentsApi(api: ApiClient) {
  return {
    list: (signal?: AbortSignal) =>
      api.get<{ items: SegmentSummary[] }>('/api/segments', signal ? { signal } : {}).then((r) => r.items),
    /** One segment with `count`: its members the caller may read (all of them, for an admin). */
    get: (name: string, signal?: AbortSignal) =>
      api.get<SegmentSummary>(`/api/segments/${encodeURIComponent(name)}`, signal ? { signal } : {}),
    /** Live records of `object` matching `filter` now: the count of a segment being edited. */
    preview: (object: string, filter: Record<string, unknown>, signal?: AbortSignal) =>
      api.post<{ count: number }>('/api/segments/preview', { object, filter }, signal ? { signal } : {}),
    refresh: (name: string) => api.post<SegmentRefreshRun>(`/api/segments/${encodeURIComponent(name)}/refresh`),
    history: (name: string, signal?: AbortSignal) =>
      api
        .get<{ items: SegmentRefreshRun[] }>(
          `/api/segments/${encodeURIComponent(name)}/history`,
          signal ? { signal } : {},
        )
        .then((r) => r.items),
  };
}
