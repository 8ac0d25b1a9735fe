import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useApi } from '../api/api-context';
import { useSession } from '../session/session-context';
import { approvalsApi } from './approvals-api';

export function useApprovalsApi() {
  const api = useApi();
  return useMemo(() => approvalsApi(api), [api]);
}

export const inboxKey = (tenant: string, userId: string) => ['approvals', 'inbox', tenant, userId] as const;

/** The signed-in user's open approval tasks; refreshed every minute for the bell. */
export function useInbox() {
  const approvals = useApprovalsApi();
  const session = useSession();
  return useQuery({
    queryKey: inboxKey(session.tenant, session.user.id),
    queryFn: ({ signal }) => approvals.inbox(signal),
    refetchInterval: 60_000,
  });
}
