import type { WorkflowDefinition } from '@forma/platform/plugin-api';

/**
 * The shape every approval workflow the core CRM ships has: a chain of approval steps, each maybe
 * behind a condition ("Large contract?"), then an optional action (the contract PDF) and the
 * approved end; a rejection at any step ends rejected. Built here once so the templates state only
 * what differs (who approves, above which amount, what the end sets). Output is the React Flow
 * graph of docs/workflows.md, laid out top to bottom.
 */
type Graph = Pick<WorkflowDefinition, 'nodes' | 'edges'>;
type Approver = { managerOf: 'submitter' } | { role: string };

export interface ApprovalStep {
  id: string;
  label: string;
  zh: string;
  approvers: Approver[];
  /** Fields shown to the approver beside the decision. */
  show?: string[];
  escalation?: { after: string; to: Approver };
  /** The step runs only when this holds (a condition node before it); otherwise the chain goes on. */
  when?: { id: string; label: string; zh: string; condition: string };
}

export interface ApprovalGraphSpec {
  steps: ApprovalStep[];
  /** A document generated once every step approved, before the approved end. */
  document?: { id: string; label: string; zh: string; template: string };
  /** End nodes: their ids and the fields each sets on the record. */
  approved?: { id?: string; set?: Record<string, unknown> };
  rejected?: { set?: Record<string, unknown> };
}

const ROW = 120;

export function approvalGraph(spec: ApprovalGraphSpec): Graph {
  const nodes: Graph['nodes'] = [{ id: 'start', type: 'start', position: at(0, 0), data: {} }];
  const edges: Graph['edges'] = [];
  const edge = (source: string, target: string, data?: Record<string, unknown>) =>
    edges.push({ id: `e${edges.length + 1}`, source, target, ...(data ? { data } : {}) });
  const approvedId = spec.approved?.id ?? 'approved';
  const afterSteps = spec.document?.id ?? approvedId;
  // Where each step goes on: its condition node when it has one, otherwise the step itself.
  const entryOf = (i: number) => {
    const step = spec.steps[i];
    return step ? (step.when?.id ?? step.id) : afterSteps;
  };
  const row = () => at(0, nodes.length * ROW);

  for (const step of spec.steps) {
    if (step.when)
      nodes.push({
        id: step.when.id,
        type: 'condition',
        position: row(),
        data: { label: step.when.label, 'x-i18n': { 'zh-CN': { label: step.when.zh } } },
      });
    nodes.push({
      id: step.id,
      type: 'approval',
      position: row(),
      data: {
        label: step.label,
        'x-i18n': { 'zh-CN': { label: step.zh } },
        approvers: step.approvers,
        mode: 'any',
        ...(step.show ? { show: step.show } : {}),
        ...(step.escalation ? { escalation: step.escalation } : {}),
      },
    });
  }
  if (spec.document)
    nodes.push({
      id: spec.document.id,
      type: 'action',
      position: row(),
      data: {
        label: spec.document.label,
        'x-i18n': { 'zh-CN': { label: spec.document.zh } },
        document: spec.document.template,
      },
    });
  const endRow = nodes.length * ROW;
  nodes.push(
    { id: approvedId, type: 'end', position: at(0, endRow), data: end('approved', spec.approved?.set) },
    { id: 'rejected', type: 'end', position: at(260, endRow), data: end('rejected', spec.rejected?.set) },
  );

  edge('start', entryOf(0));
  spec.steps.forEach((step, i) => {
    if (step.when) {
      edge(step.when.id, step.id, { condition: step.when.condition });
      edge(step.when.id, entryOf(i + 1), { default: true });
    }
    edge(step.id, entryOf(i + 1), { outcome: 'approved' });
    edge(step.id, 'rejected', { outcome: 'rejected' });
  });
  if (spec.document) edge(spec.document.id, approvedId);
  return { nodes, edges };
}

const at = (x: number, y: number) => ({ x, y });

const end = (outcome: 'approved' | 'rejected', set: Record<string, unknown> | undefined) => ({
  outcome,
  ...(set ? { set } : {}),
});
