import { describe, expect, it } from 'vitest';
import {
  hitsCards,
  labelPoint,
  labelSize,
  layeredPositions,
  NODE_SIZE,
  type Point,
  type Rect,
  routeEdge,
  routePath,
} from './workflow-layout';

type E = { id: string; source: string; target: string; label?: string; handle?: number; of?: number };

/** An expense claim: a condition, two approvals, a loop back for rework, three ends. */
const nodes = ['start', 'amount', 'manager', 'finance', 'rework', 'paid', 'refused', 'small'];
const edges: E[] = [
  { id: 'e1', source: 'start', target: 'amount' },
  { id: 'e2', source: 'amount', target: 'manager', label: 'amount > 1000', handle: 0, of: 2 },
  { id: 'e3', source: 'amount', target: 'small', label: 'Otherwise', handle: 1, of: 2 },
  { id: 'e4', source: 'manager', target: 'finance', label: 'Approved', handle: 0, of: 2 },
  { id: 'e5', source: 'manager', target: 'refused', label: 'Rejected', handle: 1, of: 2 },
  { id: 'e6', source: 'finance', target: 'paid', label: 'Approved', handle: 0, of: 2 },
  { id: 'e7', source: 'finance', target: 'rework', label: 'Rejected', handle: 1, of: 2 },
  { id: 'e8', source: 'rework', target: 'amount' },
  // A long edge past the approvals: the classic one drawn through the cards in between.
  { id: 'e9', source: 'start', target: 'paid', label: 'Pre-approved' },
];

function laidOut() {
  const at = layeredPositions({ nodes: nodes.map((id) => ({ id })), edges });
  const rects = new Map<string, Rect>(nodes.map((id) => [id, { ...at.get(id)!, ...NODE_SIZE }]));
  return { at, rects, cards: [...rects.values()] };
}

/** Where React Flow puts a bottom handle: spread along the bottom edge like the node view does. */
function handleAt(r: Rect, e: E): Point {
  const of = e.of ?? 1;
  const i = e.handle ?? 0;
  return { x: r.x + (r.width * (i + 1)) / (of + 1), y: r.y + r.height };
}

const overlap = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('tidy up', () => {
  it('puts the start on top and every step below the one it follows (loops aside)', () => {
    const { at } = laidOut();
    const y = (id: string) => at.get(id)!.y;
    expect(Math.min(...nodes.map(y))).toBe(y('start'));
    for (const e of edges.filter((x) => x.id !== 'e8')) expect(y(e.source)).toBeLessThan(y(e.target));
  });

  it('never puts a card on another', () => {
    const { cards } = laidOut();
    for (const [i, a] of cards.entries()) for (const b of cards.slice(i + 1)) expect(overlap(a, b)).toBe(false);
  });

  it('routes every edge around the cards, loops and long edges included', () => {
    const { rects, cards } = laidOut();
    for (const e of edges) {
      const s = rects.get(e.source)!;
      const t = rects.get(e.target)!;
      const route = routeEdge(handleAt(s, e), { x: t.x + t.width / 2, y: t.y }, cards, s, t);
      expect(hitsCards(route, cards, s, t), `${e.id} ${JSON.stringify(route)}`).toBe(false);
      // Only horizontal and vertical segments, starting and ending at the handles.
      for (let i = 0; i + 1 < route.length; i++)
        expect(route[i]!.x === route[i + 1]!.x || route[i]!.y === route[i + 1]!.y).toBe(true);
      expect(route[0]).toEqual(handleAt(s, e));
      expect(route.at(-1)).toEqual({ x: t.x + t.width / 2, y: t.y });
    }
  });

  it('keeps routes clear of a card dragged into the way', () => {
    const s: Rect = { x: 0, y: 0, ...NODE_SIZE };
    const t: Rect = { x: 0, y: 400, ...NODE_SIZE };
    const blocker: Rect = { x: 0, y: 180, ...NODE_SIZE };
    const route = routeEdge({ x: 100, y: 96 }, { x: 100, y: 400 }, [s, t, blocker], s, t);
    expect(hitsCards(route, [s, t, blocker], s, t)).toBe(false);
    expect(route.length).toBeGreaterThan(2);
    // Unblocked, it is one straight line.
    expect(routeEdge({ x: 100, y: 96 }, { x: 100, y: 400 }, [s, t], s, t)).toEqual([
      { x: 100, y: 96 },
      { x: 100, y: 400 },
    ]);
  });

  it('puts labels where they cover no card', () => {
    const { rects, cards } = laidOut();
    for (const e of edges.filter((x) => x.label)) {
      const s = rects.get(e.source)!;
      const t = rects.get(e.target)!;
      const route = routeEdge(handleAt(s, e), { x: t.x + t.width / 2, y: t.y }, cards, s, t);
      const p = labelPoint(route);
      const size = labelSize(e.label!);
      const box = { x: p.x - size.width / 2, y: p.y - size.height / 2, ...size };
      for (const c of cards) expect(overlap(box, c), `${e.id} label over a card`).toBe(false);
    }
  });

  it('draws a route as a path with rounded corners', () => {
    expect(
      routePath([
        { x: 0, y: 0 },
        { x: 0, y: 50 },
        { x: 40, y: 50 },
      ]),
    ).toBe('M 0 0 L 0 42 Q 0 50 8 50 L 40 50');
  });
});
