import type { Ctx } from '../ctx';
import type { Model } from '../model/load-model';
import type { RecordService } from '../records/record-service';

/**
 * The labels of the records some runs name, read through the records engine as the (admin) caller,
 * one query per object: `object:id` → label. Records since deleted have none.
 */
export async function recordLabels(
  deps: { records: Pick<RecordService, 'list'> },
  ctx: Ctx,
  model: Model,
  runs: ReadonlyArray<{ object: string | null; record: string }>,
): Promise<Map<string, string>> {
  const byObject = new Map<string, Set<string>>();
  for (const r of runs) {
    if (!r.object || !model.objects.has(r.object)) continue;
    const ids = byObject.get(r.object) ?? new Set<string>();
    ids.add(r.record);
    byObject.set(r.object, ids);
  }
  const out = new Map<string, string>();
  for (const [object, ids] of byObject) {
    const labelField = model.objects.get(object)?.labelField ?? 'id';
    const page = await deps.records.list(ctx, object, {
      filter: { id: { in: [...ids] } },
      fields: labelField === 'id' ? 'id' : `id,${labelField}`,
      limit: 500,
    });
    for (const item of page.items) {
      const label = item[labelField];
      out.set(`${object}:${String(item.id)}`, label === null || label === undefined ? String(item.id) : String(label));
    }
  }
  return out;
}
