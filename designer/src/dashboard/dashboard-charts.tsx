import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { BarChart3 } from 'lucide-react';
import { enumLabel, objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta } from '../meta/meta-types';
import { isEndpointMissing, useRecordsApi } from '../records/use-records-api';
import { useSession } from '../session/session-context';
import { Card, EmptyState, ErrorState, LoadingState } from '../ui';
import { dashboardSpec, monthKey } from './dashboard-spec';
import './dashboard-charts.css';

export interface Point {
  label: string;
  /** The point's value (with series: their total). */
  value: number;
  count?: number;
  /** One value per series (`Series.key`), when the chart draws several. */
  values?: Record<string, number>;
}

/** One of several series a chart draws (a value of a report's second grouping), by its name. */
export interface Series {
  key: string;
  label: string;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0) || 0);

const PIE_COLORS = ['var(--f-primary)', '#0ea5e9', '#22c55e', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#64748b'];

/** One chart in a card: bars (default), a line or a pie, with the numbers also as a screen-reader table. */
export function ChartCard({
  title,
  query,
  points,
  layout = 'horizontal',
  emptyText,
  kind = 'bar',
  valueLabel,
  series,
  className,
  actions,
}: {
  title: string;
  query: { isPending: boolean; isError: boolean; error: Error | null };
  points: Point[] | undefined;
  layout?: 'horizontal' | 'vertical';
  emptyText?: string;
  kind?: 'bar' | 'line' | 'pie';
  valueLabel?: string;
  /** Several series (bars side by side, one line each) instead of `value` alone; a pie ignores them. */
  series?: Series[] | undefined;
  className?: string;
  actions?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const fmt = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const full = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  // Counts (and any whole-number series) get whole-number ticks: no "0.8 deals" on the axis.
  const wholeNumbers = (points ?? []).every(
    (p) => Number.isInteger(p.value) && Object.values(p.values ?? {}).every(Number.isInteger),
  );
  const drawn = kind !== 'pie' && series?.length ? series : undefined;
  // A series a point lacks (no deals of that stage that month) is drawn as 0, not left out.
  const seriesValue = (key: string) => (p: Point) => p.values?.[key] ?? 0;
  // The legend lists the series in their order (a picklist's), not alphabetically.
  const legendOrder = (item: { value?: unknown }) => drawn?.findIndex((s) => s.label === item.value) ?? 0;
  const tooltip = (v: unknown, name: unknown) => [
    full.format(Number(v)),
    drawn ? String(name) : (valueLabel ?? t('dashboard.amount')),
  ];
  let body: React.ReactNode;
  if (query.isPending) body = <LoadingState compact label={t('common.loading')} />;
  else if (query.isError)
    body = isEndpointMissing(query.error) ? (
      <EmptyState compact icon={<BarChart3 size={20} aria-hidden="true" />} title={t('dashboard.unavailable')} />
    ) : (
      <ErrorState compact title={t('errors.title')} body={query.error?.message} />
    );
  else if (!points || points.every((p) => p.value === 0 && !p.count))
    body = (
      <EmptyState
        compact
        icon={<BarChart3 size={20} aria-hidden="true" />}
        title={emptyText ?? t('dashboard.noData')}
      />
    );
  else
    body = (
      <figure className="f-chart" aria-label={title}>
        <ResponsiveContainer width="100%" height={240}>
          {kind === 'pie' ? (
            <PieChart>
              <Pie data={points} dataKey="value" nameKey="label" outerRadius={90} isAnimationActive={false} label>
                {points.map((p, i) => (
                  <Cell key={p.label} fill={PIE_COLORS[i % PIE_COLORS.length]} />
                ))}
              </Pie>
              <Tooltip formatter={(v) => [full.format(Number(v)), valueLabel ?? t('dashboard.amount')]} />
            </PieChart>
          ) : kind === 'line' ? (
            <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--f-border)" />
              <XAxis dataKey="label" fontSize={12} />
              <YAxis
                tickFormatter={(v: number) => fmt.format(v)}
                allowDecimals={!wholeNumbers}
                fontSize={12}
                width={56}
              />
              <Tooltip formatter={tooltip} />
              {drawn ? (
                drawn.map((s, i) => (
                  <Line
                    key={s.key}
                    dataKey={seriesValue(s.key)}
                    name={s.label}
                    stroke={PIE_COLORS[i % PIE_COLORS.length]}
                    strokeWidth={2}
                    isAnimationActive={false}
                  />
                ))
              ) : (
                <Line dataKey="value" stroke="var(--f-primary)" strokeWidth={2} isAnimationActive={false} />
              )}
              {drawn && <Legend itemSorter={legendOrder} />}
            </LineChart>
          ) : (
            <BarChart data={points} layout={layout} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--f-border)" />
              {layout === 'vertical' ? (
                <>
                  <XAxis
                    type="number"
                    tickFormatter={(v: number) => fmt.format(v)}
                    allowDecimals={!wholeNumbers}
                    fontSize={12}
                  />
                  <YAxis type="category" dataKey="label" width={100} fontSize={12} />
                </>
              ) : (
                <>
                  <XAxis dataKey="label" fontSize={12} />
                  <YAxis
                    tickFormatter={(v: number) => fmt.format(v)}
                    allowDecimals={!wholeNumbers}
                    fontSize={12}
                    width={56}
                  />
                </>
              )}
              <Tooltip formatter={tooltip} />
              {drawn ? (
                drawn.map((s, i) => (
                  <Bar
                    key={s.key}
                    dataKey={seriesValue(s.key)}
                    name={s.label}
                    fill={PIE_COLORS[i % PIE_COLORS.length]}
                    radius={4}
                    isAnimationActive={false}
                  />
                ))
              ) : (
                <Bar dataKey="value" fill="var(--f-primary)" radius={4} isAnimationActive={false} />
              )}
              {drawn && <Legend itemSorter={legendOrder} />}
            </BarChart>
          )}
        </ResponsiveContainer>
        {/* The same numbers as text: screen readers and keyboard users get the chart's content. */}
        <table className="f-sr-only">
          <caption>{title}</caption>
          {drawn && (
            <thead>
              <tr>
                <td />
                {drawn.map((s) => (
                  <th key={s.key} scope="col">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
          )}
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                {drawn ? (
                  drawn.map((s) => <td key={s.key}>{full.format(p.values?.[s.key] ?? 0)}</td>)
                ) : (
                  <td>{full.format(p.value)}</td>
                )}
                {p.count !== undefined && <td>{p.count}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
    );
  return (
    <Card title={title} className={className ?? 'f-home__chart'} actions={actions}>
      {body}
    </Card>
  );
}

const AGE_KEYS: Record<string, 'current' | 'days30' | 'days60' | 'days90' | 'days90plus'> = {
  current: 'current',
  '1-30': 'days30',
  '31-60': 'days60',
  '61-90': 'days90',
  '91+': 'days90plus',
};

/** Sales funnel by stage, amounts by month and receivables aging, from the aggregate API. */
export function DashboardCharts({ meta }: { meta: AppMeta | null | undefined }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const records = useRecordsApi();
  const { tenant, user } = useSession();
  const spec = dashboardSpec(meta);
  const p = spec.pipeline;
  const r = spec.receivables;
  const key = ['records', tenant, 'dashboard', user.id];

  const funnel = useQuery({
    queryKey: [...key, 'funnel', p],
    enabled: !!p,
    queryFn: ({ signal }) => records.aggregate(p!.object, { groupBy: p!.stage, sum: p!.amount, count: 'true' }, signal),
  });
  const months = useQuery({
    queryKey: [...key, 'months', p],
    enabled: !!p?.date,
    queryFn: ({ signal }) => records.aggregate(p!.object, { groupBy: `${p!.date}:month`, sum: p!.amount }, signal),
  });
  const aging = useQuery({
    queryKey: [...key, 'aging', r],
    enabled: !!r,
    queryFn: ({ signal }) =>
      records.aggregate(r!.object, { groupBy: `${r!.due}:age:30-60-90`, sum: r!.amount, count: 'true' }, signal),
  });

  const stageField = p ? meta?.objects[p.object]?.properties?.[p.stage] : undefined;
  const stageOrder = (stageField?.enum ?? []).map(String);
  const funnelPoints = p
    ? [...(funnel.data?.groups ?? [])]
        .filter((g) => g[p.stage] !== null)
        .sort((a, b) => stageOrder.indexOf(String(a[p.stage])) - stageOrder.indexOf(String(b[p.stage])))
        .map((g) => ({
          label: enumLabel(stageField, String(g[p.stage]), locale),
          value: num(g[`sum_${p.amount}`]),
          count: num(g.count),
        }))
    : undefined;
  const monthPoints = p?.date
    ? (months.data?.groups ?? [])
        .filter((g) => g[`${p.date}:month`])
        .map((g) => ({ label: monthKey(g[`${p.date}:month`]), value: num(g[`sum_${p.amount}`]) }))
        .sort((a, b) => a.label.localeCompare(b.label))
        .slice(-12)
    : undefined;
  const agingPoints = r
    ? (aging.data?.groups ?? [])
        .filter((g) => g[`${r.due}:age:30-60-90`] !== null)
        .map((g) => {
          const bucket = String(g[`${r.due}:age:30-60-90`]);
          const k = AGE_KEYS[bucket];
          return { label: k ? t(`dashboard.${k}`) : bucket, value: num(g[`sum_${r.amount}`]), count: num(g.count) };
        })
    : undefined;

  const pLabel = p ? objectLabel(p.object, meta?.objects[p.object], locale) : '';
  return (
    <>
      {p ? (
        <ChartCard
          title={`${t('dashboard.funnel')} · ${pLabel}`}
          query={funnel}
          points={funnelPoints}
          layout="vertical"
        />
      ) : (
        <Card title={t('dashboard.funnel')} className="f-home__chart">
          <EmptyState compact icon={<BarChart3 size={20} aria-hidden="true" />} title={t('dashboard.noObject')} />
        </Card>
      )}
      {p?.date && <ChartCard title={`${t('dashboard.byMonth')} · ${pLabel}`} query={months} points={monthPoints} />}
      {r ? (
        <ChartCard
          title={`${t('dashboard.aging')} · ${objectLabel(r.object, meta?.objects[r.object], locale)}`}
          query={aging}
          points={agingPoints}
        />
      ) : (
        <Card title={t('dashboard.aging')} className="f-home__chart">
          <EmptyState compact icon={<BarChart3 size={20} aria-hidden="true" />} title={t('dashboard.noAgingObject')} />
        </Card>
      )}
    </>
  );
}
