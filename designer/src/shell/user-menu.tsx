import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { ArrowLeft, ChevronDown, LogOut, PencilRuler } from 'lucide-react';
import { useSession, useSessionApi } from '../session/session-context';
import { Avatar, Badge, Menu, MenuItem, MenuSeparator, useToast } from '../ui';

export function UserMenu() {
  const { t } = useTranslation();
  const session = useSession();
  const { logout } = useSessionApi();
  const navigate = useNavigate();
  const location = useLocation();
  const toast = useToast();
  const inDesigner = location.pathname.startsWith('/designer');

  const signOut = async () => {
    try {
      await logout();
      navigate('/login', { replace: true });
    } catch {
      toast({ title: t('shell.signOutFailed'), tone: 'error' });
    }
  };

  return (
    <Menu
      label={t('shell.userMenu', { name: session.user.name })}
      trigger={
        <button
          type="button"
          className="f-user-trigger"
          aria-label={t('shell.userMenu', { name: session.user.name })}
          data-testid="user-menu"
        >
          <Avatar name={session.user.name || session.user.email} size={28} />
          <span className="f-user-trigger__name">{session.user.name}</span>
          <ChevronDown size={14} aria-hidden="true" />
        </button>
      }
    >
      <div className="f-user-card">
        <Avatar name={session.user.name || session.user.email} size={36} />
        <div className="f-user-card__text">
          <span className="f-user-card__name">
            {session.user.name} {session.isAdmin && <Badge tone="primary">{t('shell.admin')}</Badge>}
          </span>
          <span className="f-user-card__email">{session.user.email}</span>
        </div>
      </div>
      <MenuSeparator />
      {session.isAdmin &&
        (inDesigner ? (
          <MenuItem icon={<ArrowLeft size={16} aria-hidden="true" />} onSelect={() => navigate('/')}>
            {t('shell.backToApp')}
          </MenuItem>
        ) : (
          <MenuItem icon={<PencilRuler size={16} aria-hidden="true" />} onSelect={() => navigate('/designer')}>
            {t('shell.designer')}
          </MenuItem>
        ))}
      <MenuItem icon={<LogOut size={16} aria-hidden="true" />} onSelect={() => void signOut()}>
        {t('shell.signOut')}
      </MenuItem>
    </Menu>
  );
}
