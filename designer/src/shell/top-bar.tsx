import { useTranslation } from 'react-i18next';
import { Menu as MenuIcon } from 'lucide-react';
import { IconButton } from '../ui';
import { useSession } from '../session/session-context';
import { GlobalSearch } from '../search/global-search';
import { LanguageSwitch } from './language-switch';
import { NotificationsBell } from './notifications-bell';
import { UserMenu } from './user-menu';
import { OfflineStatus } from '../offline/offline-status';
import '../offline/briefcase.css';
import { tenantDisplayName } from '../api/auth-api';

export function TopBar({ onOpenNav }: { onOpenNav?: (() => void) | undefined }) {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <header className="f-topbar">
      <div className="f-topbar__start">
        {onOpenNav && (
          <>
            <IconButton
              label={t('shell.openNav')}
              icon={<MenuIcon size={20} aria-hidden="true" />}
              onClick={onOpenNav}
            />
            <span className="f-topbar__tenant">{tenantDisplayName(session)}</span>
          </>
        )}
        <GlobalSearch />
      </div>
      <div className="f-topbar__end">
        <OfflineStatus />
        <LanguageSwitch />
        <NotificationsBell />
        <span className="f-topbar__divider" aria-hidden="true" />
        <UserMenu />
      </div>
    </header>
  );
}
