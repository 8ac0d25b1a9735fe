import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Popover } from 'radix-ui';
import { Bell, BellRing, Inbox } from 'lucide-react';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { useInbox } from '../approvals/use-approvals';
import { useSession } from '../session/session-context';
import { Button, EmptyState, IconButton } from '../ui';

interface Notification {
  id: string;
  kind?: string;
  title?: string;
  message?: string;
  body?: string;
  createdAt?: string;
  read?: boolean;
  readAt?: string | null;
  link?: string;
  data?: { object?: unknown; record?: unknown } | null;
}

/** Where a notification leads: its own link, else the record it is about. */
function linkOf(n: Notification): string | undefined {
  if (n.link?.startsWith('/')) return n.link;
  const { object, record } = n.data ?? {};
  if (typeof object === 'string' && typeof record === 'string')
    return `/o/${encodeURIComponent(object)}/${encodeURIComponent(record)}`;
  return undefined;
}

function notificationsOf(a: unknown): Notification[] {
  const items = Array.isArray(a) ? a : (a as { items?: unknown })?.items;
  return Array.isArray(items) ? (items as Notification[]) : [];
}

const isUnread = (n: Notification) => n.read !== true && !n.readAt;

/**
 * The bell: approvals waiting for the user (the inbox) and in-app notifications
 * (`GET /api/notifications`), with an unread count on the button. A server without either simply
 * shows fewer items.
 */
export function NotificationsBell() {
  const { t } = useTranslation();
  const api = useApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const inbox = useInbox();
  const key = ['notifications', session.tenant, session.user.id];
  const notifications = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) => {
      try {
        return notificationsOf(await api.get<unknown>('/api/notifications', { signal }));
      } catch (e) {
        if (isApiError(e, 'NOT_FOUND')) return [];
        throw e;
      }
    },
    refetchInterval: 60_000,
  });
  const waiting = inbox.data?.items.length ?? 0;
  const list = notifications.data ?? [];
  const unread = list.filter(isUnread);
  // An approval task usually arrives with a notification about it: the larger of the two counts
  // never counts one event twice, and never hides work that still waits after the news was read.
  const count = Math.max(waiting, unread.length);
  const label =
    count > 0 ? `${t('shell.notifications')} (${t('notifications.unread', { count })})` : t('shell.notifications');

  const markRead = async () => {
    await api
      .post('/api/notifications/read-all')
      .catch(() =>
        Promise.allSettled(unread.map((n) => api.post(`/api/notifications/${encodeURIComponent(n.id)}/read`))),
      );
    await queryClient.invalidateQueries({ queryKey: key });
  };

  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <IconButton
          label={label}
          className="f-bell"
          icon={
            <>
              <Bell size={18} aria-hidden="true" />
              {count > 0 && (
                <span className="f-bell__count" aria-hidden="true" data-testid="bell-count">
                  {count > 99 ? '99+' : count}
                </span>
              )}
            </>
          }
        />
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="f-popover" align="end" sideOffset={6} collisionPadding={8}>
          <h2 className="f-popover__title">{t('shell.notifications')}</h2>
          {count === 0 ? (
            <EmptyState
              compact
              icon={<BellRing size={18} aria-hidden="true" />}
              title={t('shell.noNotifications')}
              body={t('shell.noNotificationsBody')}
            />
          ) : (
            <ul className="f-bell__list">
              {waiting > 0 && (
                <li>
                  <Popover.Close asChild>
                    <Link to="/approvals" className="f-bell__item f-bell__item--unread">
                      <Inbox size={16} aria-hidden="true" />
                      <span>{t('notifications.approvalsWaiting', { count: waiting })}</span>
                    </Link>
                  </Popover.Close>
                </li>
              )}
              {list.slice(0, 8).map((n) => {
                const text = n.title ?? n.message ?? n.body ?? '';
                const to = linkOf(n);
                return (
                  <li key={n.id}>
                    {to ? (
                      <Popover.Close asChild>
                        <Link to={to} className={isUnread(n) ? 'f-bell__item f-bell__item--unread' : 'f-bell__item'}>
                          {text}
                        </Link>
                      </Popover.Close>
                    ) : (
                      <p className={isUnread(n) ? 'f-bell__item f-bell__item--unread' : 'f-bell__item'}>{text}</p>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {unread.length > 0 && (
            <Button variant="ghost" size="sm" onClick={() => void markRead()}>
              {t('notifications.markRead')}
            </Button>
          )}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
