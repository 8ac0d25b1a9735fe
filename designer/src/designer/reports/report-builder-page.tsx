import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ArrowDown, ArrowLeft, ArrowUp, BarChart3, Plus, Trash2, Upload } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useParams, useSearchParams } from 'react-router';
import { ConditionBuilder } from '../../conditions/condition-builder';
import { ReportRunView } from '../../dashboard/report-widget';
import { useReportsApi } from '../../dashboard/reports-api';
import { issueText } from '../../i18n/error-text';
import { itemLabel, objectLabel } from '../../i18n/pick-label';
import type { AppMeta, ObjectSchema } from '../../meta/meta-types';
import { useSession } from '../../session/session-context';
import { Button, Card, IconButton, Page, PageHeader, TextField, useToast } from '../../ui';
import {
  type FullMetaDocument,
  MetaDocumentGate,
  PublishDialog,
  describePublishError,
  itemIssues,
  useUnsavedChangesGuard,
} from '../common';
import { FieldError } from '../automations/action-editors';
import { RoleChecks } from '../common/role-checks';
import { CheckField, SelectField } from '../objects/controls';
import {
  BUCKETS,
  type BuilderDraft,
  CHARTS,
  type DerivedDraft,
  type GroupDraft,
  MEASURE_FNS,
  type MeasureDraft,
  columnName,
  draftOf,
  isDateKind,
  isNumberKind,
  newDraft,
  pathKind,
  pathSteps,
  reportLookups,
  sortColumns,
  toDefinition,
  withWidget,
} from './report-builder-model';
import type { ReportDefinition } from './report-labels';
import './reports.css';

type Objects = Record<string, ObjectSchema | null | undefined>;
type Dashboards = NonNullable<FullMetaDocument['dashboards']>;

/** The builder's choice "a new dashboard for everyone" (not a dashboard name: names are identifiers). */
const NEW_DASHBOARD = '+new';

/** `dashboard`, else `dashboard_2`, `dashboard_3`…: a name no dashboard of the tenant has. */
function freeDashboardName(dashboards: Dashboards): string {
  if (!dashboards.dashboard) return 'dashboard';
  let n = 2;
  while (dashboards[`dashboard_${n}`]) n += 1;
  return `dashboard_${n}`;
}

/**
 * `/designer/reports/:name/build` (and `/designer/reports/new?name=&label=&object=`): what a report
 * counts, groups, filters, sorts, compares and charts, with a live preview of the draft run on the
 * server (`POST /api/reports/preview`), published through the plan dialog — optionally onto a role
 * dashboard in the same plan.
 */
export function ReportBuilderPage() {
  const { t } = useTranslation();
  const { name: routeName } = useParams();
  const [params] = useSearchParams();
  return (
    <MetaDocumentGate loadFailed={t('reportLabels.loadFailed')}>
      {(doc) => {
        const name = routeName ?? params.get('name') ?? '';
        const stored = (doc.reports?.[name] ?? undefined) as ReportDefinition | undefined;
        // A new report, once published, has its own address (the metadata refetched after publishing holds it).
        if (!routeName && stored) return <Navigate to={`/designer/reports/${name}/build`} replace />;
        const object = params.get('object') ?? Object.keys(doc.objects)[0] ?? '';
        return (
          <Builder
            key={`${name}:${doc.version}`}
            name={name}
            stored={stored}
            isNew={!routeName}
            initialObject={object}
            initialLabel={params.get('label') ?? ''}
            doc={doc}
          />
        );
      }}
    </MetaDocumentGate>
  );
}

/** A derived column's name from its English label ("Cumulative share" → cumulative_share). */
const nameFromLabel = (label: string) => (label.trim() ? columnName(label.toLowerCase()) : '');

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

function Builder({
  name,
  stored,
  isNew,
  initialObject,
  initialLabel,
  doc,
}: {
  name: string;
  stored: ReportDefinition | undefined;
  isNew: boolean;
  initialObject: string;
  initialLabel: string;
  doc: FullMetaDocument;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const toast = useToast();
  const session = useSession();
  const reportsApi = useReportsApi();
  const objects = doc.objects as Objects;
  const [draft, setDraft] = useState<BuilderDraft>(() =>
    stored
      ? draftOf(stored, (objects[stored.object] ?? {}) as ObjectSchema, objects)
      : newDraft(initialObject, initialLabel),
  );
  const [dirty, setDirty] = useState(isNew);
  const [publishing, setPublishing] = useState(false);
  const [checked, setChecked] = useState(false);
  const [dashboard, setDashboard] = useState('');
  const guard = useUnsavedChangesGuard(dirty && !publishing);
  const schema = (objects[draft.object] ?? {}) as ObjectSchema;
  const built = useMemo(() => toDefinition(draft, schema, stored, objects), [draft, schema, stored, objects]);
  const localProblems = Object.keys(built.problems).length > 0 || built.conditionProblems.length > 0;
  const update = (patch: Partial<BuilderDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
  };

  // The live preview: the draft as it will be stored, run on the server a moment after each change.
  const json = JSON.stringify(built.def);
  const debounced = useDebounced(json, 400);
  const preview = useQuery({
    queryKey: ['report-preview', session.tenant, name, debounced],
    queryFn: ({ signal }) => reportsApi.preview(JSON.parse(debounced), name, signal),
    // Only a settled draft is run: a run of an older one would show problems already fixed.
    enabled: !localProblems && debounced === json,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const serverIssues = useMemo(() => {
    if (!preview.isError) return {};
    const failure = describePublishError(preview.error);
    // Coded refusals in the admin's language, at their part of the form.
    const said = failure.problems.map((p) => ({ ...p, message: issueText(t, (k) => i18n.exists(k), p) }));
    return said.length ? itemIssues('reports', name, said) : { '/': failure.message };
  }, [preview.isError, preview.error, name, t, i18n]);
  const localText: Record<string, string> = Object.fromEntries(
    Object.entries(built.problems).map(([p, code]) => [p, t(`reportBuilder.problem_${code}`)]),
  );
  const issues: Record<string, string> = { ...serverIssues, ...(checked ? localText : {}) };
  // The label is required from the start: the admin sees it as soon as it is blank.
  if (built.problems['/label']) issues['/label'] = localText['/label'] as string;
  const at = (path: string) => issues[path];
  const under = (path: string) => {
    const hits = Object.entries(issues)
      .filter(([p]) => p === path || p.startsWith(`${path}/`))
      .map(([, m]) => m);
    return hits.length ? hits.join('; ') : undefined;
  };

  const objectOptions = Object.entries(objects)
    .filter((e): e is [string, ObjectSchema] => !!e[1])
    .map(([n, s]) => ({ value: n, label: objectLabel(n, s, lang) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const dashboards: Dashboards = doc.dashboards ?? {};
  const roleLabel = (r: string) =>
    r === 'admin' ? t('reportBuilder.adminRole') : itemLabel(doc.roles?.[r] ?? undefined, lang, r);
  // A company set up from scratch has no dashboard yet: the report can start one for everyone.
  const newDashboardName = freeDashboardName(dashboards);
  const dashboardOptions = [
    { value: '', label: t('reportBuilder.noDashboard') },
    { value: NEW_DASHBOARD, label: t('reportBuilder.newDashboard') },
    ...Object.entries(dashboards)
      .filter((e): e is [string, NonNullable<Dashboards[string]>] => !!e[1])
      .map(([n, d]) => ({
        value: n,
        label: d.roles?.length
          ? `${itemLabel(d, lang, n)} (${d.roles.map(roleLabel).join(', ')})`
          : `${itemLabel(d, lang, n)} (${t('reportBuilder.everyone')})`,
      })),
  ];
  const onDashboards = Object.entries(dashboards)
    .filter(([, d]) => d?.widgets.some((w) => w.report === name))
    .map(([n, d]) => itemLabel(d ?? undefined, lang, n));
  const chosenDashboard = dashboard && dashboard !== NEW_DASHBOARD ? dashboards[dashboard] : undefined;
  const document = {
    version: doc.version,
    reports: { [name]: built.def },
    ...(chosenDashboard ? { dashboards: { [dashboard]: withWidget(chosenDashboard, name) } } : {}),
    ...(dashboard === NEW_DASHBOARD
      ? {
          dashboards: {
            [newDashboardName]: {
              label: 'Dashboard',
              'x-i18n': { 'zh-CN': { label: '仪表盘' } },
              widgets: [{ report: name, width: 'half' as const }],
            },
          },
        }
      : {}),
  };

  // Columns by the labels the server gives them (the last preview); a column not run yet by its name.
  const columnLabel = (key: string) => {
    const col = preview.data?.columns.find((c) => c.key === key);
    if (col) return itemLabel(col, lang, col.label);
    // No preview yet (or a refused one): the draft's own labels, never the column's name.
    const group = built.def.groupBy?.find((g) => g.as === key);
    if (group) {
      const segs = group.field.split('.');
      const labels = pathSteps(objects, draft.object, group.field, lang).map(
        (s, i) => s.options.find((o) => o.name === segs[i])?.label ?? segs[i] ?? '',
      );
      return itemLabel(group, lang, labels.join(' › '));
    }
    const item = [...built.def.aggregates, ...(built.def.derive ?? [])].find((a) => a.as === key);
    return item ? itemLabel(item, lang, key) : key;
  };
  // What the chart may plot (measures, derived columns) and label its points by (group keys).
  const plotted = sortColumns(built.def).filter((c) => c.role !== 'group');
  const groupKeys = sortColumns(built.def).filter((c) => c.role === 'group');
  // The grouping naming the points unless one is chosen: the first that is not the series.
  const defaultCategory = groupKeys.find((c) => c.key !== built.def.chartSeries)?.key ?? '';
  const category = built.def.chartCategory ?? defaultCategory;
  const seriesOptions = [
    { value: '', label: t('reportBuilder.chartSeriesNone') },
    ...groupKeys
      .filter((c) => c.key !== category || c.key === built.def.chartSeries)
      .map((c) => ({ value: c.key, label: columnLabel(c.key) })),
  ];
  const valueOptions = [
    { value: '', label: t('reportBuilder.chartValueDefault', { column: columnLabel(plotted[0]?.key ?? '') }) },
    ...plotted.slice(1).map((c) => ({ value: c.key, label: columnLabel(c.key) })),
  ];
  const sortOptions = [
    { value: '', label: t('reportBuilder.sortDefault') },
    ...sortColumns(built.def).flatMap((c) => [
      { value: c.key, label: t('reportBuilder.sortAsc', { column: columnLabel(c.key) }) },
      { value: `-${c.key}`, label: t('reportBuilder.sortDesc', { column: columnLabel(c.key) }) },
    ]),
  ];

  const setGroup = (i: number, patch: Partial<GroupDraft>) =>
    update({ groups: draft.groups.map((g, j) => (j === i ? { ...g, ...patch } : g)) });
  const setDerived = (i: number, patch: Partial<DerivedDraft>) =>
    update({ derived: draft.derived.map((d, j) => (j === i ? { ...d, ...patch } : d)) });
  // What an expression may name: the measures (and comparison columns) and derived columns before it.
  const exprColumns = (i: number) =>
    [...built.def.aggregates.map((a) => a.as), ...(built.def.derive ?? []).slice(0, i).map((d) => d.as)].filter(
      Boolean,
    );
  const roleChoices = Object.entries(doc.roles ?? {})
    .filter(([r, def]) => r !== 'admin' && !!def)
    .map(([r]) => ({ value: r, label: roleLabel(r) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const setMeasure = (i: number, patch: Partial<MeasureDraft>) =>
    update({ measures: draft.measures.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  const move = <T,>(list: T[], i: number, by: number): T[] => {
    const next = [...list];
    const [x] = next.splice(i, 1);
    if (x !== undefined) next.splice(Math.max(0, Math.min(next.length, i + by)), 0, x);
    return next;
  };
  const title = draft.label.trim() || name;
  const lookups = useMemo(() => reportLookups(objects), [objects]);
  const appMeta = doc as unknown as AppMeta;

  return (
    <Page>
      {guard}
      <Link className="f-rep-back" to="/designer/reports">
        <ArrowLeft size={16} aria-hidden="true" /> {t('reportLabels.back')}
      </Link>
      <PageHeader
        icon={<BarChart3 size={22} aria-hidden="true" />}
        title={title}
        subtitle={isNew ? t('reportBuilder.notPublished') : t('reportBuilder.subtitle')}
        actions={
          <>
            {!isNew && (
              <Link className="f-rep-link f-rep-labels-link" to={`/designer/reports/${name}`}>
                {t('reportBuilder.labelsLink')}
              </Link>
            )}
            <Button
              variant="primary"
              icon={<Upload size={16} aria-hidden="true" />}
              disabled={!dirty && !dashboard}
              onClick={() => {
                setChecked(true);
                if (localProblems) toast({ tone: 'error', title: t('reportBuilder.fixProblems') });
                else if (preview.isError) toast({ tone: 'error', title: t('reportBuilder.fixServerProblems') });
                else setPublishing(true);
              }}
            >
              {t('reportBuilder.publish')}
            </Button>
          </>
        }
      />
      <div className="f-rb">
        <div className="f-rb__form">
          <Card title={t('reportBuilder.basics')}>
            <div className="f-rb__grid">
              <TextField
                label={t('reportBuilder.labelEn')}
                value={draft.label}
                required
                maxLength={200}
                error={at('/label')}
                onChange={(e) => update({ label: e.target.value })}
              />
              <TextField
                label={t('reportBuilder.labelZh')}
                lang="zh-CN"
                value={draft.zh}
                maxLength={200}
                onChange={(e) => update({ zh: e.target.value })}
              />
              <SelectField
                label={t('reportBuilder.object')}
                value={draft.object}
                options={objectOptions}
                hint={t('reportBuilder.objectHint')}
                onChange={(object) =>
                  // Fields belong to the object: a new object starts the groups, measures and filters over.
                  update({ ...newDraft(object, draft.label), zh: draft.zh, chart: draft.chart, roles: draft.roles })
                }
              />
              <SelectField
                label={t('reportBuilder.chart')}
                value={draft.chart}
                options={CHARTS.map((c) => ({ value: c, label: t(`reportLabels.chart_${c}`) }))}
                onChange={(chart) => update({ chart: chart as BuilderDraft['chart'] })}
              />
              {draft.chart !== 'table' && (
                <SelectField
                  label={t('reportBuilder.chartValue')}
                  value={valueOptions.some((o) => o.value === draft.chartValue) ? draft.chartValue : ''}
                  options={valueOptions}
                  hint={t('reportBuilder.chartValueHint')}
                  onChange={(chartValue) => update({ chartValue })}
                />
              )}
              {draft.chart !== 'table' && groupKeys.length > 1 && (
                <SelectField
                  label={t('reportBuilder.chartCategory')}
                  value={groupKeys.some((c) => c.key === draft.chartCategory) ? draft.chartCategory : ''}
                  options={[
                    {
                      value: '',
                      label: t('reportBuilder.chartCategoryDefault', { column: columnLabel(defaultCategory) }),
                    },
                    ...groupKeys.slice(1).map((c) => ({ value: c.key, label: columnLabel(c.key) })),
                  ]}
                  hint={t('reportBuilder.chartCategoryHint')}
                  onChange={(chartCategory) => update({ chartCategory })}
                />
              )}
              {draft.chart !== 'table' && draft.chart !== 'pie' && groupKeys.length > 1 && (
                <SelectField
                  label={t('reportBuilder.chartSeries')}
                  value={seriesOptions.some((o) => o.value === draft.chartSeries) ? draft.chartSeries : ''}
                  options={seriesOptions}
                  hint={t('reportBuilder.chartSeriesHint')}
                  onChange={(chartSeries) => update({ chartSeries })}
                />
              )}
            </div>
            <FieldError
              message={at('/object') ?? at('/chart') ?? at('/chartValue') ?? at('/chartCategory') ?? at('/chartSeries')}
            />
          </Card>

          <Card title={t('reportBuilder.groups')}>
            <p className="f-rep-hint">{t('reportBuilder.groupsHint')}</p>
            <ol className="f-rb__list">
              {draft.groups.map((g, i) => {
                const kind = pathKind(objects, draft.object, g.field);
                const n = i + 1;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; their position is their identity
                  <li key={i} className="f-rb__row">
                    <PathPicker
                      label={t('reportBuilder.groupField', { n })}
                      objects={objects}
                      object={draft.object}
                      value={g.field}
                      onChange={(field) => setGroup(i, { field, bucket: '' })}
                    />
                    {isDateKind(kind) && (
                      <SelectField
                        label={t('reportBuilder.bucket', { n })}
                        value={g.bucket}
                        options={BUCKETS.map((b) => ({ value: b, label: t(`reportBuilder.bucket_${b || 'none'}`) }))}
                        onChange={(bucket) => setGroup(i, { bucket: bucket as GroupDraft['bucket'] })}
                      />
                    )}
                    <RowButtons
                      what={t('reportBuilder.groupN', { n })}
                      first={i === 0}
                      last={i === draft.groups.length - 1}
                      onMove={(by) => update({ groups: move(draft.groups, i, by) })}
                      onRemove={() => update({ groups: draft.groups.filter((_, j) => j !== i) })}
                    />
                    <FieldError message={under(`/groupBy/${i}`)} />
                  </li>
                );
              })}
            </ol>
            <FieldError message={at('/groupBy')} />
            <Button
              size="sm"
              icon={<Plus size={16} aria-hidden="true" />}
              disabled={draft.groups.length >= 4}
              onClick={() => update({ groups: [...draft.groups, { field: '', bucket: '' }] })}
            >
              {t('reportBuilder.addGroup')}
            </Button>
          </Card>

          <Card title={t('reportBuilder.measures')}>
            <ol className="f-rb__list">
              {draft.measures.map((m, i) => {
                const n = i + 1;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; their position is their identity
                  <li key={i} className="f-rb__row">
                    <SelectField
                      label={t('reportBuilder.fn', { n })}
                      value={m.fn}
                      options={MEASURE_FNS.map((f) => ({ value: f, label: t(`reportBuilder.fn_${f}`) }))}
                      onChange={(fn) => setMeasure(i, { fn: fn as MeasureDraft['fn'] })}
                    />
                    {m.fn !== 'count' && (
                      <PathPicker
                        label={t('reportBuilder.measureField', { n })}
                        objects={objects}
                        object={draft.object}
                        value={m.field}
                        onChange={(field) => setMeasure(i, { field })}
                        accept={(kind) => isNumberKind(kind) || (m.fn !== 'sum' && m.fn !== 'avg' && isDateKind(kind))}
                      />
                    )}
                    <TextField
                      label={t('reportBuilder.measureLabelEn', { n })}
                      value={m.label}
                      maxLength={200}
                      onChange={(e) => setMeasure(i, { label: e.target.value })}
                    />
                    <TextField
                      label={t('reportBuilder.measureLabelZh', { n })}
                      lang="zh-CN"
                      value={m.zh}
                      maxLength={200}
                      onChange={(e) => setMeasure(i, { zh: e.target.value })}
                    />
                    <RowButtons
                      what={t('reportBuilder.measureN', { n })}
                      first={i === 0}
                      last={i === draft.measures.length - 1}
                      removable={draft.measures.length > 1}
                      onMove={(by) => update({ measures: move(draft.measures, i, by) })}
                      onRemove={() => update({ measures: draft.measures.filter((_, j) => j !== i) })}
                    />
                    <FieldError message={under(`/aggregates/${i}`)} />
                  </li>
                );
              })}
            </ol>
            <FieldError message={at('/aggregates')} />
            <Button
              size="sm"
              icon={<Plus size={16} aria-hidden="true" />}
              disabled={draft.measures.length >= 20}
              onClick={() => update({ measures: [...draft.measures, { fn: 'sum', field: '', label: '', zh: '' }] })}
            >
              {t('reportBuilder.addMeasure')}
            </Button>
          </Card>

          <Card title={t('reportBuilder.derived')}>
            <p className="f-rep-hint">{t('reportBuilder.derivedHint')}</p>
            <ol className="f-rb__list">
              {draft.derived.map((d, i) => {
                const n = i + 1;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; their position is their identity
                  <li key={i} className="f-rb__row f-rb__row--derived">
                    <TextField
                      label={t('reportBuilder.derivedLabelEn', { n })}
                      value={d.label}
                      maxLength={200}
                      onChange={(e) => {
                        const label = e.target.value;
                        // The column name follows the English label until it is typed by hand.
                        const follows = !d.stored && (!d.as || d.as === nameFromLabel(d.label));
                        setDerived(i, { label, ...(follows ? { as: nameFromLabel(label) } : {}) });
                      }}
                    />
                    <TextField
                      label={t('reportBuilder.derivedLabelZh', { n })}
                      lang="zh-CN"
                      value={d.zh}
                      maxLength={200}
                      onChange={(e) => setDerived(i, { zh: e.target.value })}
                    />
                    <TextField
                      label={t('reportBuilder.derivedName', { n })}
                      value={d.as}
                      maxLength={63}
                      error={at(`/derive/${i}/as`)}
                      onChange={(e) => setDerived(i, { as: e.target.value })}
                    />
                    <TextField
                      className="f-rb__expr"
                      label={t('reportBuilder.derivedExpr', { n })}
                      value={d.expr}
                      maxLength={500}
                      spellCheck={false}
                      hint={t('reportBuilder.derivedExprHint', { columns: exprColumns(i).join(', ') })}
                      error={at(`/derive/${i}/expr`)}
                      onChange={(e) => setDerived(i, { expr: e.target.value })}
                    />
                    <RowButtons
                      what={t('reportBuilder.derivedN', { n })}
                      first={i === 0}
                      last={i === draft.derived.length - 1}
                      onMove={(by) => update({ derived: move(draft.derived, i, by) })}
                      onRemove={() => update({ derived: draft.derived.filter((_, j) => j !== i) })}
                    />
                    <FieldError message={at(`/derive/${i}`)} />
                  </li>
                );
              })}
            </ol>
            <FieldError message={at('/derive')} />
            <Button
              size="sm"
              icon={<Plus size={16} aria-hidden="true" />}
              disabled={draft.derived.length >= 20}
              onClick={() => update({ derived: [...draft.derived, { as: '', expr: '', label: '', zh: '' }] })}
            >
              {t('reportBuilder.addDerived')}
            </Button>
          </Card>

          <Card title={t('reportBuilder.filters')}>
            <p className="f-rep-hint">{t('reportBuilder.filtersHint')}</p>
            {draft.keptFilter ? (
              <div className="f-rb__kept">
                <p>{t('reportBuilder.keptFilter')}</p>
                <pre>{JSON.stringify(draft.keptFilter, null, 2)}</pre>
                <Button size="sm" onClick={() => update({ keptFilter: null })}>
                  {t('reportBuilder.replaceFilter')}
                </Button>
              </div>
            ) : (
              <ConditionBuilder
                label={t('reportBuilder.filters')}
                schema={schema}
                lookups={lookups}
                value={draft.conditions}
                onChange={(conditions) => update({ conditions })}
                problems={checked ? built.conditionProblems : []}
              />
            )}
            <FieldError message={under('/filter')} />
          </Card>

          <Card title={t('reportBuilder.sortAndCompare')}>
            <div className="f-rb__grid">
              <SelectField
                label={t('reportBuilder.sort')}
                value={sortOptions.some((o) => o.value === draft.sort) ? draft.sort : ''}
                options={sortOptions}
                onChange={(sort) => update({ sort })}
              />
            </div>
            <FieldError message={under('/sort')} />
            <CheckField
              label={t('reportBuilder.compareOn')}
              hint={t('reportBuilder.compareHint')}
              checked={draft.compare.on}
              onChange={(on) => update({ compare: { ...draft.compare, on } })}
            />
            {draft.compare.on && (
              <div className="f-rb__grid">
                <PathPicker
                  label={t('reportBuilder.compareField')}
                  objects={objects}
                  object={draft.object}
                  value={draft.compare.field}
                  accept={isDateKind}
                  onChange={(field) => update({ compare: { ...draft.compare, field } })}
                />
                <SelectField
                  label={t('reportBuilder.comparePeriod')}
                  value={draft.compare.period}
                  options={(['month', 'quarter', 'year'] as const).map((p) => ({
                    value: p,
                    label: t(`reportBuilder.period_${p}`),
                  }))}
                  onChange={(period) =>
                    update({
                      compare: {
                        ...draft.compare,
                        period: period as BuilderDraft['compare']['period'],
                        // A year's previous period is last year: one of them.
                        ...(period === 'year' ? { lastYear: false, previous: true } : {}),
                      },
                    })
                  }
                />
                <CheckField
                  label={t('reportBuilder.withPrevious')}
                  checked={draft.compare.previous}
                  onChange={(previous) => update({ compare: { ...draft.compare, previous } })}
                />
                {draft.compare.period !== 'year' && (
                  <CheckField
                    label={t('reportBuilder.withLastYear')}
                    checked={draft.compare.lastYear}
                    onChange={(lastYear) => update({ compare: { ...draft.compare, lastYear } })}
                  />
                )}
                <CheckField
                  label={t('reportBuilder.toDate')}
                  checked={draft.compare.toDate}
                  onChange={(toDate) => update({ compare: { ...draft.compare, toDate } })}
                />
              </div>
            )}
            <FieldError message={under('/compare')} />
          </Card>

          <Card title={t('reportBuilder.whoMayRun')}>
            <fieldset className="f-rb__roles">
              <legend className="f-rep-hint">{t('reportBuilder.whoMayRunHint')}</legend>
              <RoleChecks roles={roleChoices} value={draft.roles} onChange={(next) => update({ roles: next })} />
            </fieldset>
            <p className="f-rep-hint" role="status">
              {draft.roles.length
                ? t('reportBuilder.runBy', { roles: [...draft.roles.map(roleLabel), roleLabel('admin')].join(', ') })
                : t('reportBuilder.runByEveryone')}
            </p>
            <FieldError message={under('/roles')} />
          </Card>

          <Card title={t('reportBuilder.dashboard')}>
            {onDashboards.length > 0 && (
              <p className="f-rep-hint">{t('reportBuilder.onDashboards', { names: onDashboards.join(', ') })}</p>
            )}
            <SelectField
              label={t('reportBuilder.addToDashboard')}
              value={dashboard}
              options={dashboardOptions}
              hint={t('reportBuilder.addToDashboardHint')}
              onChange={setDashboard}
            />
          </Card>
        </div>

        <section className="f-rb__preview" aria-label={t('reportBuilder.preview')}>
          <h2 className="f-rb__preview-title">{t('reportBuilder.preview')}</h2>
          {localProblems ? (
            <p className="f-rep-hint" role="status">
              {t('reportBuilder.previewWaits')}
            </p>
          ) : preview.isError ? (
            <div className="f-rb__refused" role="alert">
              <p>{t('reportBuilder.previewRefused')}</p>
              <ul>
                {Object.entries(serverIssues).map(([p, m]) => (
                  <li key={p}>{m}</li>
                ))}
              </ul>
            </div>
          ) : (
            <>
              <ReportRunView title={title} chart={draft.chart} run={preview} meta={appMeta} className="f-rb__chart" />
              {preview.data && draft.chart !== 'table' && (
                <ReportRunView
                  title={t('reportBuilder.previewRows')}
                  chart="table"
                  run={preview}
                  meta={appMeta}
                  className="f-rb__chart"
                />
              )}
              {preview.data?.truncated && <p className="f-rep-hint">{t('reportBuilder.truncated')}</p>}
            </>
          )}
        </section>
      </div>
      <PublishDialog
        open={publishing}
        onOpenChange={(o) => !o && setPublishing(false)}
        document={document}
        title={t('reportBuilder.publishTitle', { label: title })}
        onPublished={() => {
          setDirty(false);
          setDashboard('');
          toast({ tone: 'success', title: t('reportBuilder.published') });
        }}
      />
    </Page>
  );
}

function RowButtons({
  what,
  first,
  last,
  removable = true,
  onMove,
  onRemove,
}: {
  what: string;
  first: boolean;
  last: boolean;
  removable?: boolean;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="f-rb__buttons">
      <IconButton
        label={t('reportBuilder.moveUp', { name: what })}
        icon={<ArrowUp size={16} />}
        disabled={first}
        onClick={() => onMove(-1)}
      />
      <IconButton
        label={t('reportBuilder.moveDown', { name: what })}
        icon={<ArrowDown size={16} />}
        disabled={last}
        onClick={() => onMove(1)}
      />
      <IconButton
        label={t('reportBuilder.remove', { name: what })}
        icon={<Trash2 size={16} />}
        disabled={!removable}
        onClick={onRemove}
      />
    </div>
  );
}

/**
 * A field path picked step by step: a field of the object; a lookup opens the next step on its
 * target's fields (up to three lookups). `accept` limits the fields a path may end on (lookups stay
 * offered, to go through them).
 */
function PathPicker({
  label,
  objects,
  object,
  value,
  onChange,
  accept,
}: {
  label: string;
  objects: Objects;
  object: string;
  value: string;
  onChange: (path: string) => void;
  accept?: (kind: string) => boolean;
}) {
  const { t, i18n } = useTranslation();
  const steps = pathSteps(objects, object, value, i18n.language);
  const segs = value ? value.split('.') : [];
  return (
    <div className="f-rb__path">
      {steps.map((step, i) => {
        const options = step.options
          .filter((o) => o.ref || !accept || accept(o.kind))
          .map((o) => ({ value: o.name, label: o.ref ? `${o.label} ›` : o.label }));
        const through = i > 0 ? steps[i - 1]?.options.find((o) => o.name === segs[i - 1])?.label : undefined;
        return (
          <SelectField
            // biome-ignore lint/suspicious/noArrayIndexKey: a path's steps are positional
            key={i}
            label={i === 0 ? label : t('reportBuilder.pathStep', { label, n: i + 1 })}
            value={step.value}
            options={[
              {
                value: '',
                label: i === 0 ? t('reportBuilder.chooseField') : t('reportBuilder.theRecordItself', { name: through }),
              },
              ...options,
            ]}
            onChange={(seg) => onChange([...segs.slice(0, i), ...(seg ? [seg] : [])].join('.'))}
          />
        );
      })}
    </div>
  );
}
