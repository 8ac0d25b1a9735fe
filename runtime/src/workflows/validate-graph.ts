import type { MetadataIssue } from '@forma/metadata';
import { workflowNodeType } from './nodes/node-registry';
import { type WorkflowDefinition, WorkflowGraph } from './workflow-graph';

/** A graph problem; `nodes` names the offending node (or edge) ids for the designer to highlight. */
export interface GraphIssue extends MetadataIssue {
  nodes: string[];
}

/**
 * Structural well-formedness of a workflow graph, without any model: one start, edges between
 * existing nodes, every node reachable, every path ending in an end node, approval steps leaving by
 * exactly one `approved` and one `rejected` edge, conditions with one default (each node type's own
 * `validate`, nodes/), and no loop that could spin without waiting for a person. Returns every problem found.
 */
export function validateGraph(def: WorkflowDefinition): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const at = (
    path: string,
    nodes: string[],
    message: string,
    code?: string,
    params?: Record<string, string | number>,
  ) =>
    issues.push({
      path,
      nodes,
      message: `${nodes.length ? `[${nodes.join(', ')}] ` : ''}${message}`,
      ...(code ? { code } : {}),
      ...(params ? { params } : {}),
    });
  const index = new Map<string, number>();
  def.nodes.forEach((n, i) => {
    if (index.has(n.id)) at(`/nodes/${i}/id`, [n.id], 'duplicate node id', 'duplicate_node_id', { id: n.id });
    else index.set(n.id, i);
  });
  const edgeIds = new Set<string>();
  def.edges.forEach((e, i) => {
    if (edgeIds.has(e.id)) at(`/edges/${i}/id`, [e.id], 'duplicate edge id', 'duplicate_edge_id', { id: e.id });
    edgeIds.add(e.id);
    if (!index.has(e.source))
      at(`/edges/${i}/source`, [e.id], `edge source "${e.source}" is not a node`, 'edge_source_missing', {
        node: e.source,
      });
    if (!index.has(e.target))
      at(`/edges/${i}/target`, [e.id], `edge target "${e.target}" is not a node`, 'edge_target_missing', {
        node: e.target,
      });
  });
  const graph = new WorkflowGraph(def);
  const nodePath = (id: string) => `/nodes/${index.get(id) ?? 0}`;

  const starts = def.nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1)
    at(
      starts.length ? nodePath(starts[1]?.id ?? '') : '/nodes',
      starts.map((n) => n.id),
      `a workflow needs exactly one start node (found ${starts.length})`,
      'start_count',
      { count: starts.length },
    );

  for (const n of def.nodes) {
    const p = nodePath(n.id);
    const type = workflowNodeType(n.type);
    if (!type) {
      at(`${p}/type`, [n.id], `unknown node type "${n.type}"`, 'unknown_node_type', { type: n.type });
      continue;
    }
    type.validate?.(n, {
      graph,
      path: p,
      out: graph.out(n.id),
      incoming: graph.incoming.get(n.id) ?? [],
      issue: at,
    });
  }

  const start = starts[0];
  if (start) {
    const reached = reach(graph, [start.id], (id) => graph.out(id).map((e) => e.target));
    const unreachable = def.nodes.filter((n) => !reached.has(n.id)).map((n) => n.id);
    if (unreachable.length) at('/nodes', unreachable, 'unreachable from the start node', 'unreachable');
    // Dead ends: reachable nodes from which no end node can be reached.
    const ends = def.nodes.filter((n) => n.type === 'end').map((n) => n.id);
    const canEnd = reach(graph, ends, (id) => (graph.incoming.get(id) ?? []).map((e) => e.source));
    const dead = def.nodes.filter((n) => reached.has(n.id) && !canEnd.has(n.id)).map((n) => n.id);
    if (dead.length) at('/nodes', dead, 'dead end: no path from here reaches an end node', 'dead_end');
  }

  const spinning = loopsWithoutApproval(graph);
  if (spinning.length)
    at('/nodes', spinning, 'a loop without an approval step would never wait for anyone', 'loop_without_approval');
  return issues;
}

function reach(graph: WorkflowGraph, from: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const stack = from.filter((id) => graph.nodes.has(id));
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const n of next(id)) if (graph.nodes.has(n) && !seen.has(n)) stack.push(n);
  }
  return seen;
}

/** Nodes on a cycle made only of automatic node types (conditions, actions, …). */
function loopsWithoutApproval(graph: WorkflowGraph): string[] {
  const auto = [...graph.nodes.values()].filter((n) => workflowNodeType(n.type)?.automatic).map((n) => n.id);
  const autoSet = new Set(auto);
  const onCycle = new Set<string>();
  for (const id of auto) {
    const next = (n: string) =>
      graph
        .out(n)
        .map((e) => e.target)
        .filter((t) => autoSet.has(t));
    if (reach(graph, next(id), next).has(id)) onCycle.add(id);
  }
  return [...onCycle];
}
