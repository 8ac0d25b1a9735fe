import { useInfiniteQuery } from '@tanstack/react-query';
import { useSession } from '../session/session-context';
import type { ApiFilter } from './filter-model';
import { recordKeys, useRecordsApi } from './use-records-api';

export interface ListQuery {
  filter: ApiFilter | undefined;
  sort: string[];
  q: string;
  pageSize: number;
  fields: string[];
  expand: string[];
}

/** Keyset pages of one object's list: `fetchNextPage` follows the server's opaque cursor. */
/** `enabled: false` keeps the query idle (the list shown as a board or a calendar). */
export function useRecordList(object: string, query: ListQuery, enabled = true) {
  const records = useRecordsApi();
  const { tenant } = useSession();
  return useInfiniteQuery({
    queryKey: recordKeys.list(tenant, object, query),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      records.list(
        object,
        {
          filter: query.filter,
          sort: query.sort.join(','),
          q: query.q,
          limit: query.pageSize,
          cursor: pageParam,
          expand: query.expand,
          // The total is only worth its cost once, on the first page.
          count: pageParam === undefined,
        },
        signal,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}
