import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context';
import { fetchAppMeta } from '../api/meta-api';
import { useSession } from '../session/session-context';

/** Query key of the current user's metadata; invalidate it after publishing a change. */
export const appMetaKey = (tenant: string, userId: string) => ['meta', 'app', tenant, userId] as const;

/** The metadata the signed-in user may see (null while the server has no metadata endpoint). */
export function useAppMeta() {
  const api = useApi();
  const session = useSession();
  return useQuery({
    queryKey: appMetaKey(session.tenant, session.user.id),
    queryFn: ({ signal }) => fetchAppMeta(api, { isAdmin: session.isAdmin, signal }),
  });
}
