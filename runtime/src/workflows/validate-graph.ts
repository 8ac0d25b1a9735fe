import type { MetadataIssue } from '@forma/metadata';
import { type WorkflowDefinition, WorkflowGraph } from './workflow-graph';

/** A graph problem; `nodes` names the offending node (or edge) ids for the designer to highlight. */
export interface GraphIssue extends MetadataIssue {
  nodes: string[];
}

/**
 * Structural well-formedness of a workflow graph, without any model: one start, edges between
 * existing nodes, every node reachable, every path ending in an end node, approval steps leaving by
 * exactly one `approved` and one `rejected` edge, conditions with one default, and no loop that
 * could spin without waiting for a person. Returns every problem found.
 */
export function validateGraph(def: WorkflowDefinition): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const at = (path: string, nodes: string[], message: string) =>
    issues.push({ path, nodes, message: `${nodes.length ? `[${nodes.join(', ')}] ` : ''}${message}` });
  const index = new Map<string, number>();
  def.nodes.forEach((n, i) => {
    if (index.has(n.id)) at(`/nodes/${i}/id`, [n.id], 'duplicate node id');
    else index.set(n.id, i);
  });
  const edgeIds = new Set<string>();
  def.edges.forEach((e, i) => {
    if (edgeIds.has(e.id)) at(`/edges/${i}/id`, [e.id], 'duplicate edge id');
    edgeIds.add(e.id);
    if (!index.has(e.source)) at(`/edges/${i}/source`, [e.id], `edge source "${e.source}" is not a node`);
    if (!index.has(e.target)) at(`/edges/${i}/target`, [e.id], `edge target "${e.target}" is not a node`);
  });
  const graph = new WorkflowGraph(def);
  const nodePath = (id: string) => `/nodes/${index.get(id) ?? 0}`;

  const starts = def.nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1)
    at(
      starts.length ? nodePath(starts[1]?.id ?? '') : '/nodes',
      starts.map((n) => n.id),
      `a workflow needs exactly one start node (found ${starts.length})`,
    );

  for (const n of def.nodes) {
    const out = graph.out(n.id);
    const p = nodePath(n.id);
    switch (n.type) {
      case 'start':
        if ((graph.incoming.get(n.id) ?? []).length) at(p, [n.id], 'the start node cannot have incoming edges');
        if (out.length !== 1) at(p, [n.id], 'the start node needs exactly one outgoing edge');
        break;
      case 'end':
        if (out.length) at(p, [n.id], 'an end node cannot have outgoing edges');
        if (n.data.outcome !== 'approved' && n.data.outcome !== 'rejected')
          at(`${p}/data/outcome`, [n.id], 'an end node needs an outcome: "approved" or "rejected"');
        break;
      case 'approval': {
        if (!n.data.approvers?.length)
          at(`${p}/data/approvers`, [n.id], 'an approval step needs at least one approver');
        const approved = out.filter((e) => e.data?.outcome === 'approved');
        const rejected = out.filter((e) => e.data?.outcome === 'rejected');
        if (approved.length !== 1) at(p, [n.id], 'an approval step needs exactly one "approved" edge');
        if (rejected.length !== 1) at(p, [n.id], 'an approval step needs exactly one "rejected" edge');
        if (approved.length + rejected.length !== out.length)
          at(p, [n.id], 'every edge leaving an approval step needs data.outcome');
        const esc = n.data.escalation;
        if (esc && !esc.to && !esc.decide)
          at(`${p}/data/escalation`, [n.id], 'an escalation needs "to" (an approver) or "decide"');
        if (esc?.to && esc.decide)
          at(`${p}/data/escalation`, [n.id], 'an escalation either reassigns ("to") or decides, not both');
        break;
      }
      case 'condition': {
        const defaults = out.filter((e) => e.data?.default === true);
        if (defaults.length !== 1) at(p, [n.id], 'a condition needs exactly one default edge');
        for (const e of out)
          if (e.data?.default !== true && !e.data?.condition?.trim())
            at(p, [n.id, e.id], 'every non-default edge of a condition needs data.condition');
        break;
      }
      case 'action':
        if (out.length !== 1) at(p, [n.id], 'an action node needs exactly one outgoing edge');
        if (!n.data.set && !n.data.script && !n.data.document)
          at(`${p}/data`, [n.id], 'an action node needs "set", "script" or "document"');
        break;
    }
  }

  const start = starts[0];
  if (start) {
    const reached = reach(graph, [start.id], (id) => graph.out(id).map((e) => e.target));
    const unreachable = def.nodes.filter((n) => !reached.has(n.id)).map((n) => n.id);
    if (unreachable.length) at('/nodes', unreachable, 'unreachable from the start node');
    // Dead ends: reachable nodes from which no end node can be reached.
    const ends = def.nodes.filter((n) => n.type === 'end').map((n) => n.id);
    const canEnd = reach(graph, ends, (id) => (graph.incoming.get(id) ?? []).map((e) => e.source));
    const dead = def.nodes.filter((n) => reached.has(n.id) && !canEnd.has(n.id)).map((n) => n.id);
    if (dead.length) at('/nodes', dead, 'dead end: no path from here reaches an end node');
  }

  const spinning = loopsWithoutApproval(graph);
  if (spinning.length) at('/nodes', spinning, 'a loop without an approval step would never wait for anyone');
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

/** Nodes on a cycle made only of automatic nodes (conditions, actions). */
function loopsWithoutApproval(graph: WorkflowGraph): string[] {
  const auto = [...graph.nodes.values()].filter((n) => n.type === 'condition' || n.type === 'action').map((n) => n.id);
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
