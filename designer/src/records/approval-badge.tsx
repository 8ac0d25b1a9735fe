import { useTranslation } from 'react-i18next';
import { Badge } from '../ui';

const TONES = { none: 'neutral', pending: 'warning', approved: 'success', rejected: 'neutral' } as const;

/** A record's approval status in the user's words. */
export function ApprovalBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  // Only an approval request (never a record) can be recalled: it is over, like a rejection.
  if (status === 'recalled') return <Badge tone="neutral">{t('webApp.statusRecalled')}</Badge>;
  const known = status in TONES ? (status as keyof typeof TONES) : 'none';
  return <Badge tone={TONES[known]}>{t(`record.status_${known}`)}</Badge>;
}
