/**
 * Formulas that read roll-ups (a quote's `total` from its lines' sum) are evaluated with the save's
 * scripts, before the lines of that save are written and rolled up. Once the roll-ups move, those
 * formulas — and formulas reading them — are evaluated again on the fresh row, in one sandbox call
 * per parent, so a parent never shows a total from before its last line change.
 */
import type { Model, ObjectModel } from '../model/load-model';
import type { SavePipeline } from '../scripts/save-pipeline';
import type { TxCtx } from '../tx/unit-of-work';

/** Formulas depending on a roll-up, directly or through other formulas, in evaluation order. */
export function formulasAfterRollups(object: ObjectModel): ObjectModel['formulas'][number][] {
  const moved = new Set(object.rollups.map((f) => f.name));
  const out = [];
  for (const f of object.formulas) {
    if (!f.formula?.reads.some((r) => moved.has(r))) continue;
    moved.add(f.name);
    out.push(f);
  }
  return out;
}

export async function refreshRollupFormulas(
  saves: Pick<SavePipeline, 'runFormulas'>,
  tx: TxCtx,
  model: Model,
  object: ObjectModel,
  ids: readonly string[],
): Promise<void> {
  const formulas = formulasAfterRollups(object);
  if (!formulas.length || !ids.length) return;
  const expressions = Object.fromEntries(formulas.map((f) => [f.name, f.formula!.expression]));
  const rows = await tx.db
    .withSchema(tx.schema)
    .from(object.table)
    .whereIn('id', [...new Set(ids)])
    .select('*');
  for (const row of rows) {
    const changes = await saves.runFormulas(tx, model, object.name, row, expressions);
    const set: Record<string, unknown> = {};
    for (const f of formulas) {
      const v = changes[f.name];
      set[f.column!] = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
    }
    await tx.db.withSchema(tx.schema).from(object.table).where('id', row.id).update(set);
  }
}
