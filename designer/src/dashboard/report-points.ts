import { enumLabel, itemLabel } from '../i18n/pick-label';
import type { AppMeta } from '../meta/meta-types';
import type { Point } from './dashboard-charts';
import type { ReportRun } from './reports-api';

/**
 * Chart points of a report run: the chosen group column (`chartCategory`, else the first) labels,
 * the chosen measure or derived column (`chartValue`, else the first measure) values.
 */
export function reportPoints(
  run: ReportRun,
  meta: AppMeta | null | undefined,
  locale: string,
  ageLabel: (bucket: string) => string,
  /** A group read through a lookup whose record the viewer may not read (`<key>_hidden`). */
  hiddenLabel = '(hidden)',
): { points: Point[]; valueLabel: string } {
  const group =
    (run.chartCategory ? run.columns.find((c) => c.key === run.chartCategory && c.role === 'group') : undefined) ??
    run.columns.find((c) => c.role === 'group');
  const value =
    (run.chartValue ? run.columns.find((c) => c.key === run.chartValue && c.role !== 'group') : undefined) ??
    run.columns.find((c) => c.role === 'measure') ??
    run.columns.find((c) => c.role === 'derived');
  const field = group?.field ? fieldAt(meta, run.object, group.field) : undefined;
  const points = run.rows.map((row) => {
    const raw = group ? row[group.key] : run.label;
    let label = raw === null || raw === undefined ? '—' : String(raw);
    if (group && row[`${group.key}_hidden`] === true) label = hiddenLabel;
    else if (group && typeof row[`${group.key}_label`] === 'string') label = String(row[`${group.key}_label`]);
    else if (group?.options && raw !== null) label = optionLabel(group, String(raw), locale);
    else if (group?.bucket === 'aging' && raw !== null) label = ageLabel(String(raw));
    else if (group && !group.bucket && field?.enum && raw !== null) label = enumLabel(field, String(raw), locale);
    return { label, value: Number(value ? (row[value.key] ?? 0) : 0) || 0 };
  });
  // Charted by a chosen grouping beside others, rows of one category (a stage over several years)
  // are one point: their values added up.
  const merged = new Map<string, Point>();
  if (group && group.key === run.chartCategory && run.columns.filter((c) => c.role === 'group').length > 1)
    for (const p of points) {
      const seen = merged.get(p.label);
      if (seen) seen.value += p.value;
      else merged.set(p.label, { ...p });
    }
  return {
    points: merged.size ? [...merged.values()] : points,
    valueLabel: value ? itemLabel(value, locale, value.label) : '',
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
