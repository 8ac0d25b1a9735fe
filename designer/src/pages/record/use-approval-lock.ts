import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/api-error';
import { lockOptionOf } from '../../approvals/approvals-api';
import { useApprovalsApi } from '../../approvals/use-approvals';
import { apiErrorText } from '../../i18n/error-text';
import type { RecordRow } from '../../records/records-api';
import { recordKeys } from '../../records/use-records-api';
import { useSession } from '../../session/session-context';
import { useToast } from '../../ui';

/**
 * The approval lock of one record: pending (waiting for approvers), or approved and kept locked by
 * its workflow (`afterApproval: lock`), which an admin may lift with a reason (audited).
 */
export function useApprovalLock(object: string, record?: RecordRow) {
  const { t } = useTranslation();
  const toast = useToast();
  const session = useSession();
  const queryClient = useQueryClient();
  const approvals = useApprovalsApi();
  const [locked, setLocked] = useState(record?.approval_status === 'pending');
  // Locked because a workflow keeps approved records locked, not because an approval is pending.
  const [approvedLock, setApprovedLock] = useState(false);
  const [unlocking, setUnlocking] = useState(false);
  const [unlockReason, setUnlockReason] = useState('');
  // The same query as the approval panel's (one request): the server says whether an approval holds
  // the record locked, so the page says so before anyone tries a save.
  const approvedRecord = record?.approval_status === 'approved';
  const hold = useQuery({
    queryKey: [...recordKeys.one(session.tenant, object, record?.id ?? ''), 'approvals'],
    queryFn: ({ signal }) => approvals.forRecord(object, record?.id ?? '', signal),
    enabled: approvedRecord,
  });
  const held = approvedRecord && lockOptionOf(hold.data)?.locked === true;
  useEffect(() => {
    setLocked(record?.approval_status === 'pending' || held);
    setApprovedLock(held);
  }, [record?.approval_status, held]);

  const onLocked = (e?: unknown) => {
    setLocked(true);
    setApprovedLock(isApiError(e, 'RECORD_LOCKED') && e.details?.reason === 'approved');
  };

  const unlock = async () => {
    if (!record) return;
    try {
      await approvals.unlock(object, record.id, unlockReason.trim());
      setUnlocking(false);
      setUnlockReason('');
      toast({ tone: 'success', title: t('record.unlocked') });
      await queryClient.invalidateQueries({ queryKey: recordKeys.one(session.tenant, object, record.id) });
    } catch (e) {
      toast({
        tone: 'error',
        title: t('record.saveFailed', { message: isApiError(e) ? apiErrorText(t, e) : String(e) }),
      });
    }
  };

  return {
    locked,
    approvedLock,
    onLocked,
    canUnlock: approvedLock && session.isAdmin,
    unlocking,
    setUnlocking,
    unlockReason,
    setUnlockReason,
    unlock,
  };
}

export type ApprovalLock = ReturnType<typeof useApprovalLock>;
