import { useTranslation } from 'react-i18next';
import { enumLabel, itemLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta } from '../meta/meta-types';
import { Card, ErrorState, LoadingState } from '../ui';
import { ChartCard } from './dashboard-charts';
import { fieldAt, optionLabel, reportPoints } from './report-points';
import './home-dashboard.css';
import { type DashboardWidget, type ReportNarrowing, type ReportRun, useReportRun } from './reports-api';

const AGE_KEYS: Record<string, 'current' | 'days30' | 'days60' | 'days90'> = {
  current: 'current',
  '1-30': 'days30',
  '31-60': 'days60',
  '61-90': 'days90',
};

/**
 * One dashboard widget: runs its report (with the viewer's permissions, narrowed by the dashboard's
 * filters) and draws it.
 */
export function ReportWidget({
  widget,
  meta,
  className,
  narrowing,
  note,
}: {
  widget: DashboardWidget & { label: string };
  meta: AppMeta | null | undefined;
  className?: string;
  narrowing?: ReportNarrowing;
  /** A line under the title (which of the dashboard's filters apply). */
  note?: (run: ReportRun) => string | undefined;
}) {
  const { locale } = useLocale();
  const run = useReportRun(widget.report, narrowing);
  const chart = widget.chart ?? run.data?.chart ?? 'bar';
  const title = itemLabel(widget, locale);
  const noteText = run.data && note ? note(run.data) : undefined;
  return (
    <ReportRunView
      title={title}
      chart={chart}
      run={run}
      meta={meta}
      {...(className ? { className } : {})}
      {...(noteText ? { note: noteText } : {})}
    />
  );
}

/** A report run drawn as its chart or table (dashboard widgets, the report builder's preview). */
export function ReportRunView({
  title,
  chart,
  run,
  meta,
  className,
  note,
}: {
  title: string;
  chart: string;
  run: { isPending: boolean; isError: boolean; error: Error | null; data: ReportRun | undefined };
  meta: AppMeta | null | undefined;
  className?: string;
  note?: string;
}) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const noteLine = note ? <p className="f-report-note">{note}</p> : null;
  const ageLabel = (b: string) => (AGE_KEYS[b] ? t(`dashboard.${AGE_KEYS[b]}`) : t('homeDashboard.days', { range: b }));
  const data = run.data;
  // People read names: a lookup's label, a picklist value's label in their language.
  const cell = (c: ReportRun['columns'][number], row: ReportRun['rows'][number]): string => {
    if (row[`${c.key}_hidden`] === true) return t('dashboard.hiddenGroup');
    const v = row[`${c.key}_label`] ?? row[c.key];
    if (v === null || v === undefined) return '—';
    // A named value of an analysis (an RFM segment) in the reader's language; yes/no for flags.
    if (c.options) return optionLabel(c, String(v), locale);
    if (typeof v === 'boolean') return v ? t('dashboard.yes') : t('dashboard.no');
    const field = c.role === 'group' && !c.bucket && c.field && data ? fieldAt(meta, data.object, c.field) : undefined;
    if (field?.enum) return enumLabel(field, String(v), locale);
    // A group's number is a key (a year, a count of orders), not an amount: no grouping separators.
    return typeof v === 'number' && c.role !== 'group'
      ? new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(v)
      : String(v);
  };
  if (chart === 'table') {
    return (
      <Card title={title} className={className}>
        {noteLine}
        {run.isPending ? (
          <LoadingState compact label={t('common.loading')} />
        ) : run.isError || !data ? (
          <ErrorState compact title={t('errors.title')} body={run.error?.message} />
        ) : (
          <div className="f-report-table">
            <table>
              <caption className="f-sr-only">{title}</caption>
              <thead>
                <tr>
                  {data.columns.map((c) => (
                    <th key={c.key} scope="col">
                      {itemLabel(c, locale, c.label)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((row, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: report rows have no id; their order is the report's
                  <tr key={i}>
                    {data.columns.map((c) => (
                      <td key={c.key}>{cell(c, row)}</td>
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
  const drawn = data
    ? reportPoints(data, meta, locale, ageLabel, t('dashboard.hiddenGroup'), chart !== 'pie')
    : undefined;
  return (
    <ChartCard
      title={title}
      {...(noteLine ? { actions: noteLine } : {})}
      query={run}
      points={drawn?.points}
      kind={chart === 'pie' ? 'pie' : chart === 'line' ? 'line' : 'bar'}
      layout={chart === 'funnel' ? 'vertical' : 'horizontal'}
      {...(drawn?.valueLabel ? { valueLabel: drawn.valueLabel } : {})}
      series={drawn?.series}
      className={className ?? 'f-home__chart'}
    />
  );
}
