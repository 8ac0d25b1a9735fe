/**
 * RFM scores stored on the customer (docs/analytics.md, "Stored RFM scores and segment movement"):
 * a `customers` analysis report defines the scoring (purchases, filter, `months`, `quantiles`); a
 * refresh computes every customer's recency, frequency, monetary score and segment with the same
 * SQL as the report (`customerCtes`), over every purchase of the tenant, and writes them onto the
 * customer records with one `UPDATE … FROM (analysis)`. Each refresh also keeps a snapshot
 * (customer, day, segment, scores) in `_rfm_snapshots`, which the `movement` analysis compares.
 *
 * Why not through RecordService: the scores are derived values, like roll-ups (records/related-rollups.ts),
 * and are stored the way roll-ups are — set-based, touching only their own columns: `version`,
 * `updated_at` and the audit stay, no hooks or automations fire, so a user editing a customer never
 * gets a 409 from a nightly refresh, and 100,000 customers are one statement, not 100,000 saves.
 * The fields are read-only for every user (a read-only field kind), so this is their only writer.
 * Their history is the snapshot table.
 */
import type { ReportDefinition } from '@forma/metadata';
import type { Knex } from 'knex';
import type { Ctx } from '../ctx';
import { advisoryKey } from '../db/advisory-lock';
import type { Migration } from '../db/run-migrations';
import { forbidden, validationFailed } from '../errors';
import type { FieldModel, Model, ObjectModel } from '../model/load-model';
import { qualified } from '../model/naming';
import type { AggregateService } from '../records/aggregate-service';
import {
  customerCtes,
  DEFAULT_MOVEMENT_DAYS,
  purchasesInput,
  RFM_SEGMENTS,
  type ReportAnalysis,
} from './report-analysis';
import type { Row } from './report-derive';

export const RFM_SNAPSHOTS = '_rfm_snapshots';

/** One row per customer and refresh day: what the segment movement compares. */
export const rfmSnapshotsMigration: Migration = {
  id: 'reports_0001_rfm_snapshots',
  async up(trx, schema) {
    await trx.schema.withSchema(schema).createTable(RFM_SNAPSHOTS, (t) => {
      t.date('taken_on').notNullable();
      t.uuid('customer').notNullable();
      t.text('segment').notNullable();
      t.smallint('recency').notNullable();
      t.smallint('frequency').notNullable();
      t.smallint('monetary').notNullable();
      t.primary(['taken_on', 'customer']);
      t.index(['customer']);
    });
  },
};

/** The customer's fields that receive the scores (each a field of the customer's object). */
export interface RfmTarget {
  recency: string;
  frequency: string;
  monetary: string;
  segment: string;
  /** The day the scores were computed as of. */
  scoredOn: string;
}

export interface RfmDeps {
  aggregates: Pick<AggregateService, 'groupsQuery'>;
}

/** The per-customer columns a refresh computes (and what they are computed from). */
const STORED_COLUMNS = new Set([
  'customer',
  'last_on',
  'orders',
  'revenue',
  'recency',
  'frequency',
  'monetary',
  'r5',
  'f5',
  'rfm_segment',
]);

/**
 * Computes and stores the scores of every customer of the tenant as of `asOf` (tenant admins and the
 * system identity only), replacing that day's snapshot. Customers without a purchase in the window
 * lose their scores. Answers how many customers were scored.
 */
export async function storeRfm(
  ctx: Ctx,
  deps: RfmDeps,
  model: Model,
  def: ReportDefinition,
  asOf: string,
  target: RfmTarget,
): Promise<{ customers: number }> {
  if (!ctx.isAdmin) throw forbidden('Tenant admins only');
  const a = def.analysis as ReportAnalysis | undefined;
  if (a?.kind !== 'customers') throw validationFailed('RFM scores are computed by a customers analysis report');
  const object = model.object(def.object);
  const { customer, date } = analysisTargets(model, object, a);
  const columns = targetColumns(customer, target);
  const { qb, spec } = await deps.aggregates.groupsQuery(
    ctx,
    def.object,
    purchasesInput(def, date.resultKind === 'datetime', asOf, STORED_COLUMNS),
    { unlimited: true, hiddenKeys: false },
  );
  const alias = (key: string) => `m${spec.measures.findIndex((x) => x.key === key)}`;
  const ctes = customerCtes(a, qb, alias, date.resultKind === 'datetime', asOf, STORED_COLUMNS);
  const table = qualified(ctx.schema, customer.table);
  const snapshots = qualified(ctx.schema, RFM_SNAPSHOTS);
  return ctx.db.transaction(async (trx) => {
    // One refresh of a tenant at a time (the job in several processes, an admin's button).
    await trx.raw('select pg_advisory_xact_lock(?)', [advisoryKey(`rfm:${ctx.schema}`)]);
    await trx.raw('delete from ?? where taken_on = ?', [snapshots, asOf]);
    const update = await trx.raw(
      `${ctes.sql},
u as (
  update ?? t set ?? = v.recency, ?? = v.frequency, ?? = v.monetary, ?? = v.rfm_segment, ?? = ?::date
  from v where t.id = v.customer
  returning t.id, v.recency, v.frequency, v.monetary, v.rfm_segment
),
ins as (
  insert into ?? (taken_on, customer, segment, recency, frequency, monetary)
  select ?::date, id, rfm_segment, recency, frequency, monetary from u
)
select count(*)::int as n from u`,
      [
        ...ctes.bindings,
        table,
        columns.recency,
        columns.frequency,
        columns.monetary,
        columns.segment,
        columns.scoredOn,
        asOf,
        snapshots,
        asOf,
      ] as Knex.RawBinding[],
    );
    // Scored earlier but not now (no purchase left in the window): no score rather than a stale one.
    // This day's snapshot holds exactly the customers scored now.
    await trx.raw(
      `update ?? t set ?? = null, ?? = null, ?? = null, ?? = null, ?? = null
       where t.?? is not null and not exists (select 1 from ?? s where s.taken_on = ?::date and s.customer = t.id)`,
      [
        table,
        columns.recency,
        columns.frequency,
        columns.monetary,
        columns.segment,
        columns.scoredOn,
        columns.scoredOn,
        snapshots,
        asOf,
      ],
    );
    return { customers: Number(update.rows[0]?.n ?? 0) };
  });
}

function analysisTargets(model: Model, object: ObjectModel, a: ReportAnalysis) {
  const path = resolvePath(model, object, a.customer);
  const ref = path?.ref;
  if (!ref || ref === 'user' || !model.objects.has(ref))
    throw validationFailed(`The customer is a lookup to the customer's object: ${a.customer} is not one`);
  const date = resolvePath(model, object, a.date);
  if (!date) throw validationFailed(`Unknown field: ${a.date}`);
  return { customer: model.object(ref), date };
}

/** A field through lookups (`order.account`), as the report resolves it. */
function resolvePath(model: Model, object: ObjectModel, path: string): FieldModel | undefined {
  let current: ObjectModel | undefined = object;
  let field: FieldModel | undefined;
  for (const part of path.split('.')) {
    if (!current) return undefined;
    field = current.fields.get(part);
    if (!field) return undefined;
    current = field.ref && field.ref !== 'user' ? model.objects.get(field.ref) : undefined;
  }
  return field;
}

function targetColumns(customer: ObjectModel, target: RfmTarget): RfmTarget {
  const out = {} as RfmTarget;
  for (const [key, name] of Object.entries(target) as [keyof RfmTarget, string][]) {
    const column = customer.fields.get(name)?.column;
    if (!column) throw validationFailed(`${customer.name} has no field ${name} to store the RFM scores in`);
    out[key] = column;
  }
  return out;
}

/** The two days a movement compares: the run's period (from, to) or `days` before the run's day. */
export function movementDays(a: ReportAnalysis, asOf: string, period?: { from?: string; to?: string }) {
  const to = period?.to ?? asOf;
  const from =
    period?.from ??
    new Date(Date.parse(`${to}T00:00:00Z`) - (a.days ?? DEFAULT_MOVEMENT_DAYS) * 86_400_000).toISOString().slice(0, 10);
  if (from >= to)
    throw validationFailed('The movement compares an earlier day with a later one', { period: 'from < to' });
  return { from, to };
}

/**
 * Segment movement for the viewer: the latest snapshot on or before `from` against the latest on or
 * before `to`, per customer the viewer may read (the customer object's own scope; an unreadable
 * customer counts for no one), counted per (from segment, to segment). A customer absent from one
 * snapshot has a null segment there (new, or no longer scored).
 */
export async function runMovement(
  ctx: Ctx,
  deps: RfmDeps,
  model: Model,
  def: ReportDefinition,
  days: { from: string; to: string },
): Promise<Row[]> {
  const a = def.analysis as ReportAnalysis;
  const { customer } = analysisTargets(model, model.object(def.object), a);
  const { qb } = await deps.aggregates.groupsQuery(
    ctx,
    customer.name,
    { groupBy: 'id', count: true },
    { unlimited: true },
  );
  const snapshots = qualified(ctx.schema, RFM_SNAPSHOTS);
  const keys = (def.groupBy ?? []).map((g) => g.field);
  const order = RFM_SEGMENTS.map((s) => s.value);
  const selects = keys.map((_, i) => `?? as g${i}`);
  const sql = `with c as (?),
a as (select customer, segment from ?? where taken_on = (select max(taken_on) from ?? where taken_on <= ?::date)),
b as (select customer, segment from ?? where taken_on = (select max(taken_on) from ?? where taken_on <= ?::date)),
m as (
  select coalesce(a.customer, b.customer) as customer, a.segment as from_segment, b.segment as to_segment
  from a full join b on a.customer = b.customer
)
select ${[...selects, 'count(*)::int as n'].join(', ')}
from m join c on c.g0 = m.customer
${keys.length ? `group by ${keys.map((_, i) => i + 1).join(', ')}` : ''}
${keys.length ? `order by ${keys.map(() => 'array_position(?::text[], ??) nulls first').join(', ')}` : ''}
limit 10001`;
  // Bindings follow the text; the group keys are names checked against MOVEMENT_COLUMNS, bound as identifiers.
  const bindings: unknown[] = [qb, snapshots, snapshots, days.from, snapshots, snapshots, days.to];
  for (const k of keys) bindings.push(`m.${k}`);
  for (const k of keys) bindings.push(order, `m.${k}`);
  const result = await ctx.db.raw(sql, bindings as Knex.RawBinding[]);
  return (result.rows as Record<string, unknown>[]).map((r) => {
    const row: Row = {};
    (def.groupBy ?? []).forEach((g, i) => {
      row[g.as ?? g.field] = (r[`g${i}`] as string | null) ?? null;
    });
    for (const m of def.aggregates) row[m.as] = Number(r.n ?? 0);
    return row;
  });
}
