/**
 * Aggregates over the records a user may read: `groupBy` fields and date buckets (month, quarter,
 * year, …, age since a date for receivables aging), count/sum/avg/min/max, the records filter
 * language. The permission scope and the client's filter are compiled by the records engine into
 * the same WHERE, so a group never counts a record the user could not list. Group keys, measures and
 * filters may read fields through up to three lookups (`account.region.name`): each joined object
 * is LEFT JOINed within the reader's own scope on it (aggregate-sql.ts).
 */
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import type { MetaService } from '../meta/meta-service';
import type { PermissionEngine } from '../permissions/object-access';
import type { Knex } from 'knex';
import { type AggregateInput, type AggregateSpec, MAX_PATH_HOPS, parseAggregateSpec } from './aggregate-spec';
import { type AggregateResult, aggregateRows, buildAggregateQuery } from './aggregate-sql';
import { compileFilter } from './compile-query';
import { queryAccessFor } from '../permissions/query-access';

export interface AggregateServiceDeps {
  meta: Pick<MetaService, 'model'>;
  permissions: PermissionEngine;
  clock: Clock;
}

export class AggregateService {
  constructor(private readonly deps: AggregateServiceDeps) {}

  async aggregate(ctx: Ctx, objectName: string, input: AggregateInput): Promise<AggregateResult> {
    const { qb, spec } = await this.groupsQuery(ctx, objectName, input);
    return aggregateRows(await qb, spec);
  }

  /**
   * The aggregate statement, not run: the reader's groups as a sub-query others build on (report
   * analyses: per-customer figures, RFM, cohorts). Columns: `g<i>` group keys (`h<i>` true when the
   * key's lookup holds a record the reader may not read), `m<i>` measures, `n` the count.
   * `unlimited` drops the group limit and order (the caller aggregates further in SQL).
   */
  async groupsQuery(
    ctx: Ctx,
    objectName: string,
    input: AggregateInput,
    /**
     * `unlimited`: every group, unordered, as a sub-query of a caller's statement. `hiddenKeys:
     * false`: a key through a lookup the reader may not read is null without its "(hidden)" flag —
     * for callers that drop null keys (analyses), one grouping column less per row.
     */
    opts: { unlimited?: boolean; hiddenKeys?: boolean } = {},
  ): Promise<{ qb: Knex.QueryBuilder; spec: AggregateSpec }> {
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    const qa = await queryAccessFor(ctx, model, object, this.deps.permissions, { depth: MAX_PATH_HOPS });
    const spec = parseAggregateSpec(input, {
      object,
      fields: qa.access.fields,
      model,
      // An object reached by a path that the reader may not read at all has no field they may see.
      related: (name) => {
        const a = name === object.name ? qa.access : qa.related.get(name);
        return a?.can.read ? a.fields : null;
      },
      userEmails: ctx.isAdmin,
      today: this.deps.clock.now().toISOString().slice(0, 10),
    });
    const where = compileFilter(model, object, spec.filter, qa, 'read', { maxHops: MAX_PATH_HOPS });
    const t = object.table;
    const qb = buildAggregateQuery(
      ctx.db.withSchema(ctx.schema).from(t).where(where),
      ctx.db,
      object,
      spec,
      (c) => `${t}.${c}`,
      { model, access: qa, alias: t },
      opts.hiddenKeys === false ? { hiddenKeys: false } : {},
    );
    if (opts.unlimited) qb.clear('limit').clear('order');
    return { qb, spec };
  }
}
