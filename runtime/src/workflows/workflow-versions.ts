import type { Ctx } from '../ctx';
import { forbidden, notFound } from '../errors';
import type { Model } from '../model/load-model';
import { SYSTEM_TABLE as T } from '../model/naming';
import { runInUnitOfWork } from '../tx/unit-of-work';
import { WorkflowGraph } from './workflow-graph';
import { type InstanceRow, workflowStore as store } from './workflow-store';

/** How many instances of a workflow run (and ran) on each metadata version of its definition. */
export async function workflowVersions(ctx: Ctx, model: Model, workflow: string) {
  if (!ctx.isAdmin) throw forbidden('Tenant admins only');
  const rows = await ctx.db
    .withSchema(ctx.schema)
    .from(T.wfInstances)
    .where({ workflow })
    .groupBy('meta_version')
    .orderBy('meta_version', 'desc')
    .select('meta_version')
    .select(ctx.db.raw('count(*) filter (where ?? = ?)::int as pending', ['status', 'pending']))
    .select(ctx.db.raw('count(*)::int as total'));
  if (!rows.length && !model.workflows[workflow]) throw notFound(`No workflow "${workflow}"`);
  const own = await ownVersions(ctx, workflow);
  return {
    workflow,
    current: model.workflows[workflow] ? model.version : null,
    workflowVersion: model.workflows[workflow] ? own(model.version) : null,
    versions: rows.map((r: { meta_version: number; pending: number; total: number }) => ({
      version: r.meta_version,
      workflowVersion: own(r.meta_version),
      pending: r.pending,
      total: r.total,
    })),
  };
}

/**
 * The workflow's own version at a metadata version: 1 for its first definition, one more each time
 * a published document changed it (metadata versions count every change of every object, which
 * admins do not read as this workflow's history). Null where it did not exist yet.
 */
async function ownVersions(ctx: Ctx, workflow: string): Promise<(metaVersion: number) => number | null> {
  // jsonb text is canonical (key order), so equal definitions hash equal; only hashes travel.
  const rows: Array<{ version: number; hash: string | null }> = await ctx.db
    .withSchema(ctx.schema)
    .from(T.metaVersions)
    .select('version', ctx.db.raw("md5((document->'workflows'->?)::text) as hash", [workflow]))
    .orderBy('version', 'asc');
  const steps: Array<{ from: number; own: number | null }> = [];
  let own = 0;
  let last: string | null = null;
  for (const r of rows) {
    if (r.hash === last) continue;
    if (r.hash) own += 1;
    steps.push({ from: r.version, own: r.hash ? own : null });
    last = r.hash;
  }
  return (metaVersion) => {
    let at: number | null = null;
    for (const s of steps) if (s.from <= metaVersion) at = s.own;
    return at;
  };
}

/**
 * Moves waiting instances of a workflow onto its current definition, when the step they wait at
 * still exists there as an approval step (their open tasks stay valid). Others stay where they are
 * and are reported, so an admin sees exactly what moved.
 */
export async function moveInstancesToCurrent(ctx: Ctx, model: Model, workflow: string, now: Date) {
  if (!ctx.isAdmin) throw forbidden('Tenant admins only');
  const definition = model.workflows[workflow];
  if (!definition) throw notFound(`No workflow "${workflow}"`);
  const graph = new WorkflowGraph(definition);
  const ids: string[] = await ctx.db
    .withSchema(ctx.schema)
    .from(T.wfInstances)
    .where({ workflow, status: 'pending' })
    .whereNot('meta_version', model.version)
    .pluck('id');
  const moved: string[] = [];
  const skipped: Array<{ id: string; step: string | null; reason: string }> = [];
  for (const id of ids) {
    await runInUnitOfWork(ctx, async (tx) => {
      const i = (await store.lockInstance(tx.db, tx.schema, id)) as InstanceRow | undefined;
      if (i?.status !== 'pending') return;
      const node = i.current_node ? graph.node(i.current_node) : undefined;
      if (node?.type !== 'approval' || definition.object !== i.object) {
        skipped.push({ id, step: i.current_node, reason: 'its current step is not in the newest version' });
        return;
      }
      await store.updateInstance(tx.db, tx.schema, id, { definition, meta_version: model.version });
      await store.insertEvent(tx.db, tx.schema, {
        instance_id: id,
        object: i.object,
        record_id: i.record_id,
        action: 'moved',
        node: i.current_node,
        actor: tx.user.id,
        actor_name: tx.user.name,
        data: { from: i.meta_version, to: model.version },
        at: now,
      });
      moved.push(id);
    });
  }
  return { workflow, version: model.version, moved, skipped };
}
