import { useTranslation } from 'react-i18next';
import { itemLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta } from '../meta/meta-types';
import { Card, ErrorState, LoadingState } from '../ui';
import { ChartCard } from './dashboard-charts';
import { reportPoints } from './report-points';
import { type DashboardWidget, useReportRun } from './reports-api';

const AGE_KEYS: Record<string, 'current' | 'days30' | 'days60' | 'days90'> = {
  current: 'current',
  '1-30': 'days30',
  '31-60': 'days60',
  '61-90': 'days90',
};

/** One dashboard widget: runs its report (with the viewer's permissions) and draws it. */
export function ReportWidget({
  widget,
  meta,
  className,
}: {
  widget: DashboardWidget & { label: string };
  meta: AppMeta | null | undefined;
  className?: string;
}) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const run = useReportRun(widget.report);
  const chart = widget.chart ?? run.data?.chart ?? 'bar';
  const title = itemLabel(widget, locale);
  const ageLabel = (b: string) => (AGE_KEYS[b] ? t(`dashboard.${AGE_KEYS[b]}`) : t('homeDashboard.days', { range: b }));
  if (chart === 'table') {
    return (
      <Card title={title} className={className}>
        {run.isPending ? (
          <LoadingState compact label={t('common.loading')} />
        ) : run.isError ? (
          <ErrorState compact title={t('errors.title')} body={run.error?.message} />
        ) : (
          <div className="f-report-table">
            <table>
              <caption className="f-sr-only">{title}</caption>
              <thead>
                <tr>
                  {run.data.columns.map((c) => (
                    <th key={c.key} scope="col">
                      {itemLabel(c, locale, c.label)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {run.data.rows.map((row, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: report rows have no id; their order is the report's
                  <tr key={i}>
                    {run.data.columns.map((c) => (
                      <td key={c.key}>
                        {row[`${c.key}_hidden`] === true
                          ? t('dashboard.hiddenGroup')
                          : String(row[`${c.key}_label`] ?? row[c.key] ?? '—')}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    );
  }
  const data = run.data ? reportPoints(run.data, meta, locale, ageLabel, t('dashboard.hiddenGroup')) : undefined;
  return (
    <ChartCard
      title={title}
      query={run}
      points={data?.points}
      kind={chart === 'pie' ? 'pie' : chart === 'line' ? 'line' : 'bar'}
      layout={chart === 'funnel' ? 'vertical' : 'horizontal'}
      {...(data?.valueLabel ? { valueLabel: data.valueLabel } : {})}
      className={className ?? 'f-home__chart'}
    />
  );
}
