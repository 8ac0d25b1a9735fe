import { enumLabel, itemLabel } from '../i18n/pick-label';
import type { AppMeta } from '../meta/meta-types';
import type { Point, Series } from './dashboard-charts';
import type { ReportRun } from './reports-api';

/**
 * Chart points of a report run: the chosen group column (`chartCategory`, else the first that is not
 * the series) labels, the chosen measure or derived column (`chartValue`, else the first measure)
 * values. With `chartSeries` (a second group column) and `withSeries`, each point also holds one
 * value per value of that column (`values`, keyed by `series[].key`), each series named like a point.
 */
export function reportPoints(
  run: ReportRun,
  meta: AppMeta | null | undefined,
  locale: string,
  ageLabel: (bucket: string) => string,
  /** A group read through a lookup whose record the viewer may not read (`<key>_hidden`). */
  hiddenLabel = '(hidden)',
  /** False for a chart that draws one series whatever the report says (a pie). */
  withSeries = true,
): { points: Point[]; valueLabel: string; series?: Series[] } {
  const groups = run.columns.filter((c) => c.role === 'group');
  // The series column decides the default category even where it is not drawn (a pie adds it up).
  const seriesColumn = run.chartSeries ? groups.find((c) => c.key === run.chartSeries) : undefined;
  const group =
    (run.chartCategory ? groups.find((c) => c.key === run.chartCategory) : undefined) ??
    groups.find((c) => c.key !== seriesColumn?.key);
  const bySeries = withSeries && seriesColumn && group && group.key !== seriesColumn.key ? seriesColumn : undefined;
  const value =
    (run.chartValue ? run.columns.find((c) => c.key === run.chartValue && c.role !== 'group') : undefined) ??
    run.columns.find((c) => c.role === 'measure') ??
    run.columns.find((c) => c.role === 'derived');
  const say = groupText(run, meta, locale, ageLabel, hiddenLabel);
  const plotted = (row: Record<string, unknown>) => Number(value ? (row[value.key] ?? 0) : 0) || 0;
  const valueLabel = value ? itemLabel(value, locale, value.label) : '';
  if (bySeries && group) {
    // One point per category, one value per series; rows of the same pair (a third grouping) add up.
    const series = new Map<string, Series>();
    const points = new Map<string, Point & { values: Record<string, number> }>();
    for (const row of run.rows) {
      const name = say(bySeries, row);
      let s = series.get(name);
      if (!s) {
        s = { key: `s${series.size}`, label: name };
        series.set(name, s);
      }
      const label = say(group, row);
      let p = points.get(label);
      if (!p) {
        p = { label, value: 0, values: {} };
        points.set(label, p);
      }
      const v = plotted(row);
      p.value += v;
      p.values[s.key] = (p.values[s.key] ?? 0) + v;
    }
    // A picklist's series keep its order (Prospecting … Won, Lost), not the order they first appear in.
    const field = bySeries.field ? fieldAt(meta, run.object, bySeries.field) : undefined;
    const order = new Map(
      run.rows.map((row) => [say(bySeries, row), field?.enum?.indexOf(row[bySeries.key] as string) ?? -1]),
    );
    const ordered = [...series.values()];
    if (!bySeries.bucket && field?.enum) ordered.sort((a, b) => rank(order.get(a.label)) - rank(order.get(b.label)));
    return { points: [...points.values()], valueLabel, series: ordered };
  }
  const points = run.rows.map((row) => ({ label: group ? say(group, row) : run.label, value: plotted(row) }));
  // Charted by a chosen grouping beside others, rows of one category (a stage over several years)
  // are one point: their values added up.
  const merged = new Map<string, Point>();
  if (group && (group.key === run.chartCategory || seriesColumn) && groups.length > 1)
    for (const p of points) {
      const seen = merged.get(p.label);
      if (seen) seen.value += p.value;
      else merged.set(p.label, { ...p });
    }
  return { points: merged.size ? [...merged.values()] : points, valueLabel };
}

/** An enum position, unknown values (-1, none) last. */
const rank = (i: number | undefined) => (i === undefined || i < 0 ? Number.MAX_SAFE_INTEGER : i);

/** The words for one row's value of a group column: option, lookup, age bucket or picklist label. */
function groupText(
  run: ReportRun,
  meta: AppMeta | null | undefined,
  locale: string,
  ageLabel: (bucket: string) => string,
  hiddenLabel: string,
) {
  return (group: ReportRun['columns'][number], row: Record<string, unknown>): string => {
    const field = group.field ? fieldAt(meta, run.object, group.field) : undefined;
    const raw = row[group.key];
    if (row[`${group.key}_hidden`] === true) return hiddenLabel;
    if (typeof row[`${group.key}_label`] === 'string') return String(row[`${group.key}_label`]);
    if (raw === null || raw === undefined) return '—';
    if (group.options) return optionLabel(group, String(raw), locale);
    if (group.bucket === 'aging') return ageLabel(String(raw));
    if (!group.bucket && field?.enum) return enumLabel(field, String(raw), locale);
    return String(raw);
  };
}

/** A named value of a group column (`rfm_segment`): its label in the user's language. */
export function optionLabel(column: ReportRun['columns'][number], value: string, locale: string): string {
  const option = column.options?.find((o) => o.value === value);
  return option ? itemLabel(option, locale, option.label) : value;
}

/** The field a group's path ends on (`account.tier` → account's tier), through the lookups' targets. */
export function fieldAt(meta: AppMeta | null | undefined, object: string, path: string) {
  const [first = '', ...rest] = path.split('.');
  let field = meta?.objects[object]?.properties?.[first];
  for (const seg of rest) {
    const ref = (field as { 'x-ref'?: string } | undefined)?.['x-ref'];
    field = ref ? meta?.objects[ref]?.properties?.[seg] : undefined;
  }
  return field;
}
