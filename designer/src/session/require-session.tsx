import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { Button, ErrorState, LoadingState } from '../ui';
import { useSessionApi } from './session-context';
import '../pages/full-page.css';

/** Renders its children only for a signed-in user; otherwise sends them to the login page and back. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { state, reload } = useSessionApi();
  const location = useLocation();
  const { t } = useTranslation();
  if (state.status === 'loading') {
    return (
      <div className="f-full-page">
        <LoadingState label={t('common.loading')} />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="f-full-page">
        <ErrorState
          headingLevel={1}
          title={t('errors.title')}
          body={state.error.code === 'NETWORK' ? t('login.network') : state.error.message}
          action={
            <Button variant="primary" onClick={reload}>
              {t('common.retry')}
            </Button>
          }
        />
      </div>
    );
  }
  if (state.status === 'signedOut') {
    const next = location.pathname + location.search;
    const to = next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
    return <Navigate to={to} replace state={{ expired: state.expired ?? false }} />;
  }
  return children;
}

/** Admin-only areas (the designer): non-admins see an explanation instead of a broken screen. */
export function RequireAdmin({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const { state } = useSessionApi();
  return state.status === 'signedIn' && state.session.isAdmin ? children : fallback;
}
