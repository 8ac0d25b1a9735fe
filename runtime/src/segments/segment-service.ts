/**
 * Saved segments (`runtime.segments`, docs/analytics.md): a named filter over one object whose
 * members are computed set-based in SQL and stored in `_segment_members`. A refresh recomputes them
 * over every live record (the system's view: membership is the same for everyone), diffs old and new
 * in the same statement, records the counts (`_segment_refreshes`) and who entered or left
 * (`_segment_changes`), and then runs the automation rules "entered segment" / "left segment".
 * Readers see members through the filter operator `inSegment`, which the records engine compiles
 * together with their row scope, so a member outside a reader's scope stays invisible to them.
 */
import type { SegmentDefinition } from '@forma/metadata';
import type { Knex } from 'knex';
import { resolveTokens } from '../automations/resolve-tokens';
import { periodOf } from '../automations/schedule-period';
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import { advisoryKey } from '../db/advisory-lock';
import { badRequest, forbidden, notFound } from '../errors';
import type { Logger } from '../logger';
import type { MetaService } from '../meta/meta-service';
import type { Model } from '../model/load-model';
import { isIdentifier, PLATFORM_SCHEMA, SYSTEM_TABLE as T } from '../model/naming';
import type { PermissionEngine } from '../permissions/object-access';
import { queryAccessFor } from '../permissions/query-access';
import { MAX_PATH_HOPS } from '../records/aggregate-spec';
import { compileFilter } from '../records/compile-query';
import type { ListOptions, ListResult, RecordService } from '../records/record-service';
import { systemCtx, systemUser } from '../system-ctx';
import { runInUnitOfWork } from '../tx/unit-of-work';
import type { SegmentsConfig } from './segments-config';

/** Runs the automation rules of one refresh's changes (the automation engine's segment triggers). */
export type SegmentChangesRunner = (ctx: Ctx, model: Model, segment: string, refreshId: string) => Promise<void>;

export interface SegmentDeps {
  db: Knex;
  meta: Pick<MetaService, 'model'>;
  permissions: PermissionEngine;
  records: Pick<RecordService, 'list'>;
  clock: Clock;
  logger: Logger;
  config: SegmentsConfig;
  onChanges: SegmentChangesRunner;
  /** Scheduled refreshes run with the heavy lane's timeouts and priority (db-load.ts `within`). */
  heavy?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface SegmentRefresh {
  id: string;
  at: string;
  trigger: 'manual' | 'schedule';
  count: number;
  entered: number;
  left: number;
  ms: number;
}

export interface SegmentSummary {
  name: string;
  label: string;
  description?: string;
  object: string;
  refresh: NonNullable<SegmentDefinition['refresh']>;
  roles: string[];
  'x-i18n'?: SegmentDefinition['x-i18n'];
  /** When membership was last computed (null: never; the segment has no members yet). */
  refreshedAt: string | null;
}

type RefreshRow = {
  id: string | number;
  at: Date;
  trigger: string;
  count: number;
  entered: number;
  left: number;
  ms: number;
  object: string;
};

export class SegmentService {
  constructor(private readonly deps: SegmentDeps) {}

  /** Segments the user may use: their roles allow it (admins: all) and they may read its object. */
  async list(ctx: Ctx): Promise<SegmentSummary[]> {
    const model = await this.deps.meta.model(ctx);
    const out: SegmentSummary[] = [];
    const last = await this.lastRefreshes(ctx);
    for (const [name, def] of Object.entries(segmentsOf(model))) {
      if (!(await this.visible(ctx, model, def))) continue;
      out.push(summary(name, def, last.get(name)?.at ?? null));
    }
    return out.sort((a, b) => a.label.localeCompare(b.label));
  }

  /** One segment with `count`: its members the caller may read (their row scope applies). */
  async get(ctx: Ctx, name: string): Promise<SegmentSummary & { count: number }> {
    const { def } = await this.visibleSegment(ctx, name);
    const page = await this.deps.records.list(ctx, def.object, {
      filter: memberFilter(name),
      fields: 'id',
      limit: 1,
      count: true,
    });
    const last = (await this.lastRefreshes(ctx, name)).get(name);
    return { ...summary(name, def, last?.at ?? null), count: page.total ?? 0 };
  }

  /** The members the caller may read, as a records list (sort, fields, cursor, an extra filter). */
  async members(ctx: Ctx, name: string, opts: ListOptions = {}): Promise<ListResult> {
    const { def } = await this.visibleSegment(ctx, name);
    const extra = typeof opts.filter === 'string' ? parseJson(opts.filter) : opts.filter;
    return this.deps.records.list(ctx, def.object, {
      ...opts,
      filter: extra ? { and: [memberFilter(name), extra] } : memberFilter(name),
    });
  }

  /** The counts of each refresh, newest first (tenant admins: the counts span every row scope). */
  async history(ctx: Ctx, name: string, limit = 100): Promise<SegmentRefresh[]> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    await this.visibleSegment(ctx, name);
    const rows: RefreshRow[] = await ctx.db
      .withSchema(ctx.schema)
      .from(T.segmentRefreshes)
      .where('segment', name)
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(1, limit), 1000))
      .select('id', 'at', 'trigger', 'count', 'entered', 'left', 'ms', 'object');
    return rows.map(refreshView);
  }

  /**
   * The designer's count preview: how many live records of `object` match `filter` now, as the
   * segment would compute it (every record, lookup paths up to three). Tenant admins only.
   */
  async preview(ctx: Ctx, input: { object?: unknown; filter?: unknown }): Promise<{ count: number }> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    if (typeof input.object !== 'string' || !isIdentifier(input.object)) throw badRequest('object: must be a name');
    const model = await this.deps.meta.model(ctx);
    const object = model.objects.get(input.object);
    if (!object) throw badRequest(`object: unknown object "${input.object}"`);
    const filter = resolveTokens(input.filter ?? {}, this.deps.clock.now());
    const { qb: next } = await this.membersQuery(ctx, model, input.object, filter);
    const [row] = await ctx.db.queryBuilder().count({ n: '*' }).from(next.as('m'));
    return { count: Number((row as { n: string | number }).n) };
  }

  /**
   * Recomputes the segment now (tenant admins) and runs its automation rules on who entered or left.
   * Refreshes of one segment queue behind each other (an advisory lock), never interleave.
   */
  async refresh(ctx: Ctx, name: string): Promise<SegmentRefresh> {
    if (!ctx.isAdmin) throw forbidden('Tenant admins only');
    const { model, def } = await this.visibleSegment(ctx, name);
    const row = await this.compute(ctx, model, name, def, { trigger: 'manual', by: ctx.user.id });
    if (!row) throw new Error('unreachable: a manual refresh always runs');
    await this.runRules(ctx, model, name, String(row.id));
    return refreshView(row);
  }

  /**
   * Scheduled refreshes due at `now` (every active tenant, or the given ones): each segment with
   * `refresh.mode: schedule` once per period of its `every` across all processes; and the rules of
   * refreshes whose rules were cut short (a crash) are resumed. The server runs it every minute.
   */
  async sweep(now: Date = this.deps.clock.now(), opts: { tenants?: string[] } = {}): Promise<number> {
    const tenants: string[] =
      opts.tenants ??
      (await this.deps.db.withSchema(PLATFORM_SCHEMA).from('tenants').where('status', 'active').pluck('id'));
    let refreshed = 0;
    const heavy = this.deps.heavy ?? ((fn) => fn());
    for (const tenant of tenants) {
      try {
        refreshed += await heavy(() => this.sweepTenant(tenant, now));
      } catch (err) {
        this.deps.logger.error({ err, tenant }, 'segment refresh sweep failed');
      }
    }
    return refreshed;
  }

  private async sweepTenant(tenant: string, now: Date): Promise<number> {
    const ctx = await systemCtx(this.deps.db, tenant);
    const model = await this.deps.meta.model(ctx);
    const segments = segmentsOf(model);
    let refreshed = 0;
    for (const [name, def] of Object.entries(segments)) {
      if (def.refresh?.mode !== 'schedule' || !def.refresh.every || !model.objects.has(def.object)) continue;
      const period = periodOf(def.refresh.every, now).key;
      try {
        const row = await this.compute(ctx, model, name, def, { trigger: 'schedule', period });
        if (!row) continue;
        refreshed += 1;
        await this.runRules(ctx, model, name, String(row.id));
      } catch (err) {
        this.deps.logger.warn({ err, tenant, segment: name }, 'scheduled segment refresh failed');
      }
    }
    // Rules cut short by a crash after their refresh committed: claims make running them again safe.
    const stale = await ctx.db
      .withSchema(ctx.schema)
      .from(T.segmentRefreshes)
      .whereNull('rules_done_at')
      .where('at', '<', new Date(now.getTime() - 60_000))
      .orderBy('id')
      .limit(20)
      .select('id', 'segment');
    for (const r of stale as Array<{ id: string; segment: string }>) {
      if (!Object.hasOwn(segments, r.segment)) await this.markRulesDone(ctx, String(r.id));
      else await this.runRules(ctx, model, r.segment, String(r.id));
    }
    return refreshed;
  }

  /**
   * One refresh in one transaction: the new membership as one SELECT over the object's table with
   * the segment's filter (no reader scope), diffed against the stored one in the same statement
   * (deleted leavers, inserted newcomers, both logged), then the counts. Nothing per record reaches
   * JavaScript. A scheduled refresh whose period already ran answers null.
   */
  private async compute(
    ctx: Ctx,
    model: Model,
    name: string,
    def: SegmentDefinition,
    how: { trigger: 'manual' | 'schedule'; period?: string; by?: string },
  ): Promise<RefreshRow | null> {
    const system: Ctx = { ...ctx, user: systemUser(), isAdmin: true };
    const started = Date.now();
    return runInUnitOfWork(system, async (tx) => {
      const db = tx.db;
      const s = tx.schema;
      // A refresh of a big segment must give up rather than hold its connection indefinitely, also
      // when it runs outside a request (the scheduler), where no lane timeout is set.
      await db.raw(`select set_config('statement_timeout', ?, true)`, [String(this.deps.config.refreshTimeoutMs)]);
      await db.raw('select pg_advisory_xact_lock(?::bigint)', [advisoryKey(`segment:${s}:${name}`)]);
      if (how.period) {
        const done = await db
          .withSchema(s)
          .from(T.segmentRefreshes)
          .where({ segment: name, period: how.period })
          .first('id');
        if (done) return null;
      }
      const last = await db
        .withSchema(s)
        .from(T.segmentRefreshes)
        .where('segment', name)
        .orderBy('id', 'desc')
        .first('object');
      // Redefined over another object: the old members are not "leaving", they were never comparable.
      if (last && last.object !== def.object)
        await db.withSchema(s).from(T.segmentMembers).where('segment', name).delete();
      const now = this.deps.clock.now();
      const [inserted] = await db
        .withSchema(s)
        .insert({
          segment: name,
          object: def.object,
          at: now,
          trigger: how.trigger,
          period: how.period ?? null,
          by: how.by && how.by !== systemUser().id ? how.by : null,
        })
        .into(T.segmentRefreshes)
        .returning('id');
      const refreshId = String((inserted as { id: string }).id);
      // "$today-P90D" in the filter counts from the refresh's instant, as in automation schedules.
      const { qb: next } = await this.membersQuery(tx, model, def.object, resolveTokens(def.filter, now));
      const members = `${s}.${T.segmentMembers}`;
      const result = await db.raw(
        `with next as (?),
          gone as (
            delete from ?? m where m.segment = ? and not exists (select 1 from next n where n.id = m.record_id)
            returning m.record_id),
          came as (
            insert into ?? (segment, record_id, entered_at)
            select ?, n.id, ? from next n
            where not exists (select 1 from ?? m where m.segment = ? and m.record_id = n.id)
            returning record_id),
          logged as (
            insert into ?? (refresh_id, record_id, change)
            select ?::bigint, record_id, 'left' from gone union all select ?::bigint, record_id, 'entered' from came
            returning 1)
        select (select count(*) from next)::int as count, (select count(*) from came)::int as entered,
               (select count(*) from gone)::int as "left", (select count(*) from logged)::int as logged`,
        [next, members, name, members, name, now, members, name, `${s}.${T.segmentChanges}`, refreshId, refreshId],
      );
      const counts = result.rows[0] as { count: number; entered: number; left: number };
      const ms = Date.now() - started;
      const [row] = await db
        .withSchema(s)
        .from(T.segmentRefreshes)
        .where('id', refreshId)
        .update({ count: counts.count, entered: counts.entered, left: counts.left, ms })
        .returning(['id', 'at', 'trigger', 'count', 'entered', 'left', 'ms', 'object']);
      // Keep entered/left of the latest refreshes only; the history of counts stays.
      await db
        .withSchema(s)
        .from(T.segmentChanges)
        .whereIn(
          'refresh_id',
          db
            .withSchema(s)
            .from(T.segmentRefreshes)
            .where('segment', name)
            .orderBy('id', 'desc')
            .offset(this.deps.config.keepChanges)
            .select('id'),
        )
        .delete();
      return row as RefreshRow;
    });
  }

  /** The ids of live records of `object` matching `filter`, as the system sees them (every record). */
  // Wrapped: a query builder is thenable, so returning it from an async function would run it.
  private async membersQuery(
    ctx: Ctx,
    model: Model,
    objectName: string,
    filter: unknown,
  ): Promise<{ qb: Knex.QueryBuilder }> {
    const object = model.object(objectName);
    const system: Ctx = { ...ctx, user: systemUser(), isAdmin: true };
    const qa = await queryAccessFor(system, model, object, this.deps.permissions, { depth: MAX_PATH_HOPS });
    const where = compileFilter(model, object, filter, qa, 'read', { maxHops: MAX_PATH_HOPS, noSegments: true });
    return { qb: ctx.db.withSchema(ctx.schema).from(object.table).select(`${object.table}.id`).where(where) };
  }

  private async runRules(ctx: Ctx, model: Model, name: string, refreshId: string): Promise<void> {
    const base: Ctx = { ...ctx, db: this.deps.db, user: systemUser(), isAdmin: true };
    try {
      await this.deps.onChanges(base, model, name, refreshId);
      await this.markRulesDone(base, refreshId);
    } catch (err) {
      // Left for the sweep to resume: the membership itself is saved.
      this.deps.logger.error({ err, tenant: ctx.tenant, segment: name }, 'segment automation rules failed');
    }
  }

  private async markRulesDone(ctx: Ctx, refreshId: string): Promise<void> {
    await this.deps.db
      .withSchema(ctx.schema)
      .from(T.segmentRefreshes)
      .where('id', refreshId)
      .update({ rules_done_at: this.deps.clock.now() });
  }

  private async lastRefreshes(ctx: Ctx, only?: string): Promise<Map<string, { at: string }>> {
    const q = ctx.db
      .withSchema(ctx.schema)
      .from(T.segmentRefreshes)
      .select('segment')
      .max({ at: 'at' })
      .groupBy('segment');
    if (only) q.where('segment', only);
    const rows = (await q) as Array<{ segment: string; at: Date }>;
    return new Map(rows.map((r) => [r.segment, { at: new Date(r.at).toISOString() }]));
  }

  private async visible(ctx: Ctx, model: Model, def: SegmentDefinition): Promise<boolean> {
    if (!model.objects.has(def.object)) return false;
    if (!ctx.isAdmin && def.roles?.length && !def.roles.some((r) => ctx.user.roles.includes(r))) return false;
    return (await this.deps.permissions.objectAccess(ctx, def.object)).can.read;
  }

  /** The segment if the caller may use it; an unknown and a hidden segment are the same 404. */
  private async visibleSegment(ctx: Ctx, name: string): Promise<{ model: Model; def: SegmentDefinition }> {
    const model = await this.deps.meta.model(ctx);
    const segments = segmentsOf(model);
    const def = isIdentifier(name) && Object.hasOwn(segments, name) ? segments[name] : undefined;
    if (!def || !(await this.visible(ctx, model, def))) throw notFound('Unknown segment');
    return { model, def };
  }
}

function parseJson(text: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('filter is not valid JSON');
  }
}

/** The filter selecting a segment's members: what lists, reports and mail merge use too. */
export function memberFilter(name: string): Record<string, unknown> {
  return { id: { inSegment: name } };
}

export function segmentsOf(model: Model): Record<string, SegmentDefinition> {
  return (model.document.segments ?? {}) as Record<string, SegmentDefinition>;
}

function summary(name: string, def: SegmentDefinition, refreshedAt: string | null): SegmentSummary {
  return {
    name,
    label: def.label,
    ...(def.description ? { description: def.description } : {}),
    object: def.object,
    refresh: def.refresh ?? { mode: 'manual' },
    roles: def.roles ?? [],
    ...(def['x-i18n'] ? { 'x-i18n': def['x-i18n'] } : {}),
    refreshedAt,
  };
}

function refreshView(r: RefreshRow): SegmentRefresh {
  return {
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    trigger: r.trigger === 'schedule' ? 'schedule' : 'manual',
    count: r.count,
    entered: r.entered,
    left: r.left,
    ms: r.ms,
  };
}
