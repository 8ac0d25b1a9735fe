import type { WorkflowNodeTypeInfo } from '@forma/metadata/api-types';
import { actionNode } from './action';
import { approvalNode } from './approval';
import { conditionNode } from './condition';
import { endNode } from './end';
import type { WorkflowNodeType } from './node-type';
import { startNode } from './start';

const CORE: readonly WorkflowNodeType[] = [startNode, approvalNode, conditionNode, actionNode, endNode];
const registry = new Map<string, WorkflowNodeType>(CORE.map((t) => [t.type, t]));

const TYPE_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Adds a workflow node type (plugins, through `nodeTypes`); returns its removal. A name that is taken
 * (a core type or another plugin's) is refused, so nobody silently changes what a stored graph means.
 */
export function registerWorkflowNodeType(type: WorkflowNodeType): () => void {
  if (!TYPE_NAME.test(type.type)) throw new Error(`Workflow node type "${type.type}" must match ${TYPE_NAME}`);
  if (registry.has(type.type)) throw new Error(`Workflow node type "${type.type}" is already registered`);
  if (typeof type.execute !== 'function' || typeof type.simulate !== 'function')
    throw new Error(`Workflow node type "${type.type}" needs execute and simulate`);
  registry.set(type.type, type);
  return () => {
    if (registry.get(type.type) === type) registry.delete(type.type);
  };
}

export function workflowNodeType(type: string): WorkflowNodeType | undefined {
  return registry.get(type);
}

export function workflowNodeTypes(): WorkflowNodeType[] {
  return [...registry.values()];
}

/**
 * What the designer needs of every registered type (the core ones and plugins'), palette order
 * first, then by name: `GET /api/meta/workflow-node-types`.
 */
export function workflowNodeTypeInfos(): WorkflowNodeTypeInfo[] {
  return workflowNodeTypes()
    .map((t) => ({ type: t.type, automatic: t.automatic, palette: t.palette }))
    .sort(
      (a, b) =>
        (a.palette.order ?? Number.POSITIVE_INFINITY) - (b.palette.order ?? Number.POSITIVE_INFINITY) ||
        a.type.localeCompare(b.type),
    );
}
