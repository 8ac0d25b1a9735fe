import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CheckCircle2, Database, GitBranch, Inbox, Users } from 'lucide-react';
import { useInbox } from '../approvals/use-approvals';
import { DashboardLinks } from '../dashboard/dashboard-page';
import { HomeDashboard } from '../dashboard/home-dashboard';
import { useAppMeta } from '../meta/use-app-meta';
import { useSession } from '../session/session-context';
import { Card, EmptyState, Page } from '../ui';
import './home-page.css';
import { tenantDisplayName } from '../api/auth-api';

function greetingKey(hour: number): 'home.morning' | 'home.afternoon' | 'home.evening' {
  if (hour < 12) return 'home.morning';
  if (hour < 18) return 'home.afternoon';
  return 'home.evening';
}

/** Home: greets the user, shows their dashboard (by role) and what waits for their approval. */
export function HomePage() {
  const { t } = useTranslation();
  const session = useSession();
  const firstName = session.user.name.split(/\s+/)[0] || session.user.email;
  const meta = useAppMeta();
  const inbox = useInbox();
  const waiting = inbox.data?.items.length ?? 0;
  return (
    <Page>
      <header className="f-home__header">
        <h1>{t(greetingKey(new Date().getHours()), { name: firstName })}</h1>
        <p className="f-home__subtitle">{t('home.subtitle', { tenant: tenantDisplayName(session) })}</p>
        <DashboardLinks />
      </header>
      <div className="f-home__grid">
        {session.isAdmin && (
          <Card title={t('home.getStarted')} className="f-home__wide">
            <ol className="f-home__steps">
              {(
                [
                  ['home.step1', Database, '/designer/objects'],
                  ['home.step2', Users, '/designer/users'],
                  ['home.step3', GitBranch, '/designer/workflows'],
                ] as const
              ).map(([key, Icon, to], i) => (
                <li key={key}>
                  <Link to={to} className="f-home__step">
                    <span className="f-home__step-no">{i + 1}</span>
                    <Icon size={18} aria-hidden="true" />
                    <span>{t(key)}</span>
                  </Link>
                </li>
              ))}
            </ol>
          </Card>
        )}
        <HomeDashboard meta={meta.data} />
        <Card title={t('home.approvals')}>
          {waiting > 0 ? (
            <Link to="/approvals" className="f-home__waiting">
              <Inbox size={18} aria-hidden="true" />
              {t('notifications.approvalsWaiting', { count: waiting })}
            </Link>
          ) : (
            <EmptyState icon={<CheckCircle2 size={20} aria-hidden="true" />} title={t('home.approvalsEmpty')} compact />
          )}
        </Card>
      </div>
    </Page>
  );
}
