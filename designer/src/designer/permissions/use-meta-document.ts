import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { fetchMetaDocument } from '../common';

/** Under `['meta']`, so a publish anywhere in the designer (PublishDialog invalidates it) refreshes it. */
export const metaDocumentKey = ['meta', 'designer-document'] as const;

/** The whole metadata document with its version (`GET /api/meta`, admins). */
export function useMetaDocument() {
  const client = useApi();
  return useQuery({ queryKey: metaDocumentKey, queryFn: ({ signal }) => fetchMetaDocument(client, signal) });
}
