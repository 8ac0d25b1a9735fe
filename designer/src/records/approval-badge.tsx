import { useTranslation } from 'react-i18next';
import { Badge } from '../ui';

const TONES = { none: 'neutral', pending: 'warning', approved: 'success', rejected: 'neutral' } as const;

/** A record's approval status in the user's words. */
export function ApprovalBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const known = status in TONES ? (status as keyof typeof TONES) : 'none';
  return <Badge tone={TONES[known]}>{t(`record.status_${known}`)}</Badge>;
}
