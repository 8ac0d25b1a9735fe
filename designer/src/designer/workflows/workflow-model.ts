/**
 * The workflow definition as the designer edits it (docs/workflows.md, metadata/schemas/
 * workflow.schema.json) and the pure operations on it: adding nodes, connecting (edge data from the
 * handle dragged from), removing, auto-layout. The graph's rules themselves are the server's
 * (validate-graph.ts): nothing here decides whether a graph is well formed.
 */

import { type NodeCatalog, handleOfEdge, handlesOf } from './node-catalog';
import { layeredPositions } from './workflow-layout';

/** A node type the server's registry knows (core or a plugin's): see node-catalog.ts. */
export type NodeType = string;
export type Outcome = 'approved' | 'rejected';

export type Approver = { user: string } | { role: string } | { managerOf: 'submitter' } | { field: string };

export interface Escalation {
  after: string;
  to?: Approver;
  decide?: Outcome;
}

export interface NodeData {
  label?: string;
  approvers?: Approver[];
  mode?: 'any' | 'all';
  escalation?: Escalation;
  outcome?: Outcome;
  set?: Record<string, unknown>;
  script?: string;
  [key: string]: unknown;
}

export interface WfNode {
  id: string;
  type: NodeType;
  position: { x: number; y: number };
  data: NodeData;
}

export interface EdgeData {
  outcome?: Outcome;
  condition?: string;
  default?: boolean;
  label?: string;
}

export interface WfEdge {
  id: string;
  source: string;
  target: string;
  data?: EdgeData;
}

export interface WorkflowDefinition {
  object: string;
  label: string;
  description?: string;
  active?: boolean;
  trigger?: { on: 'submit' | 'create' | 'update' | 'save'; condition?: string };
  /** After the final approval: stay editable, stay locked, or go back for approval when `fields` change. */
  afterApproval?: { mode: 'none' | 'lock' | 'reapprove'; fields?: string[] };
  /** Who gets a step whose approvers resolve to nobody (then the admins). */
  fallbackRole?: string;
  nodes: WfNode[];
  edges: WfEdge[];
  [key: string]: unknown;
}

export function emptyWorkflow(object: string, label: string): WorkflowDefinition {
  return {
    object,
    label,
    active: true,
    trigger: { on: 'submit' },
    nodes: [{ id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} }],
    edges: [],
  };
}

/**
 * What a new workflow opens with: start → approval (the submitter's manager) → an approved and a
 * rejected end, connected and laid out, so the admin edits a working workflow instead of wiring
 * the obvious first. Handles and initial data come from the node types' palette entries; without
 * an approval or end type (a registry without them) it is the lone start node.
 */
export function starterWorkflow(object: string, label: string, catalog: NodeCatalog): WorkflowDefinition {
  const empty = emptyWorkflow(object, label);
  if (!catalog.get('approval') || !catalog.get('end')) return empty;
  const approval = addNode(empty, catalog, 'approval', { x: 0, y: 0 });
  const won = addNode(approval.definition, catalog, 'end', { x: 0, y: 0 });
  const lost = addNode(won.definition, catalog, 'end', { x: 0, y: 0 });
  let def = updateNode(lost.definition, approval.id, (n) => ({
    ...n,
    data: { ...n.data, approvers: [{ managerOf: 'submitter' }] },
  }));
  def = updateNode(def, won.id, (n) => ({ ...n, data: { ...n.data, outcome: 'approved' } }));
  def = updateNode(def, lost.id, (n) => ({ ...n, data: { ...n.data, outcome: 'rejected' } }));
  def = connect(def, catalog, 'start', approval.id, null);
  def = connect(def, catalog, approval.id, won.id, 'approved');
  def = connect(def, catalog, approval.id, lost.id, 'rejected');
  return autoLayout(def);
}

/**
 * Where a step added from the palette goes when a node is selected: below it, connected from its
 * first way out that has no edge yet (else its first one, the step then inserted before where that
 * edge went) — the step lands in the flow being built.
 * Beside the spot below when that is taken. Without a selection (or a selected end) the step goes
 * below everything, unconnected.
 */
export function addAfter(
  def: WorkflowDefinition,
  catalog: NodeCatalog,
  type: NodeType,
  after: string | undefined,
): { definition: WorkflowDefinition; id: string } {
  const from = after ? def.nodes.find((n) => n.id === after) : undefined;
  const handles = from ? handlesOf(catalog, from.type) : [];
  if (!from || !handles.length) {
    const maxY = Math.max(0, ...def.nodes.map((n) => n.position.y));
    return addNode(def, catalog, type, { x: 0, y: maxY + LAYER_GAP });
  }
  const taken = (x: number, y: number) =>
    def.nodes.some((n) => Math.abs(n.position.x - x) < SIBLING_GAP / 2 && Math.abs(n.position.y - y) < LAYER_GAP / 2);
  const y = from.position.y + LAYER_GAP;
  let x = from.position.x;
  for (let i = 1; taken(x, y) && i < 50; i += 1)
    x = from.position.x + (i % 2 ? 1 : -1) * Math.ceil(i / 2) * SIBLING_GAP;
  const added = addNode(def, catalog, type, { x, y });
  const used = new Set(def.edges.filter((e) => e.source === from.id).map((e) => handleOfEdge(e, handles)));
  const handle = handles.find((h) => !used.has(h.id)) ?? handles[0];
  // Every way out is taken: the step is inserted there, continuing to where that edge went.
  const next =
    handle && !handle.multiple
      ? def.edges.find((e) => e.source === from.id && handleOfEdge(e, handles) === handle.id)
      : undefined;
  let out = connect(added.definition, catalog, from.id, added.id, handle?.id);
  if (next) out = connect(out, catalog, added.id, next.target, null);
  return { definition: out, id: added.id };
}

/** A fresh id of the form `<prefix><n>`, unused among `taken` (ids stay short and readable). */
export function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n += 1) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** A new node's data: a copy of what its type starts with. */
export function defaultData(catalog: NodeCatalog, type: NodeType): NodeData {
  return structuredClone(catalog.get(type)?.palette.initialData ?? {}) as NodeData;
}

export function addNode(
  def: WorkflowDefinition,
  catalog: NodeCatalog,
  type: NodeType,
  position: { x: number; y: number },
) {
  const id = freshId(
    type,
    def.nodes.map((n) => n.id),
  );
  const node: WfNode = {
    id,
    type,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    data: defaultData(catalog, type),
  };
  return { definition: { ...def, nodes: [...def.nodes, node] }, id };
}

/**
 * Connects two nodes; the edge's data is what the handle it was dragged from gives (its type's
 * palette entry). A handle that takes one edge (an approval outcome, a condition's default, the only
 * way out of a start or action node) has it moved to the new target rather than doubled.
 */
export function connect(
  def: WorkflowDefinition,
  catalog: NodeCatalog,
  source: string,
  target: string,
  handleId: string | null | undefined,
): WorkflowDefinition {
  if (source === target) return def;
  const from = def.nodes.find((n) => n.id === source);
  if (!from || !def.nodes.some((n) => n.id === target)) return def;
  const handles = handlesOf(catalog, from.type);
  const handle = handles.find((h) => h.id === handleId) ?? handles[0];
  if (!handle) return def;
  const data =
    handle.edgeData && Object.keys(handle.edgeData).length ? ({ ...handle.edgeData } as EdgeData) : undefined;
  const sameHandle = (e: WfEdge) => e.source === source && handleOfEdge(e, handles) === handle.id;
  const replaces = (e: WfEdge) => !handle.multiple && sameHandle(e);
  if (def.edges.some((e) => e.target === target && sameHandle(e))) return def;
  const edges = def.edges.filter((e) => !replaces(e));
  const id = freshId(
    'e',
    def.edges.map((e) => e.id),
  );
  return { ...def, edges: [...edges, { id, source, target, ...(data ? { data } : {}) }] };
}

export function removeElements(def: WorkflowDefinition, nodeIds: string[], edgeIds: string[]): WorkflowDefinition {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  return {
    ...def,
    nodes: def.nodes.filter((n) => !nodes.has(n.id)),
    edges: def.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
}

export function updateNode(def: WorkflowDefinition, id: string, patch: (n: WfNode) => WfNode): WorkflowDefinition {
  return { ...def, nodes: def.nodes.map((n) => (n.id === id ? patch(n) : n)) };
}

export function updateEdge(def: WorkflowDefinition, id: string, data: EdgeData): WorkflowDefinition {
  return { ...def, edges: def.edges.map((e) => (e.id === id ? { ...e, data } : e)) };
}

export function moveNodes(def: WorkflowDefinition, positions: Map<string, { x: number; y: number }>) {
  return {
    ...def,
    nodes: def.nodes.map((n) => {
      const p = positions.get(n.id);
      return p ? { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } } : n;
    }),
  };
}

/** The label an edge shows on the canvas: its outcome, its condition, or "default". */
export function edgeLabel(edge: WfEdge): string {
  const d = edge.data;
  if (d?.label) return d.label;
  if (d?.outcome) return d.outcome;
  if (d?.default) return 'default';
  if (d?.condition !== undefined) return d.condition || '?';
  return '';
}

/** Positions are missing or all stacked (a definition written by hand or by API): lay it out. */
export function needsLayout(def: WorkflowDefinition): boolean {
  if (def.nodes.length < 2) return false;
  const seen = new Set(def.nodes.map((n) => `${n.position?.x ?? 'x'},${n.position?.y ?? 'y'}`));
  return seen.size < def.nodes.length;
}

/** Spacing of steps placed one by one (added from the palette): a layer down, a sibling aside. */
export const LAYER_GAP = 140;
export const SIBLING_GAP = 240;

/**
 * Top-down layered layout from the start (dagre: crossings minimised, room for every edge label);
 * loops back (send back for rework) do not push steps down.
 */
export function autoLayout(def: WorkflowDefinition): WorkflowDefinition {
  const start = def.nodes.find((n) => n.type === 'start');
  // dagre breaks cycles by a depth-first walk in node order: from the start, a loop's last edge is
  // the one turned around, so the start stays on top.
  const nodes = start ? [start, ...def.nodes.filter((n) => n !== start)] : def.nodes;
  return moveNodes(
    def,
    layeredPositions({
      nodes: nodes.map((n) => ({ id: n.id })),
      edges: def.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, label: edgeLabel(e) })),
    }),
  );
}

/** Approver as one line, for the node card and lists. */
export function approverKind(a: Approver): 'user' | 'role' | 'managerOf' | 'field' {
  if ('user' in a) return 'user';
  if ('role' in a) return 'role';
  if ('managerOf' in a) return 'managerOf';
  return 'field';
}
