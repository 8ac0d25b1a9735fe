import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation } from 'react-router';
import { cx } from '../ui';
import { Sidebar } from './sidebar';
import { TopBar } from './top-bar';
import { useMediaQuery } from './use-media-query';
import { useStoredFlag } from './use-stored-flag';
import './shell.css';

/** Widths where the sidebar is a full column (laptop+), an icon rail (tablet) or a drawer (phone). */
const WIDE = '(min-width: 1200px)';
const TABLET_UP = '(min-width: 768px)';

/**
 * The signed-in frame around every page: tenant-branded sidebar with metadata navigation, top bar
 * with language, notifications and account menu, and the routed page in <main>.
 */
export function AppShell() {
  const { t } = useTranslation();
  const wide = useMediaQuery(WIDE);
  const tabletUp = useMediaQuery(TABLET_UP);
  const [collapsed, setCollapsed] = useStoredFlag('forma.nav.collapsed', false);
  const { pathname } = useLocation();
  // The drawer remembers the page it was opened on: navigating (or widening the window) closes it.
  const [overlayAt, setOverlayAt] = useState<string | null>(null);
  const overlayOpen = overlayAt === pathname && !wide;
  const setOverlayOpen = useCallback((open: boolean) => setOverlayAt(open ? pathname : null), [pathname]);

  useEffect(() => {
    if (!overlayOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOverlayOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [overlayOpen, setOverlayOpen]);

  const layout = wide ? (collapsed ? 'rail' : 'expanded') : tabletUp ? 'rail' : 'hidden';
  const toggle = () => (wide ? setCollapsed(!collapsed) : setOverlayOpen(!overlayOpen));

  return (
    <div className={cx('f-shell', `f-shell--${layout}`)} data-layout={layout}>
      <a href="#main" className="f-skip-link">
        {t('shell.skipToContent')}
      </a>
      {(layout !== 'hidden' || overlayOpen) && (
        <div className="f-shell__nav">
          <Sidebar
            mode={overlayOpen ? 'overlay' : layout === 'expanded' ? 'expanded' : 'rail'}
            onToggle={toggle}
            onClose={() => setOverlayOpen(false)}
          />
        </div>
      )}
      {overlayOpen && <div className="f-shell__backdrop" aria-hidden="true" onClick={() => setOverlayOpen(false)} />}
      <div className="f-shell__main">
        <TopBar onOpenNav={layout === 'hidden' ? () => setOverlayOpen(true) : undefined} />
        <main id="main" tabIndex={-1} className="f-shell__content">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
