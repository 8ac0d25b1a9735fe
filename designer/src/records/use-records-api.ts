import { useMemo } from 'react';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { recordsApi } from './records-api';

export function useRecordsApi() {
  const api = useApi();
  return useMemo(() => recordsApi(api), [api]);
}

/**
 * A whole route missing (the server has no such endpoint yet) answers 404 without our error
 * shape's message; a missing record answers NOT_FOUND with one. Screens show "not available yet"
 * for the first and "not found" for the second.
 */
export function isEndpointMissing(e: unknown): boolean {
  return isApiError(e, 'NOT_FOUND') && /^No route for |^Request failed with status 404$/.test(e.message);
}

/** Query keys of everything records-related, so a save can invalidate lists, records and charts. */
export const recordKeys = {
  all: (tenant: string) => ['records', tenant] as const,
  object: (tenant: string, object: string) => ['records', tenant, object] as const,
  list: (tenant: string, object: string, params: unknown) => ['records', tenant, object, 'list', params] as const,
  one: (tenant: string, object: string, id: string) => ['records', tenant, object, 'one', id] as const,
};
