import type { ReportDefinition } from '@forma/metadata';
import {
  type ConditionGroup,
  type ConditionLookups,
  type ConditionProblem,
  type Filter,
  emptyGroup,
  fromFilter,
  toFilter,
  USER_LOOKUP_SCHEMA,
} from '../../conditions/condition-model';
import { fieldLabel } from '../../i18n/pick-label';
import type { FieldSchema, ObjectSchema } from '../../meta/meta-types';
import { valueKind } from '../../records/field-kind';
import { ZH } from './report-labels';

/**
 * The report builder's draft and its conversions to and from a stored report (`reports` metadata
 * section, metadata/schemas/report.schema.json). What the builder does not edit — chartValue, limit,
 * description, other languages — is carried over from the stored report.
 */

export type Chart = ReportDefinition['chart'];
export type MeasureFn = ReportDefinition['aggregates'][number]['fn'];
export type Bucket = '' | 'day' | 'week' | 'month' | 'quarter' | 'year';
type StoredGroup = NonNullable<ReportDefinition['groupBy']>[number];
type StoredMeasure = ReportDefinition['aggregates'][number];
type StoredDerived = NonNullable<ReportDefinition['derive']>[number];

export const CHARTS: Chart[] = ['bar', 'line', 'pie', 'funnel', 'table'];
export const MEASURE_FNS: MeasureFn[] = ['count', 'sum', 'avg', 'min', 'max'];
export const BUCKETS: Bucket[] = ['', 'day', 'week', 'month', 'quarter', 'year'];
/** Up to three lookups then a field, as the runtime follows them (docs/analytics.md). */
export const MAX_LOOKUPS = 3;

export interface GroupDraft {
  field: string;
  bucket: Bucket;
  /** The stored group key, when editing one (its `as`, labels, aging limits are kept). */
  stored?: StoredGroup;
}

export interface MeasureDraft {
  fn: MeasureFn;
  field: string;
  label: string;
  zh: string;
  stored?: StoredMeasure;
}

/** A derived column: an expression over the row's columns (`round(running(margin) / total(margin) * 100, 1)`). */
export interface DerivedDraft {
  as: string;
  expr: string;
  label: string;
  zh: string;
  stored?: StoredDerived;
}

/** Column names as the server accepts them (common.schema.json `name`). */
export const COLUMN_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export interface CompareDraft {
  on: boolean;
  field: string;
  period: 'month' | 'quarter' | 'year';
  previous: boolean;
  lastYear: boolean;
  toDate: boolean;
}

export interface BuilderDraft {
  label: string;
  zh: string;
  object: string;
  groups: GroupDraft[];
  measures: MeasureDraft[];
  conditions: ConditionGroup;
  /** A stored filter the condition builder cannot show (an unknown field, a shape it does not draw): kept as it is. */
  keptFilter: Filter | null;
  /** An output column, "-" first for descending; '' for the report's default order. */
  sort: string;
  chart: Chart;
  /** The measure or derived column the chart plots; '' for the first measure. */
  chartValue: string;
  /** The group key labelling the chart's points; '' for the first group key. */
  chartCategory: string;
  /** A second group key whose values are the chart's series; '' for one series. */
  chartSeries: string;
  compare: CompareDraft;
  derived: DerivedDraft[];
  /** Roles that may run the report; empty: everyone who may read the object (admins always). */
  roles: string[];
}

const NO_COMPARE: CompareDraft = {
  on: false,
  field: '',
  period: 'month',
  previous: true,
  lastYear: true,
  toDate: false,
};

export function newDraft(object: string, label: string): BuilderDraft {
  return {
    label,
    zh: '',
    object,
    groups: [],
    measures: [{ fn: 'count', field: '', label: '', zh: '' }],
    conditions: emptyGroup(),
    keptFilter: null,
    sort: '',
    chart: 'bar',
    chartValue: '',
    chartCategory: '',
    chartSeries: '',
    compare: { ...NO_COMPARE },
    derived: [],
    roles: [],
  };
}

const zhOf = (i18n: unknown): string => {
  const e = (i18n as Record<string, Record<string, unknown>> | undefined)?.[ZH];
  const v = e?.label ?? e?.title;
  return typeof v === 'string' ? v : '';
};

/** Filters of reports read through up to three lookups, as the runtime follows them. */
export const reportLookups = (objects: Record<string, ObjectSchema | null | undefined>): ConditionLookups => ({
  objects,
  hops: MAX_LOOKUPS,
});

/**
 * A stored report as a draft (`schema`: its object's, to read its filter into the builder; `objects`:
 * every object, for filters through lookups).
 */
export function draftOf(
  def: ReportDefinition,
  schema: ObjectSchema,
  objects?: Record<string, ObjectSchema | null | undefined>,
): BuilderDraft {
  const lookups = objects ? reportLookups(objects) : undefined;
  const group = def.filter ? fromFilter(def.filter as Filter, schema, lookups) : emptyGroup();
  const withs = def.compare?.with ?? (def.compare?.period === 'year' ? ['previous'] : ['previous', 'last_year']);
  return {
    label: def.label,
    zh: zhOf(def['x-i18n']),
    object: def.object,
    groups: (def.groupBy ?? []).map((g) => ({
      field: g.field,
      bucket: (g.bucket && g.bucket !== 'aging' ? g.bucket : '') as Bucket,
      stored: g,
    })),
    measures: def.aggregates.map((a) => ({
      fn: a.fn,
      field: a.field ?? '',
      label: a.label ?? '',
      zh: zhOf(a['x-i18n']),
      stored: a,
    })),
    conditions: group ?? emptyGroup(),
    keptFilter: group ? null : (def.filter as Filter),
    sort: def.sort?.[0] ?? '',
    chart: def.chart,
    chartValue: def.chartValue ?? '',
    chartCategory: def.chartCategory ?? '',
    chartSeries: def.chartSeries ?? '',
    compare: def.compare
      ? {
          on: true,
          field: def.compare.field,
          period: def.compare.period,
          previous: withs.includes('previous'),
          lastYear: withs.includes('last_year'),
          toDate: def.compare.toDate ?? false,
        }
      : { ...NO_COMPARE },
    derived: (def.derive ?? []).map((d) => ({
      as: d.as,
      expr: d.expr,
      label: d.label ?? '',
      zh: zhOf(d['x-i18n']),
      stored: d,
    })),
    roles: [...(def.roles ?? [])],
  };
}

/** A column name from a path: `account.region.name` → `account_region_name` (at most 63 characters). */
export function columnName(...parts: string[]): string {
  const name = parts
    .filter(Boolean)
    .join('_')
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const safe = /^[a-z]/.test(name) ? name : `c_${name}`;
  return safe.slice(0, 63);
}

function unique(name: string, taken: Set<string>): string {
  let out = name;
  for (let i = 2; taken.has(out); i++) out = `${name.slice(0, 60)}_${i}`;
  taken.add(out);
  return out;
}

export type BuilderProblem =
  | 'labelRequired'
  | 'measureRequired'
  | 'fieldRequired'
  | 'compareFieldRequired'
  | 'compareWithRequired'
  | 'derivedNameRequired'
  | 'derivedNamePattern'
  | 'derivedNameTaken'
  | 'exprRequired';

export interface BuiltReport {
  def: ReportDefinition;
  /** Problems the browser sees itself, by the report's JSON path (`/groupBy/0/field`). */
  problems: Record<string, BuilderProblem>;
  conditionProblems: ConditionProblem[];
}

/**
 * The draft as a stored report: `base` (the stored report) supplies what the builder does not edit;
 * `objects` lets filter conditions read through lookups.
 */
export function toDefinition(
  draft: BuilderDraft,
  schema: ObjectSchema,
  base?: ReportDefinition,
  objects?: Record<string, ObjectSchema | null | undefined>,
): BuiltReport {
  const problems: Record<string, BuilderProblem> = {};
  if (!draft.label.trim()) problems['/label'] = 'labelRequired';
  if (!draft.measures.length) problems['/aggregates'] = 'measureRequired';
  const taken = new Set<string>();
  const groupBy: StoredGroup[] = draft.groups.map((g, i) => {
    if (!g.field) problems[`/groupBy/${i}/field`] = 'fieldRequired';
    const keep = g.stored && g.stored.field === g.field && (g.stored.bucket ?? '') === g.bucket;
    const { bucket: _b, limits: _l, as: _as, ...storedRest } = g.stored ?? ({} as Partial<StoredGroup>);
    const as = unique(keep && g.stored?.as ? g.stored.as : columnName(g.field, g.bucket), taken);
    return {
      ...(keep ? storedRest : {}),
      field: g.field,
      ...(g.bucket ? { bucket: g.bucket } : keep && g.stored?.bucket ? { bucket: g.stored.bucket } : {}),
      ...(keep && g.stored?.limits ? { limits: g.stored.limits } : {}),
      as,
    } as StoredGroup;
  });
  const aggregates: StoredMeasure[] = draft.measures.map((m, i) => {
    if (m.fn !== 'count' && !m.field) problems[`/aggregates/${i}/field`] = 'fieldRequired';
    const keep = m.stored && m.stored.fn === m.fn && (m.stored.field ?? '') === (m.fn === 'count' ? '' : m.field);
    const as = unique(keep ? (m.stored?.as as string) : m.fn === 'count' ? 'count' : columnName(m.fn, m.field), taken);
    const { label: _l, 'x-i18n': i18n, ...rest } = (keep ? m.stored : {}) as Partial<StoredMeasure>;
    const { [ZH]: _zh, ...otherLangs } = (i18n ?? {}) as Record<string, Record<string, unknown>>;
    const nextI18n = m.zh.trim() ? { ...otherLangs, [ZH]: { label: m.zh.trim() } } : otherLangs;
    return {
      ...rest,
      fn: m.fn,
      ...(m.fn !== 'count' && m.field ? { field: m.field } : {}),
      as,
      ...(m.label.trim() ? { label: m.label.trim() } : {}),
      ...(Object.keys(nextI18n).length ? { 'x-i18n': nextI18n } : {}),
    } as StoredMeasure;
  });
  const { filter: built, problems: conditionProblems } = toFilter(
    draft.conditions,
    schema,
    objects ? reportLookups(objects) : undefined,
  );
  const filter = draft.keptFilter ?? built;
  let compare: ReportDefinition['compare'];
  if (draft.compare.on) {
    if (!draft.compare.field) problems['/compare/field'] = 'compareFieldRequired';
    const withs = [...(draft.compare.previous ? ['previous'] : []), ...(draft.compare.lastYear ? ['last_year'] : [])];
    if (!withs.length) problems['/compare/with'] = 'compareWithRequired';
    compare = {
      field: draft.compare.field,
      period: draft.compare.period,
      with: withs as NonNullable<NonNullable<ReportDefinition['compare']>['with']>,
      ...(draft.compare.toDate ? { toDate: true } : {}),
    };
  }
  const derive: StoredDerived[] = draft.derived.map((d, i) => {
    const as = d.as.trim();
    if (!as) problems[`/derive/${i}/as`] = 'derivedNameRequired';
    else if (!COLUMN_NAME.test(as)) problems[`/derive/${i}/as`] = 'derivedNamePattern';
    else if (taken.has(as)) problems[`/derive/${i}/as`] = 'derivedNameTaken';
    else taken.add(as);
    if (!d.expr.trim()) problems[`/derive/${i}/expr`] = 'exprRequired';
    const { label: _l, 'x-i18n': i18n, as: _as, expr: _e, ...rest } = (d.stored ?? {}) as Partial<StoredDerived>;
    const { [ZH]: _zh, ...otherLangs } = (i18n ?? {}) as Record<string, Record<string, unknown>>;
    const nextI18n = d.zh.trim() ? { ...otherLangs, [ZH]: { label: d.zh.trim() } } : otherLangs;
    return {
      ...rest,
      as,
      expr: d.expr.trim(),
      ...(d.label.trim() ? { label: d.label.trim() } : {}),
      ...(Object.keys(nextI18n).length ? { 'x-i18n': nextI18n } : {}),
    } as StoredDerived;
  });
  const roles = [...new Set(draft.roles)];
  const {
    label: _label,
    'x-i18n': baseI18n,
    object: _object,
    filter: _filter,
    groupBy: _groupBy,
    aggregates: _aggregates,
    sort: baseSort,
    chart: _chart,
    compare: _compare,
    derive: _derive,
    roles: _roles,
    chartValue: _chartValue,
    chartCategory: _chartCategory,
    chartSeries: _chartSeries,
    ...kept
  } = base ?? ({} as Partial<ReportDefinition>);
  const { [ZH]: _zh, ...otherLangs } = (baseI18n ?? {}) as Record<string, Record<string, unknown>>;
  const i18n = draft.zh.trim() ? { ...otherLangs, [ZH]: { label: draft.zh.trim() } } : otherLangs;
  // The builder edits the first sort key; any further ones of the stored report follow it. A sort
  // on a column the draft no longer has is dropped rather than refused.
  const sameObject = !base || base.object === draft.object;
  const withs = compare?.with ?? [];
  const columns = new Set<string>([
    ...groupBy.map((g) => g.as as string),
    ...aggregates.flatMap((a) => [a.as, ...withs.flatMap((w) => [`${a.as}_${w}`, `${a.as}_${w}_change`])]),
    ...derive.map((d) => d.as),
  ]);
  const known = (s: string) => columns.has(s.replace(/^-/, ''));
  const sortKey = known(draft.sort) ? draft.sort : '';
  const sort = sortKey ? [sortKey, ...(baseSort ?? []).slice(1).filter((s) => s !== sortKey && known(s))] : [];
  // A chart value or category naming a column the draft no longer has is dropped, as the sort is.
  const groupKeys = new Set(groupBy.map((g) => g.as as string));
  const chartValue =
    draft.chartValue && columns.has(draft.chartValue) && !groupKeys.has(draft.chartValue) ? draft.chartValue : '';
  const chartCategory = draft.chartCategory && groupKeys.has(draft.chartCategory) ? draft.chartCategory : '';
  // Series by a grouping other than the one naming the points (which defaults to the first other).
  const category = chartCategory || [...groupKeys].find((k) => k !== draft.chartSeries);
  const chartSeries =
    draft.chartSeries && groupKeys.has(draft.chartSeries) && category && category !== draft.chartSeries
      ? draft.chartSeries
      : '';
  // A changed object empties what belonged to the old one.
  const def = {
    ...(sameObject ? kept : {}),
    label: draft.label.trim(),
    ...(Object.keys(i18n).length ? { 'x-i18n': i18n } : {}),
    object: draft.object,
    ...(filter ? { filter } : {}),
    ...(groupBy.length ? { groupBy } : {}),
    aggregates,
    ...(compare ? { compare } : {}),
    ...(derive.length ? { derive } : {}),
    ...(sort.length ? { sort } : {}),
    chart: draft.chart,
    ...(chartValue ? { chartValue } : {}),
    ...(chartCategory ? { chartCategory } : {}),
    ...(chartSeries ? { chartSeries } : {}),
    ...(roles.length ? { roles } : {}),
  } as ReportDefinition;
  return { def, problems, conditionProblems };
}

/** Output columns a draft's sort may name: group keys, measures, derived columns (as toDefinition names them). */
export function sortColumns(built: ReportDefinition): Array<{ key: string; role: 'group' | 'measure' | 'derived' }> {
  return [
    ...(built.groupBy ?? []).map((g) => ({ key: g.as ?? g.field, role: 'group' as const })),
    ...built.aggregates.map((a) => ({ key: a.as, role: 'measure' as const })),
    ...(built.derive ?? []).filter((d) => d.as).map((d) => ({ key: d.as, role: 'derived' as const })),
  ];
}

/** System fields every record has, offered beside the object's own. */
const SYSTEM_FIELDS: Record<string, FieldSchema> = {
  owner: { type: 'string', format: 'uuid', 'x-ref': 'user', title: 'Owner', 'x-i18n': { [ZH]: { title: '负责人' } } },
  created_at: { type: 'string', format: 'date-time', title: 'Created', 'x-i18n': { [ZH]: { title: '创建时间' } } },
  updated_at: { type: 'string', format: 'date-time', title: 'Updated', 'x-i18n': { [ZH]: { title: '更新时间' } } },
};
const USER_FIELDS: Record<string, FieldSchema> = USER_LOOKUP_SCHEMA.properties ?? {};

export interface PathOption {
  name: string;
  label: string;
  /** The object (or `user`) a lookup leads to. */
  ref?: string;
  kind: string;
}

/** The fields of one step of a path: the object's (then its system fields), or a user's. */
export function stepOptions(
  objects: Record<string, ObjectSchema | null | undefined>,
  object: string,
  lang: string,
): PathOption[] {
  const props: Record<string, FieldSchema> =
    object === 'user' ? USER_FIELDS : { ...(objects[object]?.properties ?? {}), ...SYSTEM_FIELDS };
  const out: PathOption[] = [];
  for (const [name, f] of Object.entries(props)) {
    const kind = valueKind(f);
    if (kind === 'children' || kind === 'multiselect' || f['x-access'] === 'none') continue;
    const ref = typeof f['x-ref'] === 'string' ? f['x-ref'] : undefined;
    const label = fieldLabel({ properties: props }, name, lang);
    out.push({ name, label, kind, ...(ref && (ref === 'user' || objects[ref]) ? { ref } : {}) });
  }
  return out;
}

/** Each step of a path with the object it is read on: `account.region.name` on deal → deal, account, region. */
export function pathSteps(
  objects: Record<string, ObjectSchema | null | undefined>,
  object: string,
  path: string,
  lang: string,
): Array<{ object: string; options: PathOption[]; value: string }> {
  const segs = path ? path.split('.') : [];
  const steps: Array<{ object: string; options: PathOption[]; value: string }> = [];
  let on = object;
  for (let i = 0; i <= segs.length && i <= MAX_LOOKUPS; i++) {
    const options = stepOptions(objects, on, lang);
    const value = segs[i] ?? '';
    steps.push({ object: on, options, value });
    const ref = options.find((o) => o.name === value)?.ref;
    if (!value || !ref || i === MAX_LOOKUPS) break;
    on = ref;
  }
  return steps;
}

/** The kind of what a path ends on ('' if it does not resolve). */
export function pathKind(
  objects: Record<string, ObjectSchema | null | undefined>,
  object: string,
  path: string,
): string {
  if (!path) return '';
  const steps = pathSteps(objects, object, path, 'en');
  const segs = path.split('.');
  const last = steps[segs.length - 1];
  return last?.options.find((o) => o.name === segs[segs.length - 1])?.kind ?? '';
}

export const isDateKind = (kind: string) => kind === 'date' || kind === 'datetime';
export const isNumberKind = (kind: string) => ['number', 'currency', 'percent', 'integer'].includes(kind);

/** A dashboard with the report added as a widget (unchanged when it is there already). */
export function withWidget<D extends { widgets: Array<{ report: string }> }>(dashboard: D, report: string): D {
  if (dashboard.widgets.some((w) => w.report === report)) return dashboard;
  return { ...dashboard, widgets: [...dashboard.widgets, { report, width: 'half' }] };
}
