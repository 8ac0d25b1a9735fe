import { validationFailed } from '../errors';
import { workflowNodeType } from './nodes/node-registry';
import type { Run } from './workflow-env';

/** Node types that change the record only through `setFields` (which keeps `run.lockedRow` right), if at all. */
const WRITE_ONLY_THROUGH_SET_FIELDS = new Set(['start', 'approval', 'end']);

/** More automatic nodes in one go than any sane graph has: a guard, validation already forbids loops. */
const MAX_HOPS = 500;

/**
 * Walks the graph from `nodeId` through automatic nodes (conditions, actions) until it waits at an
 * approval step (tasks created) or finishes at an end node; each visit is its node type's `execute`
 * (nodes/, plugins add types). Runs inside the caller's transaction,
 * with the instance and the record locked, so a transition is all or nothing.
 */
export async function advance(run: Run, nodeId: string): Promise<void> {
  let id = nodeId;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const node = run.graph.node(id);
    if (!node) throw validationFailed(`Workflow ${run.instance.workflow} has no node "${id}"`);
    const type = workflowNodeType(node.type);
    // A plugin's node type that is no longer installed: the instance stays where it is, visibly.
    if (!type) throw validationFailed(`Workflow ${run.instance.workflow}: unknown node type "${node.type}"`);
    // Other nodes (actions, a plugin's) may write the record by other paths: the row may be stale.
    if (!WRITE_ONLY_THROUGH_SET_FIELDS.has(node.type)) run.lockedRow = undefined;
    // Prefetched approvers hold until another node than the start could have changed things.
    if (run.prefetched && node.type !== 'start' && node.id !== run.prefetched.node) run.prefetched = undefined;
    const next = await type.execute(run, node);
    if (next === null) return;
    id = next;
  }
  throw validationFailed(`Workflow ${run.instance.workflow} does not reach a step or an end`);
}
