/**
 * Customer value analyses of a saved report (`analysis`, docs/analytics.md): the report's object
 * holds purchases; the viewer's readable purchases (the aggregate engine's own statement, so row
 * scope and field security are those of any report) are summed per customer and day in SQL, then
 * per customer — first and last purchase, revenue, margin, usual interval, churn risk, RFM scores
 * and segment, cohort — and the report groups and aggregates those per-customer columns, all in one
 * statement. A purchase whose customer the viewer may not read joins as hidden and counts for no
 * customer, so neither a segment nor a cohort reveals an unreadable customer.
 *
 * Names reach SQL only as bound identifiers from the fixed column list below; values are bound.
 */
import type { MetadataIssue, MetadataIssueCode, ReportDefinition } from '@forma/metadata';
import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import type { FieldModel, Model } from '../model/load-model';
import type { AggregateInput } from '../records/aggregate-spec';
import type { AggregateService } from '../records/aggregate-service';
import type { Row } from './report-derive';

export type ReportAnalysis = NonNullable<ReportDefinition['analysis']>;

type ColumnKind = 'lookup' | 'date' | 'integer' | 'number' | 'currency' | 'boolean' | 'text';
export interface AnalysisColumn {
  kind: ColumnKind;
  label: string;
  zh: string;
}

/** The per-customer columns an analysis report reads instead of its object's fields. */
export const ANALYSIS_COLUMNS: Record<string, AnalysisColumn> = {
  customer: { kind: 'lookup', label: 'Customer', zh: '客户' },
  first_on: { kind: 'date', label: 'First purchase', zh: '首次购买' },
  last_on: { kind: 'date', label: 'Last purchase', zh: '最近购买' },
  orders: { kind: 'integer', label: 'Purchases', zh: '购买次数' },
  revenue: { kind: 'currency', label: 'Revenue', zh: '收入' },
  cost: { kind: 'currency', label: 'Cost', zh: '成本' },
  margin: { kind: 'currency', label: 'Margin', zh: '毛利' },
  ltv: { kind: 'currency', label: 'Lifetime value', zh: '客户终身价值' },
  avg_order: { kind: 'currency', label: 'Average purchase', zh: '平均客单价' },
  avg_interval: { kind: 'number', label: 'Usual interval (days)', zh: '平均购买间隔（天）' },
  days_since_last: { kind: 'integer', label: 'Days since last purchase', zh: '距上次购买天数' },
  tenure_days: { kind: 'integer', label: 'Customer for (days)', zh: '客户时长（天）' },
  churn_risk: { kind: 'boolean', label: 'Churn risk', zh: '流失风险' },
  recency: { kind: 'integer', label: 'Recency score', zh: '近度评分' },
  frequency: { kind: 'integer', label: 'Frequency score', zh: '频度评分' },
  monetary: { kind: 'integer', label: 'Monetary score', zh: '额度评分' },
  rfm: { kind: 'text', label: 'RFM score', zh: 'RFM 评分' },
  rfm_segment: { kind: 'text', label: 'RFM segment', zh: 'RFM 客户分群' },
  cohort: { kind: 'text', label: 'Cohort (first purchase month)', zh: '同期群（首购月份）' },
};

/** What a `movement` analysis groups by: each customer's stored segment on the two days compared. */
export const MOVEMENT_COLUMNS: Record<string, AnalysisColumn> = {
  from_segment: { kind: 'text', label: 'RFM segment before', zh: '之前的 RFM 客户分群' },
  to_segment: { kind: 'text', label: 'RFM segment now', zh: '现在的 RFM 客户分群' },
};
export const DEFAULT_MOVEMENT_DAYS = 30;

/** RFM segments by recency and frequency on a 1–5 scale, in the order a report lists them. */
export const RFM_SEGMENTS: { value: string; label: string; zh: string }[] = [
  { value: 'champions', label: 'Champions', zh: '重要价值客户' },
  { value: 'loyal', label: 'Loyal customers', zh: '忠诚客户' },
  { value: 'potential_loyalists', label: 'Potential loyalists', zh: '潜力客户' },
  { value: 'new', label: 'New customers', zh: '新客户' },
  { value: 'promising', label: 'Promising', zh: '有前景客户' },
  { value: 'need_attention', label: 'Need attention', zh: '需关注客户' },
  { value: 'about_to_sleep', label: 'About to sleep', zh: '即将沉睡客户' },
  { value: 'at_risk', label: 'At risk', zh: '流失风险客户' },
  { value: 'cant_lose', label: "Can't lose them", zh: '不能失去的客户' },
  { value: 'hibernating', label: 'Hibernating', zh: '沉睡客户' },
];

/** The grid of the usual RFM segment map (r5, f5: recency and frequency scored 1–5). */
const SEGMENT_CASE = `case
  when r5 = 5 and f5 >= 4 then 'champions'
  when r5 >= 3 and f5 >= 4 then 'loyal'
  when r5 >= 4 and f5 >= 2 then 'potential_loyalists'
  when r5 = 5 then 'new'
  when r5 = 4 then 'promising'
  when r5 = 3 and f5 = 3 then 'need_attention'
  when r5 = 3 then 'about_to_sleep'
  when f5 = 5 then 'cant_lose'
  when f5 >= 3 then 'at_risk'
  else 'hibernating' end`;

const NUMERIC_KINDS = new Set<ColumnKind>(['integer', 'number', 'currency']);
const NUMERIC_FIELDS = new Set(['number', 'currency', 'percent', 'integer']);
const DATE_FORMATS: Record<string, string> = {
  day: 'YYYY-MM-DD',
  week: 'IYYY-"W"IW',
  month: 'YYYY-MM',
  quarter: 'YYYY-"Q"Q',
  year: 'YYYY',
};
const OPS: Record<string, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_ROWS = 10_000;

export const DEFAULT_COHORT_PERIODS = 12;

/** Retention columns of a cohort analysis: `m1` … `m<periods>`. */
export function retentionColumns(a: ReportAnalysis | undefined): string[] {
  if (a?.kind !== 'cohort') return [];
  return Array.from({ length: a.periods ?? DEFAULT_COHORT_PERIODS }, (_, i) => `m${i + 1}`);
}

type Resolve = (path: string) => FieldModel | undefined;

/**
 * Everything wrong with a report's analysis, as metadata issues (empty when it can run). The
 * purchase fields are resolved by `resolve` (at save: as the author sees the model; at run the
 * aggregate engine checks them again with the viewer's field security).
 */
export function analysisIssues(def: ReportDefinition, model: Model, resolve: Resolve): MetadataIssue[] {
  const a = def.analysis as ReportAnalysis;
  const issues: MetadataIssue[] = [];
  // A code and its facts beside the English, so the designer says it in the admin's language.
  const add = (path: string, message: string, code?: MetadataIssueCode, params?: Record<string, string | number>) =>
    issues.push({ path, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });
  const customer = resolve(a.customer);
  if (!customer)
    add('/analysis/customer', `Unknown field: ${a.customer}`, 'report_unknown_field', { field: a.customer });
  else if (!customer.ref || customer.ref === 'user' || !model.objects.has(customer.ref))
    add(
      '/analysis/customer',
      `The customer is a lookup to the customer's object: ${a.customer} is not one`,
      'analysis_customer_lookup',
      { field: a.customer },
    );
  const date = resolve(a.date);
  if (!date) add('/analysis/date', `Unknown field: ${a.date}`, 'report_unknown_field', { field: a.date });
  else if (date.resultKind !== 'date' && date.resultKind !== 'datetime')
    add('/analysis/date', `The purchase date is a date or date-time field: ${a.date} is not one`, 'not_a_date', {
      field: a.date,
    });
  for (const key of ['amount', 'cost'] as const) {
    const path = a[key];
    if (path === undefined) continue;
    const f = resolve(path);
    if (!f) add(`/analysis/${key}`, `Unknown field: ${path}`, 'report_unknown_field', { field: path });
    else if (!NUMERIC_FIELDS.has(f.resultKind))
      add(`/analysis/${key}`, `The ${key} is a number field: ${path} is not one`, 'analysis_not_number', {
        field: path,
      });
  }
  if (a.cost !== undefined && a.cost === a.amount)
    add('/analysis/cost', 'The cost is another field than the amount', 'analysis_cost_is_amount');
  if (def.compare)
    add('/compare', 'An analysis report has no period comparison (its run day is asOf)', 'analysis_no_compare');
  const groupBy = def.groupBy ?? [];
  if (a.kind === 'movement') return [...issues, ...movementIssues(def)];
  if (a.kind === 'cohort' && (groupBy.length !== 1 || groupBy[0]?.field !== 'cohort' || groupBy[0]?.bucket))
    add('/groupBy', 'A cohort analysis is grouped by cohort: groupBy [{ "field": "cohort" }]', 'analysis_cohort_group');
  const known = Object.keys(ANALYSIS_COLUMNS).join(', ');
  groupBy.forEach((g, i) => {
    const c = ANALYSIS_COLUMNS[g.field];
    if (!c)
      add(
        `/groupBy/${i}/field`,
        `Unknown column: ${g.field} (an analysis groups by ${known})`,
        'analysis_unknown_column',
        {
          column: g.field,
          columns: known,
        },
      );
    else if (g.bucket && (c.kind !== 'date' || g.bucket === 'aging'))
      add(
        `/groupBy/${i}/bucket`,
        `${g.field} has no ${g.bucket} (day, week, month, quarter or year of a date column)`,
        'aggregate_bucket_not_date',
        { field: g.field, bucket: g.bucket },
      );
  });
  def.aggregates.forEach((m, i) => {
    if (m.fn === 'count') {
      if (m.field !== undefined)
        add(`/aggregates/${i}/field`, 'count counts customers: it takes no field', 'analysis_count_no_field');
      return;
    }
    const c = m.field ? ANALYSIS_COLUMNS[m.field] : undefined;
    if (!c)
      add(
        `/aggregates/${i}/field`,
        `Unknown column: ${m.field ?? ''} (an analysis measures ${known})`,
        'analysis_unknown_column',
        { column: m.field ?? '', columns: known },
      );
    else if ((m.fn === 'sum' || m.fn === 'avg') && !NUMERIC_KINDS.has(c.kind))
      add(`/aggregates/${i}/field`, `${m.fn} needs a numeric column: ${m.field}`, 'aggregate_needs_number', {
        fn: m.fn,
        field: m.field ?? '',
      });
    else if (!NUMERIC_KINDS.has(c.kind) && c.kind !== 'date')
      add(
        `/aggregates/${i}/field`,
        `${m.fn} needs a numeric or date column: ${m.field}`,
        'aggregate_needs_number_or_date',
        {
          fn: m.fn,
          field: m.field ?? '',
        },
      );
  });
  for (const [name, cond] of Object.entries(a.where ?? {})) {
    const c = ANALYSIS_COLUMNS[name];
    if (!c) {
      add(`/analysis/where/${name}`, `Unknown column: ${name}`, 'analysis_unknown_column', {
        column: name,
        columns: known,
      });
      continue;
    }
    for (const [op, v] of Object.entries(cond ?? {})) {
      for (const value of Array.isArray(v) ? v : [v]) {
        const problem = valueProblem(c, value);
        if (problem) add(`/analysis/where/${name}/${op}`, `${name}: ${problem}`);
      }
    }
  }
  return issues;
}

/** A movement reads stored segments, not purchases: it groups by them and counts customers. */
function movementIssues(def: ReportDefinition): MetadataIssue[] {
  const issues: MetadataIssue[] = [];
  const known = Object.keys(MOVEMENT_COLUMNS).join(', ');
  (def.groupBy ?? []).forEach((g, i) => {
    if (!MOVEMENT_COLUMNS[g.field])
      issues.push({
        path: `/groupBy/${i}/field`,
        message: `Unknown column: ${g.field} (a movement groups by ${known})`,
        code: 'analysis_unknown_column',
        params: { column: g.field, columns: known },
      });
    else if (g.bucket)
      issues.push({
        path: `/groupBy/${i}/bucket`,
        message: `${g.field} has no ${g.bucket}`,
        code: 'aggregate_bucket_not_date',
        params: { field: g.field, bucket: g.bucket },
      });
  });
  def.aggregates.forEach((m, i) => {
    if (m.fn !== 'count' || m.field !== undefined)
      issues.push({
        path: `/aggregates/${i}`,
        message: 'A movement counts customers: { "fn": "count" }',
        code: 'analysis_movement_count',
      });
  });
  if (def.analysis?.where)
    issues.push({ path: '/analysis/where', message: 'A movement has no where', code: 'analysis_movement_where' });
  return issues;
}

function valueProblem(c: AnalysisColumn, v: unknown): string | undefined {
  if (c.kind === 'boolean') return typeof v === 'boolean' ? undefined : 'true or false';
  if (NUMERIC_KINDS.has(c.kind)) return typeof v === 'number' && Number.isFinite(v) ? undefined : 'a number';
  if (c.kind === 'date')
    return typeof v === 'string' && ISO_DAY.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'a date, YYYY-MM-DD';
  return typeof v === 'string' ? undefined : 'a text';
}

/** The day after `day` (an exclusive bound of a date-time range through its UTC day). */
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const monthsBefore = (day: string, months: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString().slice(0, 10);
};

/**
 * What each derived per-customer column is computed from; the columns not listed are the
 * per-customer sums and bounds themselves. `r5`/`f5` are recency and frequency on a 1–5 scale
 * (what the segment map reads, whatever `quantiles` is).
 */
const DEPENDS: Record<string, string[]> = {
  margin: ['revenue', 'cost'],
  ltv: ['revenue', 'cost'],
  avg_order: ['revenue', 'orders'],
  avg_interval: ['first_on', 'last_on', 'orders'],
  days_since_last: ['last_on'],
  tenure_days: ['first_on', 'last_on'],
  churn_risk: ['orders', 'days_since_last', 'avg_interval'],
  recency: ['last_on'],
  frequency: ['orders'],
  monetary: ['revenue'],
  r5: ['last_on'],
  f5: ['orders'],
  rfm: ['recency', 'frequency', 'monetary'],
  rfm_segment: ['r5', 'f5'],
  cohort: ['first_on'],
};

/**
 * The per-customer columns a report reads (group keys, measures, `where`; a cohort's retention
 * reads `cohort` and `first_on`) with everything they are computed from: only these are computed,
 * so an RFM-segment report sorts customers by the two orderings its segments need, not by five.
 * (Derived columns read the report's measures, after this statement.)
 */
export function columnsRead(def: ReportDefinition): Set<string> {
  const a = def.analysis as ReportAnalysis;
  const out = new Set<string>(['customer']);
  const add = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    for (const d of DEPENDS[name] ?? []) add(d);
  };
  for (const g of def.groupBy ?? []) add(g.field);
  for (const m of def.aggregates) if (m.field) add(m.field);
  for (const name of Object.keys(a.where ?? {})) add(name);
  if (a.kind === 'cohort') {
    add('cohort');
    add('first_on');
  }
  return out;
}

/** Every per-customer column: what a refusal check reads (the amount and the cost both summed). */
const EVERY_COLUMN = new Set(['customer', ...Object.keys(ANALYSIS_COLUMNS)]);

/**
 * The viewer's purchases: the aggregate engine's request. A cohort analysis reads them per
 * customer and day (its retention needs the months each customer bought in); the others per
 * customer, with the first and last purchase as min and max (the first only when the report reads
 * it) — one row per customer, as the SQL a developer would write. The amount and the cost are summed
 * only when `cols` (default: what the report reads) needs them: a cohort of customer counts groups
 * narrow rows, as `select distinct customer, day` would. (`runAnalysis` still checks the viewer may
 * read both, so field security refuses an analysis over a field they may not read, as any report.)
 */
export function purchasesInput(
  def: ReportDefinition,
  datetime: boolean,
  asOf: string,
  cols: Set<string> = columnsRead(def),
): AggregateInput {
  const a = def.analysis as ReportAnalysis;
  const bound = (d: string) => (datetime ? `${d}T00:00:00.000Z` : d);
  const range: Record<string, string> = { lt: bound(nextDay(asOf)) };
  if (a.months) range.gte = bound(monthsBefore(asOf, a.months));
  const window = { [a.date]: range };
  const perDay = a.kind === 'cohort';
  const sum = [...(cols.has('revenue') ? [a.amount] : []), ...(a.cost && cols.has('cost') ? [a.cost] : [])];
  return {
    // Through the customer's id: the customer joins within the viewer's scope on it, and one they
    // may not read comes back hidden (null), counted for no one.
    // A date groups as itself (no text formatting of every purchase); a date-time by its UTC day.
    groupBy: perDay ? [`${a.customer}.id`, datetime ? `${a.date}:day` : a.date] : [`${a.customer}.id`],
    ...(sum.length ? { sum } : {}),
    // The first purchase only when the report reads it (an RFM segment does not).
    ...(perDay ? {} : cols.has('first_on') ? { min: a.date, max: a.date } : { max: a.date }),
    count: true,
    asOf,
    filter: def.filter ? { and: [def.filter, window] } : window,
  };
}

/** Where the purchases sub-query holds each sum: `m<i>` by the engine's measure key. */
type MeasureAlias = (key: string) => string;

/**
 * The per-customer table (`v`) over the purchases sub-query (`src`: g0 customer, then per day g1
 * and n purchases, or per customer min/max of the date and n), computing only `cols`, as CTE text
 * and its bindings (in the order of their `?`).
 */
export function customerCtes(
  a: ReportAnalysis,
  src: Knex.QueryBuilder,
  m: MeasureAlias,
  datetime: boolean,
  asOf: string,
  cols: Set<string>,
) {
  const q = a.quantiles ?? 5;
  const bindings: unknown[] = [src];
  const want = (c: string) => cols.has(c);
  const sumOf = (field: string) => `coalesce(sum(${m(`sum_${field}`)}), 0)::numeric`;
  const c: string[] = ['g0 as customer'];
  let from: string;
  if (a.kind === 'cohort') {
    if (want('first_on')) c.push('min(g1::date) as first_on');
    if (want('last_on')) c.push('max(g1::date) as last_on');
    if (want('orders')) c.push('sum(n)::bigint as orders');
    if (want('revenue')) c.push(`${sumOf(a.amount)} as revenue`);
    if (want('cost')) c.push(`${a.cost ? sumOf(a.cost) : '0::numeric'} as cost`);
    from = 'from src where g0 is not null and g1 is not null group by g0';
  } else {
    // One row per readable customer already: no second grouping.
    const day = (k: string) => (datetime ? `(${m(k)} at time zone 'UTC')::date` : `${m(k)}::date`);
    const num = (field: string) => `coalesce(${m(`sum_${field}`)}, 0)::numeric`;
    if (want('first_on')) c.push(`${day(`min_${a.date}`)} as first_on`);
    if (want('last_on')) c.push(`${day(`max_${a.date}`)} as last_on`);
    if (want('orders')) c.push('n::bigint as orders');
    if (want('revenue')) c.push(`${num(a.amount)} as revenue`);
    if (want('cost')) c.push(`${a.cost ? num(a.cost) : '0::numeric'} as cost`);
    from = `from src where g0 is not null and ${m(`max_${a.date}`)} is not null`;
  }
  const s: string[] = ['c.*'];
  const score = (col: string, scale: number | string) => {
    s.push(`least(?, floor(percent_rank() over (order by ${col}) * ?)::int + 1)`);
    bindings.push(scale, scale);
  };
  if (want('margin')) s.push('revenue - cost as margin');
  if (want('ltv')) s.push('revenue - cost as ltv');
  if (want('days_since_last')) {
    s.push('(?::date - last_on) as days_since_last');
    bindings.push(asOf);
  }
  if (want('tenure_days')) s.push('(last_on - first_on) as tenure_days');
  if (want('avg_interval'))
    s.push('case when orders > 1 then round((last_on - first_on)::numeric / (orders - 1), 1) end as avg_interval');
  if (want('avg_order')) s.push('round(revenue / orders, 2) as avg_order');
  // Scores of the same ordering share one sort (PostgreSQL computes equal windows together).
  for (const [col, by, scale] of [
    ['recency', 'last_on', q],
    ['frequency', 'orders', q],
    ['monetary', 'revenue', q],
    ['r5', 'last_on', 5],
    ['f5', 'orders', 5],
  ] as const) {
    if (!want(col)) continue;
    score(by, scale);
    s[s.length - 1] += ` as ${col}`;
  }
  if (want('cohort')) s.push(`to_char(first_on, 'YYYY-MM') as cohort`);
  const v: string[] = ['s.*'];
  if (want('rfm')) v.push('recency::text || frequency::text || monetary::text as rfm');
  if (want('rfm_segment')) v.push(`${SEGMENT_CASE} as rfm_segment`);
  if (want('churn_risk')) {
    v.push('coalesce(orders > 1 and days_since_last > avg_interval * ?, false) as churn_risk');
    bindings.push(a.churnFactor ?? 1);
  }
  const sql = `with src as (?),
c as (select ${c.join(', ')} ${from}),
s as (select ${s.join(', ')} from c),
v as (select ${v.join(', ')} from s)`;
  return { sql, bindings };
}

function whereOf(a: ReportAnalysis): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const bindings: unknown[] = [];
  for (const [name, cond] of Object.entries(a.where ?? {})) {
    for (const [op, v] of Object.entries(cond ?? {})) {
      if (op === 'in') {
        const values = v as unknown[];
        if (!values.length) parts.push('false');
        else {
          parts.push(`?? in (${values.map(() => '?').join(', ')})`);
          bindings.push(`v.${name}`, ...values);
        }
      } else {
        parts.push(`?? ${OPS[op]} ?`);
        bindings.push(`v.${name}`, v);
      }
    }
  }
  return { sql: parts.length ? parts.join(' and ') : 'true', bindings };
}

export interface AnalysisDeps {
  aggregates: Pick<AggregateService, 'groupsQuery'>;
}

/**
 * Runs the analysis for the viewer: one row per group with the report's group keys (`as`) and
 * measures (`as`), and for a cohort analysis the retention columns (`m1`…: % of the cohort that
 * bought again N months after their first month; null for a month after the run's).
 */
export async function runAnalysis(
  ctx: Ctx,
  deps: AnalysisDeps,
  def: ReportDefinition,
  date: FieldModel,
  asOf: string,
): Promise<{ rows: Row[]; truncated: boolean }> {
  const a = def.analysis as ReportAnalysis;
  const datetime = date.resultKind === 'datetime';
  const input = purchasesInput(def, datetime, asOf);
  const every = purchasesInput(def, datetime, asOf, EVERY_COLUMN);
  // The viewer's field security over the amount and the cost, whatever this report reads: built (and
  // refused) by the engine, never run.
  if ((input.sum?.length ?? 0) < (every.sum?.length ?? 0))
    await deps.aggregates.groupsQuery(ctx, def.object, every, { unlimited: true });
  const { qb, spec } = await deps.aggregates.groupsQuery(ctx, def.object, input, {
    unlimited: true,
    // A purchase of an unreadable customer has a null customer and counts for no one (dropped below).
    hiddenKeys: false,
  });
  const alias: MeasureAlias = (key) => {
    const i = spec.measures.findIndex((x) => x.key === key);
    if (i < 0) throw new Error(`analysis: no purchase measure ${key}`);
    return `m${i}`;
  };
  const ctes = customerCtes(a, qb, alias, datetime, asOf, columnsRead(def));
  const where = whereOf(a);
  // Bindings follow the text: the CTEs', then (cohorts) the retention's filter, then the select's.
  const bindings: unknown[] = [...ctes.bindings];
  let sql = ctes.sql;
  if (a.kind === 'cohort') {
    sql += `, ${RETENTION_CTE.replace('{where}', where.sql)}`;
    bindings.push(...where.bindings);
  }
  const selects: string[] = [];
  const groupBy = def.groupBy ?? [];
  groupBy.forEach((g, i) => {
    if (g.bucket) {
      selects.push('to_char(??, ?) as ??');
      bindings.push(`v.${g.field}`, DATE_FORMATS[g.bucket], `g${i}`);
    } else if (ANALYSIS_COLUMNS[g.field]?.kind === 'date') {
      // Days as text: a date read back into a JavaScript Date would shift with the server's zone.
      selects.push(`to_char(??, 'YYYY-MM-DD') as ??`);
      bindings.push(`v.${g.field}`, `g${i}`);
    } else {
      selects.push('?? as ??');
      bindings.push(`v.${g.field}`, `g${i}`);
    }
  });
  def.aggregates.forEach((m, i) => {
    if (m.fn === 'count') selects.push('count(*) as ??');
    else if (m.field && ANALYSIS_COLUMNS[m.field]?.kind === 'date') {
      selects.push(`to_char(${m.fn}(??), 'YYYY-MM-DD') as ??`);
      bindings.push(`v.${m.field}`);
    } else {
      selects.push(`${m.fn}(??) as ??`);
      bindings.push(`v.${m.field}`);
    }
    bindings.push(`m${i}`);
  });
  if (a.kind === 'cohort') selects.push('count(*) as size');
  const grouped = groupBy.map((_, i) => `g${i}`);
  let body = `select ${selects.join(', ')} from v where ${where.sql}`;
  bindings.push(...where.bindings);
  if (grouped.length) {
    body += ` group by ${grouped.map(() => '??').join(', ')}`;
    bindings.push(...grouped);
  }
  if (a.kind === 'cohort') {
    // The cohort rows with their retention counts in the same statement (v is computed once).
    sql += `, g as (${body})
select g.*, r.retained from g left join (
  select cohort, json_object_agg(k, n) as retained from ret where k between 1 and ? group by cohort
) r on r.cohort = g.g0 order by g.g0`;
    bindings.push(a.periods ?? DEFAULT_COHORT_PERIODS);
  } else {
    sql += `\n${body}`;
    if (grouped.length) {
      sql += ` order by ${grouped.map(() => '?? asc nulls last').join(', ')}`;
      bindings.push(...grouped);
    }
  }
  sql += ' limit ?';
  bindings.push(MAX_ROWS + 1);
  const result = await ctx.db.raw(sql, bindings as Knex.RawBinding[]);
  const raw = result.rows as Record<string, unknown>[];
  const asOfMonth = asOf.slice(0, 7);
  const rows = raw.slice(0, MAX_ROWS).map((r) => {
    const row: Row = {};
    groupBy.forEach((g, i) => {
      const v = json(r[`g${i}`]);
      const numeric = !g.bucket && NUMERIC_KINDS.has(ANALYSIS_COLUMNS[g.field]?.kind as ColumnKind);
      row[g.as ?? g.field] = numeric && v !== null ? Number(v) : v;
    });
    def.aggregates.forEach((m, i) => {
      const v = json(r[`m${i}`]);
      const numeric = m.fn === 'count' || NUMERIC_KINDS.has(ANALYSIS_COLUMNS[m.field ?? '']?.kind as ColumnKind);
      // numeric and bigint arrive as text from the driver.
      row[m.as] = v === null ? (m.fn === 'count' ? 0 : null) : numeric ? Number(v) : v;
    });
    if (a.kind === 'cohort') {
      const cohort = String(r.g0);
      const size = Number(r.size ?? 0);
      const retained = (r.retained ?? {}) as Record<string, number>;
      retentionColumns(a).forEach((col, k) => {
        const month = addMonths(cohort, k + 1);
        row[col] = month > asOfMonth || !size ? null : Math.round(((retained[String(k + 1)] ?? 0) / size) * 1000) / 10;
      });
    }
    return row;
  });
  return { rows, truncated: raw.length > MAX_ROWS };
}

/**
 * Customers buying in each month after their first (k = 1, 2, …), per cohort, among those `where` keeps.
 * `act` is distinct per (customer, month) and a customer's first month is fixed, so each customer is
 * one row of a (cohort, k): `count(*)` counts them without the sort a `count(distinct)` costs.
 */
const RETENTION_CTE = `act as (
  select distinct g0 as customer, date_trunc('month', g1::date)::date as m from src where g0 is not null and g1 is not null
),
ret as (
  select v.cohort, ((extract(year from a.m) - extract(year from v.first_on)) * 12
                   + extract(month from a.m) - extract(month from v.first_on))::int as k,
         count(*) as n
  from act a join v on v.customer = a.customer where {where} group by 1, 2
)`;

/** `2026-03` + 2 → `2026-05`. */
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

function json(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return v as string | number | boolean;
}
