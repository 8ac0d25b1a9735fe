/**
 * "Tidy up" and edge routing for the workflow canvas.
 *
 * Layout: dagre's layered layout (rank by distance from the start, crossings minimised), with every
 * edge label given room as a dagre label so two labels never sit on each other. Routing: edges are
 * orthogonal polylines that go around the cards in their way, computed from the positions on the
 * canvas at render time, so they stay clear after the admin drags a card too.
 */
import dagre from '@dagrejs/dagre';

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A card's size on the canvas (workflow-designer.css `.f-wf-node`; the height of a typical card). */
export const NODE_SIZE = { width: 200, height: 96 } as const;

/** An edge label's box from its text (the canvas font is ~7 px per character at 12 px). */
export function labelSize(text: string): { width: number; height: number } {
  return { width: text ? Math.min(220, 16 + text.length * 7) : 0, height: text ? 22 : 0 };
}

export interface LayoutInput {
  nodes: Array<{ id: string; size?: { width: number; height: number } }>;
  edges: Array<{ id: string; source: string; target: string; label?: string }>;
}

/** Top-left positions of the cards, top-down from the start. */
export function layeredPositions(input: LayoutInput): Map<string, Point> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 60, ranksep: 70, edgesep: 30, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map(input.nodes.map((n) => [n.id, n.size ?? NODE_SIZE]));
  for (const n of input.nodes) g.setNode(n.id, { ...sizes.get(n.id)! });
  const known = new Set(input.nodes.map((n) => n.id));
  for (const e of input.edges) {
    if (!known.has(e.source) || !known.has(e.target)) continue;
    const { width, height } = labelSize(e.label ?? '');
    g.setEdge(e.source, e.target, { width, height, labelpos: 'c', minlen: 1 }, e.id);
  }
  dagre.layout(g);
  const out = new Map<string, Point>();
  for (const n of input.nodes) {
    const laid = g.node(n.id) as { x: number; y: number } | undefined;
    const size = sizes.get(n.id)!;
    if (laid) out.set(n.id, { x: Math.round(laid.x - size.width / 2), y: Math.round(laid.y - size.height / 2) });
  }
  return out;
}

const PAD = 10;
const GAP = 24;

function crosses(a: Point, b: Point, r: Rect, pad = PAD): boolean {
  const left = r.x - pad;
  const right = r.x + r.width + pad;
  const top = r.y - pad;
  const bottom = r.y + r.height + pad;
  if (a.x === b.x) {
    const [y1, y2] = a.y < b.y ? [a.y, b.y] : [b.y, a.y];
    return a.x > left && a.x < right && y2 > top && y1 < bottom;
  }
  const [x1, x2] = a.x < b.x ? [a.x, b.x] : [b.x, a.x];
  return a.y > top && a.y < bottom && x2 > left && x1 < right;
}

/** Whether a polyline of horizontal and vertical segments passes through any card (ends excluded). */
export function hitsCards(points: Point[], cards: Rect[], source?: Rect, target?: Rect): boolean {
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    for (const r of cards) {
      // The first segment leaves its own card and the last one enters its target: not a crossing.
      if ((i === 0 && r === source) || (i === points.length - 2 && r === target)) continue;
      if (crosses(a, b, r)) return true;
    }
  }
  return false;
}

function length(points: Point[]): number {
  let n = 0;
  for (let i = 0; i + 1 < points.length; i++)
    n += Math.abs(points[i + 1]!.x - points[i]!.x) + Math.abs(points[i + 1]!.y - points[i]!.y);
  return n;
}

/** Drops zero-length segments and merges straight runs, so corners are real corners. */
function simplify(points: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    const prev = out[out.length - 2];
    if (prev && last && ((prev.x === last.x && last.x === p.x) || (prev.y === last.y && last.y === p.y)))
      out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/**
 * An orthogonal route from a card's bottom handle (`from`) to another card's top (`to`) that passes
 * through no card: the direct step route when it is clear, else down into a free vertical lane
 * beside the cards in the way, along it, and into the target from above. Loops back up use a lane
 * beside everything between the two.
 */
export function routeEdge(from: Point, to: Point, cards: Rect[], source?: Rect, target?: Rect): Point[] {
  const down = to.y - from.y >= 2 * GAP;
  const candidates: Point[][] = [];
  if (down) {
    for (const y of [(from.y + to.y) / 2, from.y + GAP, to.y - GAP])
      candidates.push([from, { x: from.x, y }, { x: to.x, y }, to]);
  }
  const y1 = from.y + GAP;
  const y2 = to.y - GAP;
  const lanes = new Set<number>([from.x, to.x]);
  const [top, bottom] = y1 < y2 ? [y1, y2] : [y2, y1];
  for (const r of cards) {
    if (r.y + r.height + PAD < top || r.y - PAD > bottom) continue;
    lanes.add(r.x - GAP);
    lanes.add(r.x + r.width + GAP);
  }
  // Beside all the cards at once: always clear, the last resort.
  const spanned = cards.filter((r) => !(r.y + r.height + PAD < top || r.y - PAD > bottom));
  if (spanned.length) {
    lanes.add(Math.max(...spanned.map((r) => r.x + r.width)) + GAP);
    lanes.add(Math.min(...spanned.map((r) => r.x)) - GAP);
  }
  for (const lane of lanes)
    candidates.push([from, { x: from.x, y: y1 }, { x: lane, y: y1 }, { x: lane, y: y2 }, { x: to.x, y: y2 }, to]);
  let best: Point[] | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const pts = simplify(c);
    if (hitsCards(pts, cards, source, target)) continue;
    const score = length(pts) + 30 * (pts.length - 2);
    if (score < bestScore) {
      best = pts;
      bestScore = score;
    }
  }
  return best ?? simplify(candidates[0] ?? [from, to]);
}

/** Where the label goes: the middle of the route's longest segment. */
export function labelPoint(points: Point[]): Point {
  let at = { x: points[0]?.x ?? 0, y: points[0]?.y ?? 0 };
  let longest = -1;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const l = Math.abs(b.x - a.x) + Math.abs(b.y - a.y);
    if (l > longest) {
      longest = l;
      at = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    }
  }
  return at;
}

/** The route as an SVG path with rounded corners. */
export function routePath(points: Point[], radius = 8): string {
  if (points.length < 2) return '';
  let d = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!;
    const a = points[i - 1]!;
    const b = points[i + 1]!;
    const r = Math.min(radius, Math.hypot(p.x - a.x, p.y - a.y) / 2, Math.hypot(b.x - p.x, b.y - p.y) / 2);
    const inX = p.x + Math.sign(a.x - p.x) * r;
    const inY = p.y + Math.sign(a.y - p.y) * r;
    const outX = p.x + Math.sign(b.x - p.x) * r;
    const outY = p.y + Math.sign(b.y - p.y) * r;
    d += ` L ${inX} ${inY} Q ${p.x} ${p.y} ${outX} ${outY}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x} ${last.y}`;
}
