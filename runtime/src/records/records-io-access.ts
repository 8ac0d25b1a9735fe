/**
 * The reader's access for the import/export/aggregate/duplicate services, in the shape the records
 * compiler takes (`QueryAccess`): the object's access plus that of the objects its lookups reach,
 * so filters through `account.name` and lookup resolution respect the same scopes as lists.
 */
import type { Ctx } from '../ctx';
import { notFound } from '../errors';
import type { Model, ObjectModel } from '../model/load-model';
import type { ObjectAccess, PermissionEngine } from '../permissions/object-access';
import type { QueryAccess } from './compile-query';

export async function queryAccessFor(
  ctx: Ctx,
  model: Model,
  object: ObjectModel,
  engine: PermissionEngine,
): Promise<QueryAccess> {
  const access = await engine.objectAccess(ctx, object.name);
  // Objects the user may not read do not exist for them (as in the records API).
  if (!access.can.read) throw notFound(`Unknown object: ${object.name}`);
  const targets = new Set<string>();
  const add = (o: ObjectModel, depth: number) => {
    for (const f of o.fields.values()) {
      if (!f.ref || f.ref === 'user' || f.ref === o.name || targets.has(f.ref)) continue;
      const t = model.objects.get(f.ref);
      if (!t) continue;
      targets.add(t.name);
      if (depth > 1) add(t, depth - 1);
    }
  };
  add(object, 2);
  const related = new Map<string, ObjectAccess>();
  await Promise.all(
    [...targets].map(async (t) => {
      related.set(t, await engine.objectAccess(ctx, t));
    }),
  );
  return { schema: ctx.schema, access, related };
}
