import { useTranslation } from 'react-i18next';
import { itemLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta } from '../meta/meta-types';
import { Card, ErrorState, LoadingState } from '../ui';
import { ChartCard } from './dashboard-charts';
import { optionLabel, reportPoints } from './report-points';
import { type DashboardWidget, type ReportColumn, useReportRun } from './reports-api';

const AGE_KEYS: Record<string, 'current' | 'days30' | 'days60' | 'days90'> = {
  current: 'current',
  '1-30': 'days30',
  '31-60': 'days60',
  '61-90': 'days90',
};

/** A table cell: a hidden parent, a lookup's name, a named value, yes/no, a number in the user's locale. */
function cellText(
  c: ReportColumn,
  row: Record<string, unknown>,
  locale: string,
  hidden: string,
  yes: string,
  no: string,
): string {
  if (row[`${c.key}_hidden`] === true) return hidden;
  const v = row[`${c.key}_label`] ?? row[c.key];
  if (v === null || v === undefined) return '—';
  if (c.options) return optionLabel(c, String(v), locale);
  if (typeof v === 'boolean') return v ? yes : no;
  if (typeof v === 'number' && c.role !== 'group') return v.toLocaleString(locale, { maximumFractionDigits: 2 });
  return String(v);
}

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
                        {cellText(c, row, locale, t('dashboard.hiddenGroup'), t('dashboard.yes'), t('dashboard.no'))}
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
