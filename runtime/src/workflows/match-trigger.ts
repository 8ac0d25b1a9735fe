import type { Ctx } from '../ctx';
import type { Model } from '../model/load-model';
import type { RecordData, ScriptEngine } from '../scripts';
import type { WorkflowDefinition } from './workflow-graph';

/** Which `trigger.on` values a start answers: a submit, or a save (create/update) after commit. */
const TRIGGERS: Record<'submit' | 'create' | 'update', readonly string[]> = {
  submit: ['submit'],
  create: ['create', 'save'],
  update: ['update', 'save'],
};

/**
 * The workflow a record starts: active workflows of its object triggered `on: submit` (or without a
 * trigger) for a submit, `on: create|update|save` for a save, in name order, the first whose
 * condition holds in the sandbox. All conditions are evaluated in one sandbox round trip.
 */
export async function matchTrigger(
  scripts: ScriptEngine,
  ctx: Ctx,
  model: Model,
  object: string,
  record: RecordData,
  only?: string,
  on: 'submit' | 'create' | 'update' = 'submit',
): Promise<{ name: string; definition: WorkflowDefinition } | undefined> {
  const candidates = Object.entries(model.workflows)
    .filter(
      ([_name, w]) => w.object === object && w.active !== false && TRIGGERS[on].includes(w.trigger?.on ?? 'submit'),
    )
    .filter(([name]) => only === undefined || name === only)
    .sort(([a], [b]) => a.localeCompare(b));
  const guarded = candidates.filter(([, w]) => w.trigger?.condition);
  const { id, email, name, roles, manager } = ctx.user;
  const values = await scripts.evaluateAll(
    ctx.tenant,
    model.version,
    guarded.map(([, w]) => w.trigger?.condition as string),
    { record, user: { id, email, name, roles, manager } },
  );
  const holds = new Map(guarded.map(([n], i) => [n, Boolean(values[i])]));
  const hit = candidates.find(([n, w]) => !w.trigger?.condition || holds.get(n));
  return hit ? { name: hit[0], definition: hit[1] } : undefined;
}
