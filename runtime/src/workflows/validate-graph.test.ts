import type { WorkflowDefinition } from '@forma/metadata';
import { describe, expect, it } from 'vitest';
import { validateGraph } from './validate-graph';

const at = { x: 0, y: 0 };
const base = (): WorkflowDefinition => ({
  object: 'deal',
  label: 'Deal',
  nodes: [
    { id: 'start', type: 'start', position: at, data: {} },
    { id: 'mgr', type: 'approval', position: at, data: { approvers: [{ role: 'manager' }] } },
    { id: 'ok', type: 'end', position: at, data: { outcome: 'approved' } },
    { id: 'ko', type: 'end', position: at, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'mgr' },
    { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
    { id: 'e3', source: 'mgr', target: 'ko', data: { outcome: 'rejected' } },
  ],
});
const nodesOf = (w: WorkflowDefinition) => validateGraph(w).flatMap((i) => i.nodes);

describe('validateGraph', () => {
  it('accepts a well-formed graph', () => {
    expect(validateGraph(base())).toEqual([]);
  });

  it('names an approval step without both outcomes', () => {
    const w = base();
    w.edges = w.edges.filter((e) => e.id !== 'e3');
    expect(nodesOf(w)).toContain('mgr');
    expect(nodesOf(w)).toContain('ko'); // now unreachable
  });

  it('needs exactly one start and an outcome on end nodes', () => {
    const w = base();
    w.nodes.push({ id: 's2', type: 'start', position: at, data: {} });
    (w.nodes[2] as { data: Record<string, unknown> }).data = {};
    const messages = validateGraph(w).map((i) => i.message);
    expect(messages.some((m) => m.includes('exactly one start'))).toBe(true);
    expect(messages.some((m) => m.includes('[ok] an end node needs an outcome'))).toBe(true);
  });

  it('finds dead ends, a condition without default, and edges to nowhere', () => {
    const w = base();
    w.nodes.push({ id: 'c', type: 'condition', position: at, data: {} });
    w.edges = [
      { id: 'e1', source: 'start', target: 'c' },
      { id: 'x', source: 'c', target: 'mgr', data: { condition: 'record.amount > 1' } },
      { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
      { id: 'e3', source: 'mgr', target: 'ghost', data: { outcome: 'rejected' } },
    ];
    const messages = validateGraph(w).map((i) => i.message);
    expect(messages).toContain('[c] a condition needs exactly one default edge');
    expect(messages.some((m) => m.includes('[e3] edge target "ghost"'))).toBe(true);
    expect(messages.some((m) => m.includes('ko') && m.includes('unreachable'))).toBe(true);
  });

  it("codes each problem (with params) so the designer can say it in the admin's language", () => {
    const w = base();
    w.nodes.push({ id: 'c', type: 'condition', position: at, data: {} });
    w.edges = [
      { id: 'e1', source: 'start', target: 'c' },
      { id: 'x', source: 'c', target: 'mgr', data: { condition: '  ' } },
      { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
      { id: 'e3', source: 'mgr', target: 'ghost', data: { outcome: 'rejected' } },
    ];
    const coded = validateGraph(w).map(({ code, params, nodes }) => ({ code, params, nodes }));
    expect(coded).toContainEqual({ code: 'condition_default', params: undefined, nodes: ['c'] });
    expect(coded).toContainEqual({ code: 'condition_branch_empty', params: undefined, nodes: ['c', 'x'] });
    expect(coded).toContainEqual({ code: 'edge_target_missing', params: { node: 'ghost' }, nodes: ['e3'] });
    expect(coded).toContainEqual({ code: 'unreachable', params: undefined, nodes: ['ko'] });
    expect(validateGraph(w).every((i) => typeof i.code === 'string')).toBe(true);
  });

  it('refuses loops that never wait for a person, but not loops through an approval', () => {
    const w = base();
    w.nodes.push({ id: 'a', type: 'action', position: at, data: { set: { stage: 'x' } } });
    w.nodes.push({ id: 'c', type: 'condition', position: at, data: {} });
    w.edges = [
      { id: 'e1', source: 'start', target: 'a' },
      { id: 'e4', source: 'a', target: 'c' },
      { id: 'e5', source: 'c', target: 'a', data: { condition: 'true' } },
      { id: 'e6', source: 'c', target: 'mgr', data: { default: true } },
      { id: 'e2', source: 'mgr', target: 'ok', data: { outcome: 'approved' } },
      // Sent back for rework: a loop through the approval step is fine.
      { id: 'e3', source: 'mgr', target: 'a', data: { outcome: 'rejected' } },
      { id: 'e7', source: 'mgr', target: 'ko', data: { outcome: 'rejected' } },
    ];
    const issues = validateGraph(w);
    expect(issues.find((i) => i.message.includes('loop'))?.nodes.sort()).toEqual(['a', 'c']);
    expect(issues.some((i) => i.message.includes('exactly one "rejected"'))).toBe(true);
  });
});
