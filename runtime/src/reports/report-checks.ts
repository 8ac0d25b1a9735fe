/**
 * Save-time checks of the `reports` and `dashboards` metadata sections: a report must be runnable
 * (its fields, buckets and measures accepted by the aggregate engine, derived expressions parse,
 * sort keys are its columns); a dashboard's widgets name reports and its roles exist.
 */
import type { DashboardDefinition, MetadataIssue, MetadataIssueCode, ReportDefinition } from '@forma/metadata';
import type { SectionCheck } from '../meta/section-checks';
import { checkAggregateSpec } from '../records/aggregate-spec';
import { analysisIssues } from './report-analysis';
import { DeriveError, compileDerived } from './report-derive';
import { aggregateInputOf, baseColumns, pathTarget } from './report-service';

const baseGroupKeys = (item: ReportDefinition) => new Set((item.groupBy ?? []).map((g) => g.as ?? g.field));

export const checkReportItem: SectionCheck<ReportDefinition> = (_ctx, { item, model }) => {
  const issues: MetadataIssue[] = [];
  // A code and its facts beside the English, so the designer says it in the admin's language.
  const add = (path: string, message: string, code?: MetadataIssueCode, params?: MetadataIssue['params']) =>
    issues.push({ path, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });
  const object = model.objects.get(item.object);
  if (!object) {
    add('/object', `Unknown object "${item.object}"`, 'unknown_object', { object: item.object });
    return issues;
  }
  item.aggregates.forEach((a, i) => {
    if (a.fn !== 'count' && !a.field)
      add(`/aggregates/${i}/field`, `${a.fn} needs a field`, 'report_needs_field', { fn: a.fn });
  });
  const spec = { object, model, fields: {}, today: '2000-01-01' };
  if (item.analysis) {
    // Its group keys and measures are the analysis's per-customer columns, not the object's fields.
    issues.push(...analysisIssues(item, model, (p) => pathTarget(model, object, p)));
    const filter = item.filter ? { filter: item.filter } : {};
    const { problems } = checkAggregateSpec({ ...filter, count: true }, spec);
    for (const p of Object.values(problems)) add('/filter', p.message, p.code, p.params);
  } else {
    // The aggregate engine's own refusals, with their codes, at the part of the report they name.
    const { problems } = checkAggregateSpec(aggregateInputOf(item), spec);
    for (const [key, p] of Object.entries(problems))
      add(key === 'groupBy' ? '/groupBy' : '/aggregates', p.message, p.code, p.params);
  }
  if (item.compare) {
    const f = pathTarget(model, object, item.compare.field);
    if (!f)
      add('/compare/field', `Unknown field: ${item.compare.field}`, 'report_unknown_field', {
        field: item.compare.field,
      });
    else if (f.resultKind !== 'date' && f.resultKind !== 'datetime')
      add(
        '/compare/field',
        `Compare by a date or date-time field: ${item.compare.field} is not one`,
        'report_compare_not_date',
        {
          field: item.compare.field,
        },
      );
    if ((item.groupBy ?? []).some((g) => g.field === item.compare?.field))
      add(
        '/groupBy',
        `Do not group by the compared field ${item.compare.field}: its periods are the comparison`,
        'report_group_by_compared',
        { field: item.compare.field },
      );
    if (item.compare.period === 'year' && (item.compare.with ?? []).length > 1)
      add(
        '/compare/with',
        'With period "year", the previous period is last year: give one of them',
        'report_compare_year_one',
      );
  }
  const columns = new Set<string>();
  for (const c of baseColumns(item)) {
    if (columns.has(c))
      add('/aggregates', `Column "${c}" appears twice: give it another "as"`, 'report_column_twice', { column: c });
    columns.add(c);
  }
  const ordered = new Set<string>();
  (item.derive ?? []).forEach((d, i) => {
    try {
      if (compileDerived(d.expr, columns, ordered).ordered) ordered.add(d.as);
    } catch (err) {
      if (!(err instanceof DeriveError)) throw err;
      add(`/derive/${i}/expr`, err.message, err.code, err.params);
    }
    if (columns.has(d.as))
      add(`/derive/${i}/as`, `Column "${d.as}" appears twice`, 'report_column_twice', { column: d.as });
    columns.add(d.as);
  });
  if (item.chartValue !== undefined && (!columns.has(item.chartValue) || baseGroupKeys(item).has(item.chartValue)))
    add('/chartValue', `Chart a measure or derived column of the report: ${item.chartValue}`, 'report_chart_value', {
      column: item.chartValue,
    });
  if (item.chartCategory !== undefined && !baseGroupKeys(item).has(item.chartCategory))
    add(
      '/chartCategory',
      `Label the chart by a group key of the report: ${item.chartCategory}`,
      'report_chart_category',
      { column: item.chartCategory },
    );
  if (item.chartSeries !== undefined) {
    // A series is a second grouping: a group key other than the one naming the points.
    const keys = baseGroupKeys(item);
    const category = item.chartCategory ?? [...keys].find((k) => k !== item.chartSeries);
    if (!keys.has(item.chartSeries) || category === undefined || category === item.chartSeries)
      add(
        '/chartSeries',
        `Draw series by a second group key of the report, not the chart's category: ${item.chartSeries}`,
        'report_chart_series',
        { column: item.chartSeries },
      );
  }
  (item.sort ?? []).forEach((s, i) => {
    const key = s.replace(/^-/, '');
    if (!columns.has(key))
      add(`/sort/${i}`, `Sort by a column of the report: ${s}`, 'report_sort_not_column', { column: key });
    // Its value is computed from the order the sort would produce: circular.
    else if (ordered.has(key))
      add(
        `/sort/${i}`,
        `Cannot sort by "${key}": it depends on the order of the rows (prev, first, running, remaining)`,
        'report_sort_ordered',
        { column: key },
      );
  });
  (item.roles ?? []).forEach((r, i) => {
    if (r !== 'admin' && !model.roles[r]) add(`/roles/${i}`, `Unknown role "${r}"`, 'unknown_role', { role: r });
  });
  return issues;
};

export const checkDashboardItem: SectionCheck<DashboardDefinition> = (_ctx, { item, document, model }) => {
  const issues: MetadataIssue[] = [];
  item.widgets.forEach((w, i) => {
    if (!document.reports?.[w.report])
      issues.push({
        path: `/widgets/${i}/report`,
        message: `Unknown report "${w.report}"`,
        code: 'unknown_report',
        params: { report: w.report },
      });
  });
  (item.roles ?? []).forEach((r, i) => {
    if (r !== 'admin' && !model.roles[r])
      issues.push({ path: `/roles/${i}`, message: `Unknown role "${r}"`, code: 'unknown_role', params: { role: r } });
  });
  return issues;
};
