import { Briefcase, CloudOff } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../api/api-context';
import { useAppMeta } from '../meta/use-app-meta';
import { useSession } from '../session/session-context';
import { useToast } from '../ui';
import { refreshBriefcase, syncOutbox } from './briefcase';
import { useBriefcase, useOnline } from './use-briefcase';

/**
 * Always in the top bar: the way to the briefcase, "offline" when the network is gone and how many
 * changes wait. When the network comes back, the queue is sent at once (the briefcase page has
 * "sync now" for the rest).
 */
export function OfflineStatus() {
  const { t } = useTranslation();
  const api = useApi();
  const session = useSession();
  const meta = useAppMeta().data;
  const online = useOnline();
  const view = useBriefcase();
  const toast = useToast();
  const waiting = view?.outbox.filter((i) => i.status === 'pending').length ?? 0;
  // Starts "offline" so an app opened online with changes still queued sends them at once.
  const wasOnline = useRef(false);

  useEffect(() => {
    if (!view) return;
    const back = online && !wasOnline.current;
    wasOnline.current = online;
    if (!back || !waiting) return;
    void syncOutbox(api)
      .then(async (r) => {
        if (r.sent && meta) await refreshBriefcase(api, session, meta);
        if (!r.offline)
          toast({
            title: t('briefcase.synced', { sent: r.sent, conflicts: r.conflicts, refused: r.refused }),
            tone: 'success',
          });
      })
      .catch(() => undefined);
  }, [online, view, waiting, api, meta, session, t, toast]);

  const label = [
    t('briefcase.nav'),
    online ? t('briefcase.online') : t('briefcase.offline'),
    waiting ? t('briefcase.waiting', { count: waiting }) : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <Link
      to="/briefcase"
      className="f-btn f-btn--ghost f-btn--icon f-offline-status"
      aria-label={label}
      title={label}
      data-testid="offline-status"
    >
      {online ? <Briefcase size={20} aria-hidden="true" /> : <CloudOff size={20} aria-hidden="true" />}
      {(!online || waiting > 0) && (
        <span className="f-offline-status__badge" aria-hidden="true">
          {waiting || '!'}
        </span>
      )}
    </Link>
  );
}
