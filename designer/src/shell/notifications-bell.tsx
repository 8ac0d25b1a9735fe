import { useTranslation } from 'react-i18next';
import { Popover } from 'radix-ui';
import { Bell, BellRing } from 'lucide-react';
import { EmptyState, IconButton } from '../ui';

/** Placeholder until notifications exist: the bell and its panel, with an honest empty state. */
export function NotificationsBell() {
  const { t } = useTranslation();
  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <IconButton label={t('shell.notifications')} icon={<Bell size={18} aria-hidden="true" />} />
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="f-popover" align="end" sideOffset={6} collisionPadding={8}>
          <h2 className="f-popover__title">{t('shell.notifications')}</h2>
          <EmptyState
            compact
            icon={<BellRing size={18} aria-hidden="true" />}
            title={t('shell.noNotifications')}
            body={t('shell.noNotificationsBody')}
          />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
