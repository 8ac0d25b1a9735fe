/**
 * `runtime.reports`: saved report definitions (the `reports` metadata section) run through the
 * aggregate engine with the viewer's context — so row scopes and field security apply exactly as
 * in `POST /api/records/:object/aggregate` — then renamed, labelled, sorted, derived and limited.
 * Home dashboards (the `dashboards` section) pick the viewer's by role. Group keys and measures may
 * read fields through lookups (`account.region.name`, see aggregate-sql.ts); `compare` runs the
 * report over the current period and the ones it is compared with and puts them side by side.
 */
import type { DashboardDefinition, ReportDefinition } from '@forma/metadata';
import { type Clock, systemClock } from '../clock';
import type { Ctx } from '../ctx';
import { forbidden, isAppError, notFound, validationFailed } from '../errors';
import type { MetaService } from '../meta/meta-service';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import { SYSTEM_TABLE } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import { type AggregateInput, resolveFieldPath } from '../records/aggregate-spec';
import type { AggregateGroup } from '../records/aggregate-sql';
import type { AggregateService } from '../records/aggregate-service';
import type { RecordService } from '../records/record-service';
import {
  ANALYSIS_COLUMNS,
  analysisIssues,
  MOVEMENT_COLUMNS,
  RFM_SEGMENTS,
  type ReportAnalysis,
  retentionColumns,
  runAnalysis,
} from './report-analysis';
import { applyDerived, compileReportDerived, type Row } from './report-derive';
import { movementDays, type RfmTarget, runMovement, storeRfm } from './rfm-store';
import { type CompareWith, changePercent, comparePeriods, type PeriodRange } from './report-periods';

export interface ReportServiceDeps {
  /** `plan` checks a draft as publishing would (runDraft). */
  meta: Pick<MetaService, 'model'> & Partial<Pick<MetaService, 'plan'>>;
  permissions: PermissionEngine;
  aggregates: Pick<AggregateService, 'aggregate' | 'groupsQuery'>;
  records: Pick<RecordService, 'list'>;
  /** Today (UTC) for period comparison when a run gives no `asOf`. */
  clock?: Clock;
}

/** Labels in other languages (`x-i18n` of the metadata), passed on so clients show their user's. */
type I18n = Record<string, Record<string, unknown>>;
const withI18n = (i18n: unknown): { 'x-i18n'?: I18n } =>
  i18n && typeof i18n === 'object' ? { 'x-i18n': i18n as I18n } : {};

export interface ReportColumn {
  key: string;
  label: string;
  'x-i18n'?: I18n;
  role: 'group' | 'measure' | 'derived';
  /** The object's field behind a group or measure column. */
  field?: string;
  /** Field kind (group/measure) or `number` (derived); `text` for date buckets, `percent` for changes. */
  kind: string;
  bucket?: string;
  /** Period comparison: the period this column's value is from, and the measure it compares. */
  compare?: CompareWith;
  of?: string;
}

export interface ReportSummary {
  name: string;
  label: string;
  'x-i18n'?: I18n;
  description?: string;
  object: string;
  chart: ReportDefinition['chart'];
  /** The column the chart plots when it is not the first measure. */
  chartValue?: string;
  /** The group column labelling the chart's points when it is not the first. */
  chartCategory?: string;
  /** The group column whose values are the chart's series, when there are several. */
  chartSeries?: string;
}

export interface ReportResult extends ReportSummary {
  columns: ReportColumn[];
  /**
   * Group columns hold the raw group value; lookup groups add `<key>_label`; a group read through a
   * lookup whose record the viewer may not read adds `<key>_hidden: true` (its value is null).
   */
  rows: Row[];
  truncated: boolean;
  /** With `compare`: the periods the columns cover. */
  compare?: { period: string; current: PeriodRange } & Partial<Record<CompareWith, PeriodRange>>;
  /** With a run's `period`: the date field it was applied to (absent: not applied, e.g. a comparison). */
  periodField?: string;
}

/**
 * What a viewer narrows a run to on top of the report's own filter — a dashboard's filters: a
 * filter in the records filter language (checked by the aggregate engine exactly like the report's,
 * with the viewer's field security) and a date range on the report's date field (`periodFieldOf`).
 */
export interface RunOptions {
  asOf?: string;
  filter?: Record<string, unknown>;
  period?: { from?: string; to?: string };
}

/** A draft's preview shows at most this many rows (the saved report's own limit still applies first). */
export const DRAFT_PREVIEW_ROWS = 200;
const DRAFT_NAME = 'draft';

export interface HomeDashboard {
  name: string;
  label: string;
  'x-i18n'?: I18n;
  roles: string[];
  widgets: Array<Required<Pick<DashboardWidgetDef, 'report' | 'width'>> & DashboardWidgetDef & { label: string }>;
}
type DashboardWidgetDef = DashboardDefinition['widgets'][number];

const MAX_GROUPS = 10_000;

/** The aggregate engine's output key of a group key (`close_on:month`, `due_on:age:30-60-90-180`). */
export function groupKeyOf(g: NonNullable<ReportDefinition['groupBy']>[number]): string {
  if (!g.bucket) return g.field;
  if (g.bucket === 'aging') return `${g.field}:age${g.limits ? `:${g.limits.join('-')}` : ''}`;
  return `${g.field}:${g.bucket}`;
}

/** The aggregate request a report makes (pure: also used by the section check and tests). */
export function aggregateInputOf(def: ReportDefinition, asOf?: string): AggregateInput {
  const input: AggregateInput = {
    groupBy: (def.groupBy ?? []).map(groupKeyOf),
    count: def.aggregates.some((a) => a.fn === 'count'),
    limit: MAX_GROUPS,
    ...(def.filter ? { filter: def.filter } : {}),
    ...(asOf ? { asOf } : {}),
  };
  for (const op of ['sum', 'avg', 'min', 'max'] as const) {
    const fields = def.aggregates.filter((a) => a.fn === op && a.field).map((a) => a.field as string);
    if (fields.length) input[op] = fields;
  }
  return input;
}

/** The periods a comparison puts beside the current one (default both; a year's previous is last year). */
export function compareWithsOf(def: ReportDefinition): CompareWith[] {
  if (!def.compare) return [];
  return def.compare.with ?? (def.compare.period === 'year' ? ['previous'] : ['previous', 'last_year']);
}

/** Output column names of a report before derived columns: group `as`/field, aggregate `as`, comparisons. */
export function baseColumns(def: ReportDefinition): string[] {
  const withs = compareWithsOf(def);
  return [
    ...(def.groupBy ?? []).map((g) => g.as ?? g.field),
    ...def.aggregates.flatMap((a) => [a.as, ...withs.flatMap((w) => [`${a.as}_${w}`, `${a.as}_${w}_change`])]),
    ...retentionColumns(def.analysis),
  ];
}

/** Every dotted path a report reads: group keys, measures, the compared date and filter keys. */
export function reportPaths(def: ReportDefinition): string[] {
  const out = new Set<string>();
  const add = (f: unknown) => typeof f === 'string' && f.includes('.') && out.add(f);
  if (def.analysis) {
    // Its group keys and measures are per-customer columns; the purchase's fields are the paths.
    const a = def.analysis;
    for (const f of [`${a.customer}.id`, a.date, a.amount, a.cost]) add(f);
  } else {
    for (const g of def.groupBy ?? []) add(g.field);
    for (const a of def.aggregates) add(a.field);
  }
  add(def.compare?.field);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) walk(n);
    else if (node && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) {
        add(k);
        walk(v);
      }
  };
  walk(def.filter);
  return [...out];
}

/** The field a report path ends on (`account.city` → account's city), undefined if it has none. */
export function pathTarget(model: Model, object: ObjectModel, path: string): FieldModel | undefined {
  const r = resolveFieldPath(path, { object, model, fields: {}, today: '2000-01-01' });
  return 'message' in r ? undefined : r.target;
}

export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /** Reports the user may run: their roles allow it and they may read its object. */
  async list(ctx: Ctx): Promise<ReportSummary[]> {
    const model = await this.deps.meta.model(ctx);
    const out: ReportSummary[] = [];
    for (const [name, def] of Object.entries(model.document.reports ?? {})) {
      if (def && (await this.mayRun(ctx, model, def))) out.push(summary(name, def));
    }
    return out.sort((a, b) => a.label.localeCompare(b.label));
  }

  /**
   * Stores the RFM scores and segment of every customer on the customer records, as of `asOf`
   * (default today; a day after today is refused), as the `customers` analysis report `name` scores
   * them over every purchase (rfm-store.ts). Tenant admins and the system identity only.
   */
  async storeRfm(
    ctx: Ctx,
    name: string,
    target: RfmTarget,
    asOf?: unknown,
  ): Promise<{ customers: number; asOf: string }> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    const today = (this.deps.clock ?? systemClock).now().toISOString().slice(0, 10);
    const day = checkAsOf(asOf) ?? today;
    if (day > today)
      throw validationFailed('asOf is a day up to today: scores of the future are unknown', { asOf: 'Up to today' });
    const model = await this.deps.meta.model(ctx);
    const def = model.document.reports?.[name];
    if (!def) throw notFound(`Unknown report: ${name}`);
    const issues = analysisIssues(def, model, (p) => pathTarget(model, model.object(def.object), p));
    if (issues.length)
      throw validationFailed(
        `The report's analysis is not valid: ${issues[0]?.message}`,
        Object.fromEntries(issues.map((i) => [i.path, i.message])),
      );
    const { customers } = await storeRfm(ctx, this.deps, model, def, day, target);
    return { customers, asOf: day };
  }

  async run(ctx: Ctx, name: string, opts: RunOptions = {}): Promise<ReportResult> {
    const model = await this.deps.meta.model(ctx);
    const def = model.document.reports?.[name];
    // A report the user may not run is as unknown to them as one that does not exist.
    if (!def || !(await this.mayRun(ctx, model, def))) throw notFound(`Unknown report: ${name}`);
    return this.runDefinition(ctx, model, name, def, opts);
  }

  /**
   * Runs an unsaved report (the designer's live preview): tenant admins only; the draft is checked
   * exactly as publishing it would check it (400 with each issue at its path, nothing changes), then
   * run by the same engine with the caller's permissions as a saved report, its rows capped at
   * DRAFT_PREVIEW_ROWS (`truncated` says so).
   */
  async runDraft(ctx: Ctx, report: unknown, opts: RunOptions & { name?: string } = {}): Promise<ReportResult> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    if (!this.deps.meta.plan) throw new Error('ReportService.runDraft needs meta.plan');
    const name = opts.name ?? DRAFT_NAME;
    await this.deps.meta.plan(ctx, { reports: { [name]: report } });
    const def = report as ReportDefinition;
    const model = await this.deps.meta.model(ctx);
    if (!(await this.mayRun(ctx, model, def))) throw notFound(`Unknown object: ${def.object}`);
    const limit = Math.min(def.limit ?? DRAFT_PREVIEW_ROWS, DRAFT_PREVIEW_ROWS);
    return this.runDefinition(ctx, model, name, { ...def, limit }, opts);
  }

  private async runDefinition(
    ctx: Ctx,
    model: Model,
    name: string,
    saved: ReportDefinition,
    opts: RunOptions,
  ): Promise<ReportResult> {
    const object = model.object(saved.object);
    const { def, periodField } = narrowed(model, object, saved, opts);
    let groups: AggregateGroup[] = [];
    let truncated: boolean;
    let compare: ReportResult['compare'];
    let rows: Row[];
    if (def.analysis) {
      const asOf = opts.asOf ?? (this.deps.clock ?? systemClock).now().toISOString().slice(0, 10);
      // A definition saved against an older model is refused by name, never run half-checked.
      const issues = analysisIssues(def, model, (p) => pathTarget(model, object, p));
      if (issues.length)
        throw validationFailed(
          `The report's analysis is not valid: ${issues[0]?.message}`,
          Object.fromEntries(issues.map((i) => [i.path, i.message])),
        );
      if (def.analysis.kind === 'movement') {
        rows = await runMovement(ctx, this.deps, model, def, movementDays(def.analysis, asOf, opts.period));
        truncated = rows.length > 10_000;
        rows = rows.slice(0, 10_000);
      } else {
        const date = pathTarget(model, object, def.analysis.date) as FieldModel;
        ({ rows, truncated } = await runAnalysis(ctx, this.deps, def, date, asOf));
      }
    } else if (!def.compare) {
      const result = await this.deps.aggregates.aggregate(ctx, def.object, aggregateInputOf(def, opts.asOf));
      groups = result.groups;
      truncated = result.truncated;
    } else {
      const asOf = opts.asOf ?? (this.deps.clock ?? systemClock).now().toISOString().slice(0, 10);
      ({ groups, truncated, compare } = await this.comparedGroups(ctx, model, object, def, asOf));
    }
    rows ??= groups.map((g) => {
      const row: Row = {};
      for (const k of def.groupBy ?? []) {
        const key = k.as ?? k.field;
        row[key] = g[groupKeyOf(k)] ?? null;
        if (g[`${groupKeyOf(k)}:hidden`] === true) row[`${key}_hidden`] = true;
      }
      for (const a of def.aggregates) {
        row[a.as] = measureValue(a, g, '');
        for (const w of compareWithsOf(def)) {
          row[`${a.as}_${w}`] = measureValue(a, g, `${w}:`);
          row[`${a.as}_${w}_change`] = changePercent(row[a.as], row[`${a.as}_${w}`]);
        }
      }
      return row;
    });
    sortRows(rows, def, model, object);
    const derived = compileReportDerived(def.derive ?? [], baseColumns(def));
    // Row-wise columns first (a sort may use them), then the sort, then the columns that read
    // neighbouring rows (running totals, cumulative share) in that final order — over every group,
    // before the limit, so a top 10's cumulative share is its share of the whole.
    applyDerived(
      rows,
      derived.filter((d) => !d.fn.ordered),
    );
    if (def.sort?.length) sortBy(rows, def.sort);
    applyDerived(
      rows,
      derived.filter((d) => d.fn.ordered),
    );
    const limited = def.limit !== undefined && rows.length > def.limit ? rows.slice(0, def.limit) : rows;
    await this.labelLookups(ctx, model, object, def, limited);
    return {
      ...summary(name, def),
      columns: columnsOf(def, model, object),
      rows: limited,
      truncated: truncated || limited.length < rows.length,
      ...(compare ? { compare } : {}),
      ...(periodField ? { periodField } : {}),
    };
  }

  /**
   * One aggregate per period (the report's filter AND the period's range on `compare.field`, each
   * with the viewer's permissions), merged by group: a group present in any period is a row, with
   * the compared periods' values under `previous:` / `last_year:` prefixed keys.
   */
  private async comparedGroups(
    ctx: Ctx,
    model: Model,
    object: ObjectModel,
    def: ReportDefinition,
    asOf: string,
  ): Promise<{ groups: AggregateGroup[]; truncated: boolean; compare: NonNullable<ReportResult['compare']> }> {
    const cmp = def.compare as NonNullable<ReportDefinition['compare']>;
    const withs = compareWithsOf(def);
    const periods = comparePeriods(asOf, cmp.period, withs, cmp.toDate ?? false);
    const datetime = pathTarget(model, object, cmp.field)?.resultKind === 'datetime';
    const bound = (d: string) => (datetime ? `${d}T00:00:00.000Z` : d);
    const runFor = (p: PeriodRange) => {
      const range = { [cmp.field]: { gte: bound(p.from), lt: bound(p.to) } };
      return this.deps.aggregates.aggregate(ctx, def.object, {
        ...aggregateInputOf(def, asOf),
        filter: def.filter ? { and: [def.filter, range] } : range,
      });
    };
    const [current, ...others] = await Promise.all([
      runFor(periods.current),
      ...withs.map((w) => runFor(periods[w] as PeriodRange)),
    ]);
    const groupKeys = (def.groupBy ?? []).map(groupKeyOf);
    const signature = (g: AggregateGroup) =>
      JSON.stringify(groupKeys.flatMap((k) => [g[k], g[`${k}:hidden`] ?? false]));
    const merged = new Map<string, AggregateGroup>();
    const add = (g: AggregateGroup, prefix: string) => {
      const sig = signature(g);
      let row = merged.get(sig);
      if (!row) {
        row = {};
        for (const k of groupKeys) {
          row[k] = g[k] ?? null;
          if (g[`${k}:hidden`] === true) row[`${k}:hidden`] = true;
        }
        merged.set(sig, row);
      }
      for (const [k, v] of Object.entries(g))
        if (!groupKeys.includes(k) && !k.endsWith(':hidden')) row[`${prefix}${k}`] = v;
    };
    for (const g of current?.groups ?? []) add(g, '');
    others.forEach((r, i) => {
      for (const g of r.groups) add(g, `${withs[i]}:`);
    });
    return {
      groups: [...merged.values()],
      truncated: [current, ...others].some((r) => r?.truncated),
      compare: { period: cmp.period, ...periods },
    };
  }

  /**
   * The dashboard of the user's home: the first (by name) whose roles include one of theirs
   * (`admin` for tenant admins), else the first without roles; widgets of reports they may not run
   * are left out. `null` when there is none.
   */
  async home(ctx: Ctx): Promise<HomeDashboard | null> {
    const model = await this.deps.meta.model(ctx);
    const entries = Object.entries(model.document.dashboards ?? {})
      .filter((e): e is [string, DashboardDefinition] => !!e[1] && e[1].home !== false)
      .sort(([a], [b]) => a.localeCompare(b));
    const mine = new Set([...ctx.user.roles, ...(ctx.isAdmin ? ['admin'] : [])]);
    const found =
      entries.find(([, d]) => d.roles?.some((r) => mine.has(r))) ?? entries.find(([, d]) => !d.roles?.length);
    if (!found) return null;
    return this.shown(ctx, model, found[0], found[1]);
  }

  /**
   * Dashboards opened by name (`home: false`) the user holds a role of (any for a dashboard without
   * roles; every one for tenant admins), by label.
   */
  async dashboards(ctx: Ctx): Promise<Array<{ name: string; label: string; 'x-i18n'?: I18n }>> {
    const model = await this.deps.meta.model(ctx);
    return Object.entries(model.document.dashboards ?? {})
      .filter((e): e is [string, DashboardDefinition] => !!e[1] && e[1].home === false && holds(ctx, e[1]))
      .map(([name, d]) => ({ name, label: d.label, ...withI18n(d['x-i18n']) }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }

  /** One dashboard by name, as `home` answers it; 404 when it does not exist or is not for the user. */
  async dashboard(ctx: Ctx, name: string): Promise<HomeDashboard> {
    const model = await this.deps.meta.model(ctx);
    const def = model.document.dashboards?.[name];
    if (!def || !holds(ctx, def)) throw notFound(`Unknown dashboard: ${name}`);
    return this.shown(ctx, model, name, def);
  }

  private async shown(ctx: Ctx, model: Model, name: string, def: DashboardDefinition): Promise<HomeDashboard> {
    const widgets: HomeDashboard['widgets'] = [];
    for (const w of def.widgets) {
      const report = model.document.reports?.[w.report];
      if (!report || !(await this.mayRun(ctx, model, report))) continue;
      // A widget's own title brings its own translations; else it is the report's label.
      const i18n = w.title ? w['x-i18n'] : report['x-i18n'];
      widgets.push({ ...w, width: w.width ?? 'half', label: w.title ?? report.label, ...withI18n(i18n) });
    }
    return { name, label: def.label, ...withI18n(def['x-i18n']), roles: def.roles ?? [], widgets };
  }

  /**
   * The user's roles allow it, and they may read its object and every object its paths go through
   * (`account.city` reads accounts): a report they could only run to a refusal is not theirs to see.
   */
  private async mayRun(ctx: Ctx, model: Model, def: ReportDefinition): Promise<boolean> {
    if (!model.objects.has(def.object)) return false;
    if (!ctx.isAdmin && def.roles?.length && !def.roles.some((r) => ctx.user.roles.includes(r))) return false;
    const object = model.object(def.object);
    const reached = new Set([def.object]);
    for (const path of reportPaths(def)) {
      const r = resolveFieldPath(path, { object, model, fields: {}, today: '2000-01-01' });
      if (!('message' in r)) for (const hop of r.hops) if (hop.target) reached.add(hop.target.name);
    }
    for (const name of reached) if (!(await this.deps.permissions.objectAccess(ctx, name)).can.read) return false;
    return true;
  }

  /** Lookup group values get their target's label (`owner_label`: the user's name). */
  private async labelLookups(ctx: Ctx, model: Model, object: ObjectModel, def: ReportDefinition, rows: Row[]) {
    for (const g of def.groupBy ?? []) {
      // An analysis's customer column holds ids of the customer lookup's target.
      const f = def.analysis
        ? g.field === 'customer'
          ? pathTarget(model, object, def.analysis.customer)
          : undefined
        : pathTarget(model, object, g.field);
      if (!f?.ref || g.bucket || g.field === 'id') continue;
      const key = g.as ?? g.field;
      const ids = [...new Set(rows.map((r) => r[key]).filter((v): v is string => typeof v === 'string'))];
      if (!ids.length) continue;
      const labels = new Map<string, string>();
      try {
        for (let i = 0; i < ids.length; i += 500) {
          const slice = ids.slice(i, i + 500);
          if (f.ref === 'user') {
            const users = await ctx.db
              .withSchema(ctx.schema)
              .from(SYSTEM_TABLE.users)
              .whereIn('id', slice)
              .select('id', 'name');
            for (const u of users) labels.set(u.id, u.name);
          } else {
            const target = model.object(f.ref);
            const page = await this.deps.records.list(ctx, target.name, {
              filter: { id: { in: slice } },
              limit: slice.length,
            });
            for (const r of page.items) labels.set(String(r.id), String(r[target.labelField] ?? r.id));
          }
        }
      } catch (err) {
        // The target is not readable to the viewer: the ids stay unlabelled.
        if (!isAppError(err)) throw err;
      }
      for (const r of rows) {
        const id = r[key];
        r[`${key}_label`] = typeof id === 'string' ? (labels.get(id) ?? null) : null;
      }
    }
  }
}

const DATE_BUCKETS = new Set(['day', 'week', 'month', 'quarter', 'year']);

/**
 * The date field a dashboard's date range narrows a report on: its first group key bucketed by a
 * date period ("deals by close month" → close_on), else the record's creation time. A comparison
 * report has none: its periods are its own.
 */
export function periodFieldOf(def: ReportDefinition): string | undefined {
  // An analysis groups per-customer columns: its purchases' window is its own (`months`, `asOf`).
  if (def.compare || def.analysis) return undefined;
  return (def.groupBy ?? []).find((g) => g.bucket && DATE_BUCKETS.has(g.bucket))?.field ?? 'created_at';
}

/** The report with a run's filter and date range AND-ed to its own filter. */
function narrowed(
  model: Model,
  object: ObjectModel,
  def: ReportDefinition,
  opts: RunOptions,
): { def: ReportDefinition; periodField?: string } {
  const parts: Record<string, unknown>[] = [];
  if (def.filter) parts.push(def.filter as Record<string, unknown>);
  if (opts.filter && Object.keys(opts.filter).length) parts.push(opts.filter);
  let periodField: string | undefined;
  if (opts.period && (opts.period.from || opts.period.to)) {
    for (const [k, v] of Object.entries(opts.period))
      if (v !== undefined && (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))))
        throw validationFailed('A period is given by days, YYYY-MM-DD', { [`period.${k}`]: 'A date, YYYY-MM-DD' });
    periodField = periodFieldOf(def);
    if (periodField) {
      const datetime = pathTarget(model, object, periodField)?.resultKind !== 'date';
      // `to` is the last day included: a date-time field runs to the start of the next day.
      const next = (d: string) => new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
      const range: Record<string, string> = {};
      if (opts.period.from) range.gte = datetime ? `${opts.period.from}T00:00:00.000Z` : opts.period.from;
      if (opts.period.to) range.lt = datetime ? `${next(opts.period.to)}T00:00:00.000Z` : next(opts.period.to);
      parts.push({ [periodField]: range });
    }
  }
  const filter = parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { and: parts };
  const { filter: _old, ...rest } = def;
  return { def: filter ? ({ ...rest, filter } as ReportDefinition) : def, ...(periodField ? { periodField } : {}) };
}

/** The user may open the dashboard: a tenant admin, no roles on it, or one of theirs (`admin` too). */
function holds(ctx: Ctx, def: DashboardDefinition): boolean {
  if (ctx.isAdmin || !def.roles?.length) return true;
  return def.roles.some((r) => ctx.user.roles.includes(r));
}

function summary(name: string, def: ReportDefinition): ReportSummary {
  return {
    name,
    label: def.label,
    ...withI18n(def['x-i18n']),
    ...(def.description ? { description: def.description } : {}),
    object: def.object,
    chart: def.chart,
    ...(def.chartValue ? { chartValue: def.chartValue } : {}),
    ...(def.chartCategory ? { chartCategory: def.chartCategory } : {}),
    ...(def.chartSeries ? { chartSeries: def.chartSeries } : {}),
  };
}

/** A count or a sum over no record is 0; an average, minimum or maximum of nothing is unknown. */
function measureValue(a: ReportDefinition['aggregates'][number], g: AggregateGroup, prefix: string) {
  const v = a.fn === 'count' ? g[`${prefix}count`] : g[`${prefix}${a.fn}_${a.field}`];
  if (v !== undefined && v !== null) return v;
  return a.fn === 'count' || (a.fn === 'sum' && v === undefined) ? 0 : null;
}

type I18nMap = Record<string, Record<string, unknown>>;
const ZH = 'zh-CN';
const zhOf = (i18n: unknown): string | undefined => {
  const entry = (i18n as I18nMap | undefined)?.[ZH];
  const v = entry?.label ?? entry?.title;
  return typeof v === 'string' && v.trim() ? v : undefined;
};
const USER_FIELD_LABELS: Record<string, [string, string]> = {
  id: ['User', '用户'],
  name: ['Name', '姓名'],
  email: ['E-mail', '邮箱'],
};

/**
 * The label of a path: each lookup's label then the field's (`Account › Region › Name`), in English
 * and, where any step has one, Chinese.
 */
function pathLabel(model: Model, object: ObjectModel, path: string): { label: string; zh?: string } {
  const r = resolveFieldPath(path, { object, model, fields: {}, today: '2000-01-01' });
  if ('message' in r) return { label: path };
  const steps: { en: string; zh?: string }[] = r.hops.map((h) => ({ en: h.lookup.label, zh: zhOf(h.lookup.i18n) }));
  const userLabel = r.hops.length && !r.hops[r.hops.length - 1]?.target ? USER_FIELD_LABELS[r.target.name] : undefined;
  steps.push(userLabel ? { en: userLabel[0], zh: userLabel[1] } : { en: r.target.label, zh: zhOf(r.target.i18n) });
  const label = steps.map((s) => s.en).join(' › ');
  return steps.some((s) => s.zh) ? { label, zh: steps.map((s) => s.zh ?? s.en).join(' › ') } : { label };
}

const COMPARE_LABELS: Record<CompareWith, Record<string, { en: string; zh: string }>> = {
  previous: {
    month: { en: 'previous month', zh: '上月' },
    quarter: { en: 'previous quarter', zh: '上季度' },
    year: { en: 'previous year', zh: '上年' },
  },
  last_year: {
    month: { en: 'same month last year', zh: '去年同月' },
    quarter: { en: 'same quarter last year', zh: '去年同季度' },
    year: { en: 'last year', zh: '去年' },
  },
};

const MEASURE_NAMES: Record<string, { en: (f: string) => string; zh: (f: string) => string }> = {
  sum: { en: (f) => `Sum of ${f}`, zh: (f) => `${f}合计` },
  avg: { en: (f) => `Average ${f}`, zh: (f) => `平均${f}` },
  min: { en: (f) => `Lowest ${f}`, zh: (f) => `最低${f}` },
  max: { en: (f) => `Highest ${f}`, zh: (f) => `最高${f}` },
};

/** The words of an unlabelled measure in English and Chinese: `Count`, `Sum of Amount` / `金额合计`. */
function measureName(fn: string, field: { label: string; zh?: string } | undefined): { en: string; zh: string } {
  const words = MEASURE_NAMES[fn];
  if (fn === 'count' || !field || !words) return { en: 'Count', zh: '数量' };
  return { en: words.en(field.label), zh: words.zh(field.zh ?? field.label) };
}

function columnsOf(def: ReportDefinition, model: Model, object: ObjectModel): ReportColumn[] {
  if (def.analysis) return analysisColumnsOf(def, def.analysis);
  const cols: ReportColumn[] = [];
  for (const g of def.groupBy ?? []) {
    const f = pathTarget(model, object, g.field);
    const path = g.field.includes('.') ? pathLabel(model, object, g.field) : undefined;
    const i18n = g['x-i18n'] ?? (path ? (path.zh ? { [ZH]: { label: path.zh } } : undefined) : f?.i18n);
    cols.push({
      key: g.as ?? g.field,
      label: g.label ?? path?.label ?? f?.label ?? g.field,
      ...withI18n(g.label && !g['x-i18n'] ? undefined : i18n),
      role: 'group',
      field: g.field,
      kind: g.bucket ? 'text' : (f?.resultKind ?? 'text'),
      ...(g.bucket ? { bucket: g.bucket } : {}),
    });
  }
  for (const a of def.aggregates) {
    const f = a.field ? pathTarget(model, object, a.field) : undefined;
    const kind =
      a.fn === 'count'
        ? 'integer'
        : a.fn === 'avg' && f?.resultKind === 'integer'
          ? 'number'
          : (f?.resultKind ?? 'number');
    // A measure nobody named reads as what it computes ("Sum of Amount"), never as its key.
    const named = a.label ? undefined : measureName(a.fn, a.field ? pathLabel(model, object, a.field) : undefined);
    const label = a.label ?? named?.en ?? a.as;
    cols.push({
      key: a.as,
      label,
      ...withI18n(a['x-i18n'] ?? (named ? { [ZH]: { label: named.zh } } : undefined)),
      role: 'measure',
      ...(a.field ? { field: a.field } : {}),
      kind,
    });
    for (const w of compareWithsOf(def)) {
      const names = COMPARE_LABELS[w][def.compare?.period ?? 'month'] as { en: string; zh: string };
      const zh = zhOf(a['x-i18n']) ?? label;
      cols.push({
        key: `${a.as}_${w}`,
        label: `${label} (${names.en})`,
        'x-i18n': { [ZH]: { label: `${zh}（${names.zh}）` } },
        role: 'measure',
        ...(a.field ? { field: a.field } : {}),
        kind,
        compare: w,
        of: a.as,
      });
      cols.push({
        key: `${a.as}_${w}_change`,
        label: `${label}: change vs ${names.en} (%)`,
        'x-i18n': { [ZH]: { label: `${zh}：较${names.zh}变化（%）` } },
        role: 'derived',
        kind: 'percent',
        compare: w,
        of: a.as,
      });
    }
  }
  for (const d of def.derive ?? [])
    cols.push({ key: d.as, label: d.label ?? d.as, ...withI18n(d['x-i18n']), role: 'derived', kind: 'number' });
  return cols;
}

/** Columns of an analysis report: its per-customer columns' labels, and cohort retention months. */
function analysisColumnsOf(def: ReportDefinition, a: ReportAnalysis): ReportColumn[] {
  const cols: ReportColumn[] = [];
  const own = (label: string | undefined, i18n: unknown, en: string, zh: string) =>
    label ? { label, ...withI18n(i18n) } : { label: en, 'x-i18n': { [ZH]: { label: zh } } };
  for (const g of def.groupBy ?? []) {
    const c = a.kind === 'movement' ? MOVEMENT_COLUMNS[g.field] : ANALYSIS_COLUMNS[g.field];
    cols.push({
      key: g.as ?? g.field,
      ...own(g.label, g['x-i18n'], c?.label ?? g.field, c?.zh ?? g.field),
      role: 'group',
      kind: g.bucket ? 'text' : (c?.kind ?? 'text'),
      ...(g.bucket ? { bucket: g.bucket } : {}),
      ...(g.field === 'rfm_segment' || (a.kind === 'movement' && MOVEMENT_COLUMNS[g.field])
        ? {
            options: RFM_SEGMENTS.map((s) => ({ value: s.value, label: s.label, 'x-i18n': { [ZH]: { label: s.zh } } })),
          }
        : {}),
    });
  }
  for (const m of def.aggregates) {
    const c = m.field ? ANALYSIS_COLUMNS[m.field] : undefined;
    const kind =
      m.fn === 'count' ? 'integer' : m.fn === 'avg' && c?.kind === 'integer' ? 'number' : (c?.kind ?? 'number');
    const [en, zh] = m.fn === 'count' ? ['Customers', '客户数'] : [c?.label ?? m.as, c?.zh ?? m.as];
    cols.push({ key: m.as, ...own(m.label, m['x-i18n'], en, zh), role: 'measure', kind });
  }
  retentionColumns(a).forEach((key, i) => {
    cols.push({
      key,
      label: `Month ${i + 1} (%)`,
      'x-i18n': { [ZH]: { label: `第 ${i + 1} 个月（%）` } },
      role: 'derived',
      kind: 'percent',
    });
  });
  for (const d of def.derive ?? [])
    cols.push({ key: d.as, label: d.label ?? d.as, ...withI18n(d['x-i18n']), role: 'derived', kind: 'number' });
  return cols;
}

/** Default order: select group keys in their enum order (a funnel reads top to bottom), nulls last. */
function sortRows(rows: Row[], def: ReportDefinition, model: Model, object: ObjectModel) {
  if (def.analysis) return; // in the order of its group keys already (SQL)
  const keys = (def.groupBy ?? []).map((g) => {
    const f = pathTarget(model, object, g.field);
    const order = !g.bucket && f?.enum ? new Map(f.enum.map((v, i) => [v, i])) : undefined;
    return { key: g.as ?? g.field, order };
  });
  if (!keys.some((k) => k.order)) return;
  rows.sort((a, b) => {
    for (const { key, order } of keys) {
      const c = compare(a[key], b[key], order);
      if (c) return c;
    }
    return 0;
  });
}

function sortBy(rows: Row[], sort: readonly string[]) {
  rows.sort((a, b) => {
    for (const s of sort) {
      const desc = s.startsWith('-');
      const key = desc ? s.slice(1) : s;
      const [x, y] = [a[key], b[key]];
      // Rows without a value stay last whichever the direction.
      if ((x === null || x === undefined) !== (y === null || y === undefined))
        return x === null || x === undefined ? 1 : -1;
      const c = compare(x, y);
      if (c) return desc ? -c : c;
    }
    return 0;
  });
}

function compare(a: unknown, b: unknown, order?: Map<string, number>): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (order) return (order.get(String(a)) ?? order.size) - (order.get(String(b)) ?? order.size);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const na = Number(a);
  const nb = Number(b);
  if (typeof a !== 'boolean' && Number.isFinite(na) && Number.isFinite(nb) && a !== '' && b !== '') return na - nb;
  return String(a).localeCompare(String(b));
}

/** Refuses a run option that is not a day. */
export function checkAsOf(asOf: unknown): string | undefined {
  if (asOf === undefined) return undefined;
  if (typeof asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf)))
    throw validationFailed('asOf is a date, YYYY-MM-DD', { asOf: 'A date, YYYY-MM-DD' });
  return asOf;
}
