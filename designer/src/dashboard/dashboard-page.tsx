import { LayoutDashboard } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { itemLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import { useAppMeta } from '../meta/use-app-meta';
import { ErrorState, LoadingState, Page, PageHeader } from '../ui';
import { ReportWidget } from './report-widget';
import { useDashboard, useDashboardList } from './reports-api';
import '../pages/home-page.css';

/**
 * A dashboard opened by name (`/d/:name`, a `home: false` dashboard such as Customer value): its
 * report widgets, each run with the viewer's permissions, in the home page's grid.
 */
export function DashboardPage() {
  const { name = '' } = useParams();
  const { t } = useTranslation();
  const { locale } = useLocale();
  const meta = useAppMeta();
  const board = useDashboard(name);
  if (board.isPending) return <LoadingState label={t('common.loading')} />;
  if (board.isError)
    return (
      <Page>
        <ErrorState title={t('errors.title')} body={board.error?.message} />
      </Page>
    );
  const d = board.data;
  return (
    <Page wide>
      <PageHeader
        icon={<LayoutDashboard size={20} aria-hidden="true" />}
        title={itemLabel(d, locale, d.label)}
        subtitle={<DashboardLinks current={name} />}
      />
      <div className="f-home__grid">
        {d.widgets.map((w, i) => (
          <ReportWidget
            // biome-ignore lint/suspicious/noArrayIndexKey: a dashboard may show one report twice; its order is the definition's
            key={`${w.report}-${i}`}
            widget={w}
            meta={meta.data}
            className={w.width === 'full' ? 'f-home__chart f-home__wide' : 'f-home__chart'}
          />
        ))}
      </div>
    </Page>
  );
}

/** Links to the dashboards the user may open by name (none: nothing). */
export function DashboardLinks({ current }: { current?: string }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const list = useDashboardList();
  const items = (list.data?.items ?? []).filter((d) => d.name !== current);
  if (!items.length) return null;
  return (
    <nav className="f-dashboard-links" aria-label={t('dashboard.others')}>
      <span>{t('dashboard.others')}:</span>
      {items.map((d) => (
        <Link key={d.name} to={`/d/${encodeURIComponent(d.name)}`}>
          {itemLabel(d, locale, d.label)}
        </Link>
      ))}
    </nav>
  );
}
