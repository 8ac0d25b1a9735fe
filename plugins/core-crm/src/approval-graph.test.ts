import type { WorkflowDefinition } from '@forma/metadata';
import { validateGraph } from '@forma/runtime';
import { describe, expect, it } from 'vitest';
import { approvalGraph } from './approval-graph';
import { productSalesTemplate } from './templates/product-sales';
import { workflows } from './workflows';

const manager = { id: 'manager', label: 'Manager', zh: '经理', approvers: [{ managerOf: 'submitter' as const }] };
const finance = { id: 'finance', label: 'Finance', zh: '财务', approvers: [{ role: 'finance' }] };
const asWorkflow = (graph: ReturnType<typeof approvalGraph>) =>
  ({ object: 'deal', label: 'Deal', ...graph }) as unknown as WorkflowDefinition;
const targets = (graph: ReturnType<typeof approvalGraph>, source: string) =>
  graph.edges.filter((e) => e.source === source).map((e) => [e.target, e.data ?? null]);

describe('approvalGraph', () => {
  it('chains a conditional finance step and a document before the approved end', () => {
    const graph = approvalGraph({
      steps: [manager, { ...finance, when: { id: 'large', label: 'Large?', zh: '大额？', condition: 'record.v > 5' } }],
      document: { id: 'pdf', label: 'PDF', zh: 'PDF', template: 'contract' },
      approved: { id: 'active', set: { status: 'active' } },
    });
    expect(validateGraph(asWorkflow(graph))).toEqual([]);
    expect(targets(graph, 'start')).toEqual([['manager', null]]);
    expect(targets(graph, 'manager')).toEqual([
      ['large', { outcome: 'approved' }],
      ['rejected', { outcome: 'rejected' }],
    ]);
    // Small amounts skip finance and go straight on to the document.
    expect(targets(graph, 'large')).toEqual([
      ['finance', { condition: 'record.v > 5' }],
      ['pdf', { default: true }],
    ]);
    expect(targets(graph, 'pdf')).toEqual([['active', null]]);
    expect(graph.nodes.find((n) => n.id === 'active')?.data).toEqual({
      outcome: 'approved',
      set: { status: 'active' },
    });
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
  });

  it('builds every workflow the templates ship into a valid graph', () => {
    const shipped = {
      ...workflows,
      ...(productSalesTemplate().document.workflows as Record<string, unknown>),
    } as unknown as Record<string, WorkflowDefinition>;
    expect(Object.keys(shipped).length).toBeGreaterThanOrEqual(5);
    for (const [name, w] of Object.entries(shipped)) expect([name, validateGraph(w)]).toEqual([name, []]);
  });
});
