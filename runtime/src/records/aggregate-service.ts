/**
 * Aggregates over the records a user may read: `groupBy` fields and date buckets (month, quarter,
 * year, …, age since a date for receivables aging), count/sum/avg/min/max, the records filter
 * language. The permission scope and the client's filter are compiled by the records engine into
 * the same WHERE, so a group never counts a record the user could not list.
 */
import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import type { MetaService } from '../meta/meta-service';
import type { PermissionEngine } from '../permissions/object-access';
import { type AggregateInput, parseAggregateSpec } from './aggregate-spec';
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
    const model = await this.deps.meta.model(ctx);
    const object = model.object(objectName);
    const qa = await queryAccessFor(ctx, model, object, this.deps.permissions);
    const spec = parseAggregateSpec(input, {
      object,
      fields: qa.access.fields,
      today: this.deps.clock.now().toISOString().slice(0, 10),
    });
    const where = compileFilter(model, object, spec.filter, qa, 'read');
    const t = object.table;
    const qb = buildAggregateQuery(
      ctx.db.withSchema(ctx.schema).from(t).where(where),
      ctx.db,
      object,
      spec,
      (c) => `${t}.${c}`,
    );
    return aggregateRows(await qb, spec);
  }
}
