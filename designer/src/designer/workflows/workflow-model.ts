/**
 * The workflow definition as the designer edits it (docs/workflows.md, metadata/schemas/
 * workflow.schema.json) and the pure operations on it: adding nodes, connecting (edge data from the
 * handle dragged from), removing, auto-layout. The graph's rules themselves are the server's
 * (validate-graph.ts): nothing here decides whether a graph is well formed.
 */

export type NodeType = 'start' | 'approval' | 'condition' | 'action' | 'end';
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

export const NODE_TYPES: NodeType[] = ['start', 'approval', 'condition', 'action', 'end'];

/** Source handles: approvals leave by an outcome, conditions by a branch or their default. */
export type SourceHandle = 'approved' | 'rejected' | 'branch' | 'default' | 'out';

export function sourceHandlesOf(type: NodeType): SourceHandle[] {
  switch (type) {
    case 'approval':
      return ['approved', 'rejected'];
    case 'condition':
      return ['branch', 'default'];
    case 'end':
      return [];
    default:
      return ['out'];
  }
}

/** The handle an existing edge leaves from (so the canvas draws it where it was connected). */
export function handleOfEdge(edge: WfEdge, sourceType: NodeType | undefined): SourceHandle {
  if (sourceType === 'approval') return edge.data?.outcome === 'rejected' ? 'rejected' : 'approved';
  if (sourceType === 'condition') return edge.data?.default ? 'default' : 'branch';
  return 'out';
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

/** A fresh id of the form `<prefix><n>`, unused among `taken` (ids stay short and readable). */
export function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n += 1) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

const ID_PREFIX: Record<NodeType, string> = {
  start: 'start',
  approval: 'approval',
  condition: 'condition',
  action: 'action',
  end: 'end',
};

export function defaultData(type: NodeType): NodeData {
  switch (type) {
    case 'approval':
      return { approvers: [], mode: 'any' };
    case 'end':
      return { outcome: 'approved' };
    default:
      return {};
  }
}

export function addNode(def: WorkflowDefinition, type: NodeType, position: { x: number; y: number }) {
  const id = freshId(
    ID_PREFIX[type],
    def.nodes.map((n) => n.id),
  );
  const node: WfNode = {
    id,
    type,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    data: defaultData(type),
  };
  return { definition: { ...def, nodes: [...def.nodes, node] }, id };
}

/**
 * Connects two nodes; the edge's data follows from the handle it was dragged from. An approval
 * outcome or a condition default already taken is moved to the new target rather than doubled.
 */
export function connect(
  def: WorkflowDefinition,
  source: string,
  target: string,
  handle: SourceHandle | null | undefined,
): WorkflowDefinition {
  if (source === target) return def;
  const from = def.nodes.find((n) => n.id === source);
  if (!from || !def.nodes.some((n) => n.id === target) || from.type === 'end') return def;
  const h = handle ?? sourceHandlesOf(from.type)[0] ?? 'out';
  let data: EdgeData | undefined;
  let replaces: (e: WfEdge) => boolean = () => false;
  if (from.type === 'approval') {
    const outcome: Outcome = h === 'rejected' ? 'rejected' : 'approved';
    data = { outcome };
    replaces = (e) => e.source === source && e.data?.outcome === outcome;
  } else if (from.type === 'condition') {
    if (h === 'default') {
      data = { default: true };
      replaces = (e) => e.source === source && e.data?.default === true;
    } else data = { condition: '' };
  } else {
    // Start and action nodes leave by exactly one edge: a new one replaces the old.
    replaces = (e) => e.source === source;
  }
  if (def.edges.some((e) => e.source === source && e.target === target && sameKind(e.data, data))) return def;
  const edges = def.edges.filter((e) => !replaces(e));
  const id = freshId(
    'e',
    def.edges.map((e) => e.id),
  );
  return { ...def, edges: [...edges, { id, source, target, ...(data ? { data } : {}) }] };
}

function sameKind(a: EdgeData | undefined, b: EdgeData | undefined): boolean {
  return (a?.outcome ?? null) === (b?.outcome ?? null) && Boolean(a?.default) === Boolean(b?.default);
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

export const LAYER_GAP = 140;
export const SIBLING_GAP = 240;

/**
 * Top-down layered layout: each node on the layer of its longest distance from the start along
 * edges that do not loop back, siblings spread around the centre line in edge order.
 */
export function autoLayout(def: WorkflowDefinition): WorkflowDefinition {
  const out = new Map<string, string[]>();
  for (const e of def.edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const start = def.nodes.find((n) => n.type === 'start') ?? def.nodes[0];
  const layer = new Map<string, number>();
  const order: string[] = [];
  const visit = (id: string, depth: number, path: Set<string>) => {
    if (path.has(id)) return; // a loop back (send back for rework) does not push nodes down
    if ((layer.get(id) ?? -1) >= depth) return;
    if (!layer.has(id)) order.push(id);
    layer.set(id, depth);
    path.add(id);
    for (const next of out.get(id) ?? []) visit(next, depth + 1, path);
    path.delete(id);
  };
  if (start) visit(start.id, 0, new Set());
  let maxLayer = Math.max(0, ...layer.values());
  for (const n of def.nodes)
    if (!layer.has(n.id)) {
      maxLayer += 1;
      layer.set(n.id, maxLayer);
      order.push(n.id);
    }
  const rows = new Map<number, string[]>();
  for (const id of order) {
    const l = layer.get(id) ?? 0;
    rows.set(l, [...(rows.get(l) ?? []), id]);
  }
  const positions = new Map<string, { x: number; y: number }>();
  for (const [l, ids] of rows)
    ids.forEach((id, i) => {
      positions.set(id, { x: (i - (ids.length - 1) / 2) * SIBLING_GAP, y: l * LAYER_GAP });
    });
  return moveNodes(def, positions);
}

/** Approver as one line, for the node card and lists. */
export function approverKind(a: Approver): 'user' | 'role' | 'managerOf' | 'field' {
  if ('user' in a) return 'user';
  if ('role' in a) return 'role';
  if ('managerOf' in a) return 'managerOf';
  return 'field';
}
