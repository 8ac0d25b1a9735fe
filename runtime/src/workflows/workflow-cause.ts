import { type ChangeCause, changeCause } from '../change-cause';
import type { Ctx } from '../ctx';
import type { Run } from './workflow-env';
import type { WorkflowDefinition, WorkflowNode } from './workflow-graph';

/** Why a transition runs, set by its entry point: a submit, a decision, a recall, an escalation. */
export interface TransitionReason {
  /** Follows the workflow's name: ` submitted by Rob`, `, step "Manager review" approved by Mia`. */
  text: string;
  ref: Record<string, string>;
}

export function submitReason(ctx: Ctx, on?: 'create' | 'update'): TransitionReason {
  return { text: on ? ` started by a save of ${ctx.user.name}` : ` submitted by ${ctx.user.name}`, ref: {} };
}

export function recallReason(ctx: Ctx): TransitionReason {
  return { text: ` recalled by ${ctx.user.name}`, ref: {} };
}

/** A step decided by a person, or by its escalation (`by` absent). */
export function decisionReason(
  definition: WorkflowDefinition,
  step: string,
  decision: string,
  by?: string,
): TransitionReason {
  const label = definition.nodes.find((n) => n.id === step)?.data.label ?? step;
  return {
    text: `, step "${label}" ${decision} ${by === undefined ? 'on escalation' : `by ${by}`}`,
    ref: { step, decision },
  };
}

/** The cause written with a workflow's change of its record: the transition's reason and the node writing. */
export function workflowCause(run: Run, node?: WorkflowNode): ChangeCause {
  return changeCause('workflow', `workflow ${run.instance.workflow}${run.reason.text}`, {
    workflow: run.instance.workflow,
    instance: run.instance.id,
    ...run.reason.ref,
    ...(node ? { node: node.id } : {}),
  });
}
