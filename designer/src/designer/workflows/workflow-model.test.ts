import { describe, expect, it } from 'vitest';
import { graphIssues } from './graph-issues';
import { type WorkflowNodeTypeInfo, catalogOf, handleOfEdge } from './node-catalog';
import {
  addAfter,
  addNode,
  autoLayout,
  connect,
  edgeLabel,
  emptyWorkflow,
  needsLayout,
  removeElements,
  starterWorkflow,
} from './workflow-model';

/** The core types' handles and initial data as the server's registry describes them, and a plugin's. */
const info = (type: string, palette: Partial<WorkflowNodeTypeInfo['palette']>): WorkflowNodeTypeInfo => ({
  type,
  automatic: false,
  palette: { label: { en: type }, icon: 'box', handles: [], ...palette },
});
const catalog = catalogOf([
  info('start', { entry: true, handles: [{ id: 'out' }] }),
  info('approval', {
    initialData: { approvers: [], mode: 'any' },
    handles: [
      { id: 'approved', edgeData: { outcome: 'approved' } },
      { id: 'rejected', edgeData: { outcome: 'rejected' } },
    ],
  }),
  info('condition', {
    handles: [
      { id: 'branch', edgeData: { condition: '' }, multiple: true },
      { id: 'default', edgeData: { default: true } },
    ],
  }),
  info('end', { initialData: { outcome: 'approved' } }),
  info('note', { initialData: { text: '' }, handles: [{ id: 'out' }] }),
]);

const base = () => {
  let def = emptyWorkflow('deal', 'Deal');
  for (const t of ['condition', 'approval', 'end', 'end'] as const)
    def = addNode(def, catalog, t, { x: 10, y: 20 }).definition;
  return def;
};

describe('workflow model', () => {
  it('starts a new workflow as start → approval → approved and rejected ends, connected and laid out', () => {
    const def = starterWorkflow('deal', 'Deal', catalog);
    expect(def.nodes.map((n) => [n.id, n.type, n.data])).toEqual([
      ['start', 'start', {}],
      ['approval1', 'approval', { approvers: [{ managerOf: 'submitter' }], mode: 'any' }],
      ['end1', 'end', { outcome: 'approved' }],
      ['end2', 'end', { outcome: 'rejected' }],
    ]);
    expect(def.edges.map((e) => [e.source, e.target, e.data])).toEqual([
      ['start', 'approval1', undefined],
      ['approval1', 'end1', { outcome: 'approved' }],
      ['approval1', 'end2', { outcome: 'rejected' }],
    ]);
    expect(needsLayout(def)).toBe(false);
    const y = (id: string) => def.nodes.find((n) => n.id === id)?.position.y ?? 0;
    expect(y('start')).toBeLessThan(y('approval1'));
    expect(y('approval1')).toBeLessThan(y('end1'));
    // A registry without approval steps: the lone start node, as before.
    expect(starterWorkflow('deal', 'Deal', catalogOf([info('start', { entry: true })])).nodes).toHaveLength(1);
  });

  it('adds a palette step after the selected node, connected from its free way out, on a free spot', () => {
    let def = starterWorkflow('deal', 'Deal', catalog);
    const first = addAfter(def, catalog, 'condition', 'start');
    // start's one way out is taken: the new step is inserted, continuing to approval1.
    expect(first.definition.edges.filter((e) => e.source === 'start').map((e) => e.target)).toEqual(['condition1']);
    expect(first.definition.edges.filter((e) => e.source === 'condition1').map((e) => e.target)).toEqual(['approval1']);
    const start = first.definition.nodes.find((n) => n.id === 'start')!;
    const added = first.definition.nodes.find((n) => n.id === 'condition1')!;
    expect(added.position.y).toBeGreaterThan(start.position.y);
    // approval1 already sits below start: the new step goes beside it, not on top.
    const approval = def.nodes.find((n) => n.id === 'approval1')!;
    expect(added.position.x === approval.position.x && added.position.y === approval.position.y).toBe(false);
    def = first.definition;
    const second = addAfter(def, catalog, 'approval', 'condition1');
    // The branch already leads to approval1: the free default is taken.
    expect(second.definition.edges.at(-1)).toMatchObject({
      source: 'condition1',
      target: 'approval2',
      data: { default: true },
    });
    // condition1's branch handle takes many edges: another branch, not an insertion.
    const third = addAfter(second.definition, catalog, 'end', 'condition1');
    expect(third.definition.edges.at(-1)).toMatchObject({
      source: 'condition1',
      target: 'end3',
      data: { condition: '' },
    });
    // No selection, or an end (no way out): below everything, unconnected.
    for (const after of [undefined, 'end1', 'ghost']) {
      const r = addAfter(def, catalog, 'action' as string, after);
      expect(r.definition.edges).toHaveLength(def.edges.length);
    }
  });

  it('gives fresh readable ids', () => {
    const def = base();
    expect(def.nodes.map((n) => n.id)).toEqual(['start', 'condition1', 'approval1', 'end1', 'end2']);
    expect(def.nodes[2]?.data).toEqual({ approvers: [], mode: 'any' });
  });

  it('derives edge data from the handle and never doubles an outcome or a default', () => {
    let def = base();
    def = connect(def, catalog, 'start', 'condition1', 'out');
    def = connect(def, catalog, 'condition1', 'approval1', 'branch');
    def = connect(def, catalog, 'condition1', 'end1', 'default');
    def = connect(def, catalog, 'approval1', 'end1', 'approved');
    def = connect(def, catalog, 'approval1', 'end2', 'rejected');
    expect(def.edges.map((e) => [e.source, e.target, e.data])).toEqual([
      ['start', 'condition1', undefined],
      ['condition1', 'approval1', { condition: '' }],
      ['condition1', 'end1', { default: true }],
      ['approval1', 'end1', { outcome: 'approved' }],
      ['approval1', 'end2', { outcome: 'rejected' }],
    ]);
    const moved = connect(def, catalog, 'approval1', 'end2', 'approved');
    expect(moved.edges.filter((e) => e.source === 'approval1').map((e) => [e.target, e.data?.outcome])).toEqual([
      ['end2', 'rejected'],
      ['end2', 'approved'],
    ]);
    expect(connect(def, catalog, 'start', 'approval1', 'out').edges.filter((e) => e.source === 'start')).toHaveLength(
      1,
    );
    expect(connect(def, catalog, 'end1', 'start', null)).toBe(def);
    expect(connect(def, catalog, 'start', 'start', null)).toBe(def);
    expect(connect(def, catalog, 'approval1', 'end1', 'approved')).toBe(def);
  });

  it("treats a plugin's type by its palette entry: initial data copied, its one way out replaced", () => {
    const first = addNode(base(), catalog, 'note', { x: 0, y: 0 });
    expect(first.id).toBe('note1');
    const def0 = first.definition;
    expect(def0.nodes.at(-1)?.data).toEqual({ text: '' });
    expect(def0.nodes.at(-1)?.data).not.toBe(catalog.get('note')?.palette.initialData);
    let def = connect(def0, catalog, 'note1', 'end1', 'out');
    def = connect(def, catalog, 'note1', 'end2', null);
    expect(def.edges.filter((e) => e.source === 'note1').map((e) => e.target)).toEqual(['end2']);
    // A type nobody registered (its plugin is gone) is not connected from.
    const ghost = { ...def, nodes: [...def.nodes, { id: 'g', type: 'ghost', position: { x: 0, y: 0 }, data: {} }] };
    expect(connect(ghost, catalog, 'g', 'end1', null)).toBe(ghost);
  });

  it("finds the handle an edge leaves by from the handles' edge data", () => {
    const handles = catalog.get('condition')?.palette.handles ?? [];
    expect(handleOfEdge({ id: 'a', source: 'c', target: 'x', data: { condition: 'record.a > 1' } }, handles)).toBe(
      'branch',
    );
    expect(handleOfEdge({ id: 'a', source: 'c', target: 'x', data: { default: true } }, handles)).toBe('default');
    expect(handleOfEdge({ id: 'a', source: 'c', target: 'x' }, handles)).toBe('branch');
    const approval = catalog.get('approval')?.palette.handles ?? [];
    expect(handleOfEdge({ id: 'a', source: 'c', target: 'x', data: { outcome: 'rejected' } }, approval)).toBe(
      'rejected',
    );
  });

  it('removes nodes with their edges', () => {
    let def = connect(base(), catalog, 'start', 'condition1', 'out');
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
    def = connect(def, catalog, 'start', 'condition1', 'out');
    def = connect(def, catalog, 'condition1', 'approval1', 'branch');
    def = connect(def, catalog, 'condition1', 'end1', 'default');
    def = connect(def, catalog, 'approval1', 'end1', 'approved');
    def = connect(def, catalog, 'approval1', 'condition1', 'rejected');
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
