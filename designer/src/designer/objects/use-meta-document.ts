import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { useSession } from '../../session/session-context';
import { fetchMetaDocument } from '../common/meta-write-api';

/** Under the `meta` key, so PublishDialog's invalidation refreshes it along with the app's metadata. */
export const metaDocumentKey = (tenant: string) => ['meta', 'admin', tenant] as const;

/** The tenant's whole metadata document (admins), with x-ids, as the designer edits it. */
export function useMetaDocument() {
  const api = useApi();
  const session = useSession();
  return useQuery({
    queryKey: metaDocumentKey(session.tenant),
    queryFn: ({ signal }) => fetchMetaDocument(api, signal),
    // An editor must start from the newest version, never a cached older one.
    staleTime: 0,
  });
}
