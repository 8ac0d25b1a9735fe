import { describe, expect, it } from 'vitest';
import { graphIssues } from './graph-issues';
import { addNode, autoLayout, connect, edgeLabel, emptyWorkflow, needsLayout, removeElements } from './workflow-model';

const base = () => {
  let def = emptyWorkflow('deal', 'Deal');
  for (const t of ['condition', 'approval', 'end', 'end'] as const) def = addNode(def, t, { x: 10, y: 20 }).definition;
  return def;
};

describe('workflow model', () => {
  it('gives fresh readable ids', () => {
    const def = base();
    expect(def.nodes.map((n) => n.id)).toEqual(['start', 'condition1', 'approval1', 'end1', 'end2']);
    expect(def.nodes[2]?.data).toEqual({ approvers: [], mode: 'any' });
  });

  it('derives edge data from the handle and never doubles an outcome or a default', () => {
    let def = base();
    def = connect(def, 'start', 'condition1', 'out');
    def = connect(def, 'condition1', 'approval1', 'branch');
    def = connect(def, 'condition1', 'end1', 'default');
    def = connect(def, 'approval1', 'end1', 'approved');
    def = connect(def, 'approval1', 'end2', 'rejected');
    expect(def.edges.map((e) => [e.source, e.target, e.data])).toEqual([
      ['start', 'condition1', undefined],
      ['condition1', 'approval1', { condition: '' }],
      ['condition1', 'end1', { default: true }],
      ['approval1', 'end1', { outcome: 'approved' }],
      ['approval1', 'end2', { outcome: 'rejected' }],
    ]);
    const moved = connect(def, 'approval1', 'end2', 'approved');
    expect(moved.edges.filter((e) => e.source === 'approval1').map((e) => [e.target, e.data?.outcome])).toEqual([
      ['end2', 'rejected'],
      ['end2', 'approved'],
    ]);
    expect(connect(def, 'start', 'approval1', 'out').edges.filter((e) => e.source === 'start')).toHaveLength(1);
    expect(connect(def, 'end1', 'start', null)).toBe(def);
    expect(connect(def, 'start', 'start', null)).toBe(def);
    expect(connect(def, 'approval1', 'end1', 'approved')).toBe(def);
  });

  it('removes nodes with their edges', () => {
    let def = connect(base(), 'start', 'condition1', 'out');
    def = removeElements(def, ['condition1'], []);
    expect(def.edges).toEqual([]);
    expect(def.nodes.some((n) => n.id === 'condition1')).toBe(false);
  });

  it('labels edges', () => {
    expect(edgeLabel({ id: 'a', source: 'x', target: 'y', data: { outcome: 'approved' } })).toBe('approved');
    expect(edgeLabel({ id: 'a', source: 'x', target: 'y', data: { condition: 'record.amount > 1' } })).toBe(
      'record.amount > 1',
    );
    expect(edgeLabel({ id: 'a', source: 'x', target: 'y', data: { default: true } })).toBe('default');
    expect(edgeLabel({ id: 'a', source: 'x', target: 'y' })).toBe('');
  });

  it('lays out stacked nodes in layers from the start, loops not pushing nodes down', () => {
    let def = base();
    expect(needsLayout(def)).toBe(true);
    def = connect(def, 'start', 'condition1', 'out');
    def = connect(def, 'condition1', 'approval1', 'branch');
    def = connect(def, 'condition1', 'end1', 'default');
    def = connect(def, 'approval1', 'end1', 'approved');
    def = connect(def, 'approval1', 'condition1', 'rejected');
    const laid = autoLayout(def);
    const y = Object.fromEntries(laid.nodes.map((n) => [n.id, n.position.y]));
    expect(y.start).toBeLessThan(y.condition1 as number);
    expect(y.condition1).toBeLessThan(y.approval1 as number);
    expect(y.approval1).toBeLessThan(y.end1 as number);
    expect(needsLayout(laid)).toBe(false);
  });
});

describe('graph issues', () => {
  it('maps bracketed ids and JSON paths to elements, the rest to the workflow', () => {
    const def = base();
    const issues = graphIssues(def, [
      { path: '/workflows/w/nodes/2', message: '[approval1] an approval step needs exactly one "rejected" edge' },
      { path: '/workflows/w/nodes', message: '[end1, end2] unreachable from the start node' },
      { path: '/workflows/w/nodes/3/data/outcome', message: 'must be equal to one of the allowed values' },
      { path: '/workflows/w/trigger/condition', message: 'trigger condition: Unexpected token (line 1, column 5)' },
    ]);
    expect(issues.byElement.get('approval1')).toEqual(['an approval step needs exactly one "rejected" edge']);
    expect(issues.byElement.get('end1')).toEqual([
      'unreachable from the start node',
      'must be equal to one of the allowed values',
    ]);
    expect(issues.byElement.get('end2')).toEqual(['unreachable from the start node']);
    expect(issues.general).toEqual(['trigger/condition: trigger condition: Unexpected token (line 1, column 5)']);
  });
});
