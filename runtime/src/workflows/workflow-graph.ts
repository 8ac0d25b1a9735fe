import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from '@forma/metadata';

export type { WorkflowDefinition, WorkflowEdge, WorkflowNode };
export type Approver = NonNullable<WorkflowNode['data']['approvers']>[number];
export type Outcome = 'approved' | 'rejected';

/** Lookups over one definition's nodes and edges (built once per use, never mutated). */
export class WorkflowGraph {
  readonly nodes = new Map<string, WorkflowNode>();
  readonly outgoing = new Map<string, WorkflowEdge[]>();
  readonly incoming = new Map<string, WorkflowEdge[]>();

  constructor(readonly definition: WorkflowDefinition) {
    for (const n of definition.nodes) if (!this.nodes.has(n.id)) this.nodes.set(n.id, n);
    for (const e of definition.edges) {
      push(this.outgoing, e.source, e);
      push(this.incoming, e.target, e);
    }
  }

  start(): WorkflowNode | undefined {
    return this.definition.nodes.find((n) => n.type === 'start');
  }

  node(id: string): WorkflowNode | undefined {
    return this.nodes.get(id);
  }

  out(id: string): WorkflowEdge[] {
    return this.outgoing.get(id) ?? [];
  }

  /** The edge an approval step leaves by for an outcome. */
  outcomeEdge(id: string, outcome: Outcome): WorkflowEdge | undefined {
    return this.out(id).find((e) => e.data?.outcome === outcome);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
