import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { Home, Inbox, PanelLeftClose, PanelLeftOpen, PencilRuler, X } from 'lucide-react';
import { useSession } from '../session/session-context';
import { navItemsFromMeta } from '../meta/nav-items';
import { useAppMeta } from '../meta/use-app-meta';
import { Avatar, Button, IconButton, Spinner, cx } from '../ui';
import { useLocale } from '../i18n/use-locale';
import { NavIcon } from './nav-icon';
import { tenantDisplayName } from '../api/auth-api';

/** expanded: full width; rail: icons only (tablet); overlay: full width over the content. */
export type SidebarMode = 'expanded' | 'rail' | 'overlay';

function NavItemLink({
  to,
  icon,
  label,
  end,
  rail,
}: {
  to: string;
  icon: ReactNode;
  label: string;
  end?: boolean;
  rail: boolean;
}) {
  return (
    <li>
      <NavLink
        to={to}
        end={end ?? false}
        className={({ isActive }) => cx('f-nav__link', isActive && 'f-nav__link--active')}
        title={rail ? label : undefined}
      >
        <span className="f-nav__icon">{icon}</span>
        <span className={cx('f-nav__label', rail && 'f-sr-only')}>{label}</span>
      </NavLink>
    </li>
  );
}

function ObjectNav({ rail }: { rail: boolean }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const session = useSession();
  const meta = useAppMeta();
  if (meta.isPending) {
    return (
      <div className="f-nav__status" role="status">
        <Spinner size={14} />
        <span className={cx(rail && 'f-sr-only')}>{t('common.loading')}</span>
      </div>
    );
  }
  if (meta.isError) {
    return rail ? null : (
      <div className="f-nav__status f-nav__status--error" role="alert">
        <span>{t('nav.loadFailed')}</span>
        <Button size="sm" variant="ghost" onClick={() => void meta.refetch()}>
          {t('common.retry')}
        </Button>
      </div>
    );
  }
  const items = navItemsFromMeta(meta.data, locale);
  if (items.length === 0) {
    return rail ? null : (
      <div className="f-nav__empty">
        <div className="f-nav__empty-icon">
          <Inbox size={18} aria-hidden="true" />
        </div>
        <p className="f-nav__empty-title">{t('nav.emptyTitle')}</p>
        <p className="f-nav__empty-body">{session.isAdmin ? t('nav.emptyAdmin') : t('nav.emptyUser')}</p>
        {session.isAdmin && (
          <NavLink to="/designer" className="f-nav__empty-link">
            {t('nav.openDesigner')}
          </NavLink>
        )}
      </div>
    );
  }
  return (
    <ul className="f-nav__list">
      {items.map((item) => (
        <NavItemLink
          key={item.object}
          to={item.path}
          icon={<NavIcon name={item.icon} />}
          label={item.label}
          rail={rail}
        />
      ))}
    </ul>
  );
}

export function Sidebar({ mode, onToggle, onClose }: { mode: SidebarMode; onToggle: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const rail = mode === 'rail';
  const tenantName = tenantDisplayName(session);
  return (
    <nav className={cx('f-sidebar', `f-sidebar--${mode}`)} aria-label={t('shell.mainNav')}>
      <div className="f-sidebar__brand">
        <Avatar name={tenantName} size={32} square />
        <div className={cx('f-sidebar__brand-text', rail && 'f-sr-only')}>
          <span className="f-sidebar__tenant" data-testid="tenant-name">
            {tenantName}
          </span>
          <span className="f-sidebar__product">{t('app.name')}</span>
        </div>
        {mode === 'overlay' && (
          <IconButton label={t('common.close')} icon={<X size={18} aria-hidden="true" />} onClick={onClose} />
        )}
      </div>
      <div className="f-nav">
        <ul className="f-nav__list">
          <NavItemLink to="/" end icon={<Home size={18} aria-hidden="true" />} label={t('shell.home')} rail={rail} />
          <NavItemLink
            to="/approvals"
            icon={<Inbox size={18} aria-hidden="true" />}
            label={t('approvals.nav')}
            rail={rail}
          />
        </ul>
        <h2 className={cx('f-nav__section', rail && 'f-sr-only')}>{t('shell.objects')}</h2>
        {rail && <hr className="f-nav__divider" />}
        <ObjectNav rail={rail} />
      </div>
      <div className="f-sidebar__footer">
        {session.isAdmin && (
          <ul className="f-nav__list">
            <NavItemLink
              to="/designer"
              icon={<PencilRuler size={18} aria-hidden="true" />}
              label={t('shell.designer')}
              rail={rail}
            />
          </ul>
        )}
        {mode !== 'overlay' && (
          <button
            type="button"
            className="f-nav__link f-nav__toggle"
            onClick={onToggle}
            aria-expanded={!rail}
            title={rail ? t('shell.expandNav') : undefined}
          >
            <span className="f-nav__icon">
              {rail ? <PanelLeftOpen size={18} aria-hidden="true" /> : <PanelLeftClose size={18} aria-hidden="true" />}
            </span>
            <span className={cx('f-nav__label', rail && 'f-sr-only')}>
              {rail ? t('shell.expandNav') : t('shell.collapseNav')}
            </span>
          </button>
        )}
      </div>
    </nav>
  );
}
