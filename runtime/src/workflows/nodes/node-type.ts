import type { WorkflowNodeHandle, WorkflowNodePalette } from '@forma/metadata/api-types';
import type { MetadataIssue } from '@forma/metadata';
import type { ObjectModel } from '../../model/load-model';
import type { Model } from '../../model/load-model';
import type { RecordData } from '../../scripts';
import type { Run } from '../workflow-env';
import type { Outcome, WorkflowEdge, WorkflowGraph, WorkflowNode } from '../workflow-graph';

/** What a node type's structural check sees: the graph and a way to report a problem. */
export interface GraphCheck {
  graph: WorkflowGraph;
  /** The node's JSON path in the definition (`/nodes/3`). */
  path: string;
  out: WorkflowEdge[];
  incoming: WorkflowEdge[];
  /**
   * Reports a problem at `path`, naming the node (or edge) ids the designer highlights; `code` (and
   * `params`) let the designer say it in the admin's language (`workflowIssues.<code>`).
   */
  issue(path: string, nodes: string[], message: string, code?: string, params?: Record<string, string | number>): void;
}

/** What a node type's model check sees: the workflow's object and model (fields, scripts, roles). */
export interface ModelCheck {
  model: Model;
  object: ObjectModel;
  /** The node's data path (`/nodes/3/data`). */
  path: string;
  issues: MetadataIssue[];
}

/** One simulated visit: the sample record (the node may change it), decisions and the sandbox. */
export interface SimulationVisit {
  graph: WorkflowGraph;
  record: RecordData;
  /** How approval steps decide (approve when not named). */
  decisions: Record<string, Outcome>;
  /** Evaluates expressions over the sample record in the sandbox, as the engine would. */
  evaluate(expressions: string[]): Promise<unknown[]>;
}

/** What a simulated visit did: the edge it leaves by, or the end it reached; and what the step shows. */
export interface SimulatedStep {
  edge?: WorkflowEdge;
  /** An end node: the outcome the walk ends with. */
  end?: Outcome | null;
  decision?: Outcome;
  set?: RecordData;
  /** The record the following nodes see (actions add their fields). */
  record?: RecordData;
}

/**
 * A node type's entry in the designer, as data (the API contract's `WorkflowNodePalette`): its
 * labels, palette order and icon, the data a new node starts with, its outgoing handles, the
 * inspector's fields and the summary on its card. The designer draws every type from this alone,
 * so a plugin's type needs no designer code.
 */
export type PaletteEntry = WorkflowNodePalette;
export type PaletteHandle = WorkflowNodeHandle;

/**
 * One kind of workflow node: how the graph check, the model check, the simulator and the engine
 * treat it, and how the designer offers it. Core types live in this folder (one module each);
 * plugins register more through `nodeTypes` of their definition.
 */
export interface WorkflowNodeType {
  type: string;
  /**
   * Runs without waiting for a person (conditions, actions): a loop made only of automatic nodes
   * would spin, and is refused.
   */
  automatic: boolean;
  /** Structural checks of one node (its edges, its data's shape). */
  validate?(node: WorkflowNode, check: GraphCheck): void;
  /** Checks of what the node names against the model (fields, scripts…), beyond the shared ones. */
  check?(node: WorkflowNode, check: ModelCheck): void;
  simulate(node: WorkflowNode, visit: SimulationVisit): Promise<SimulatedStep>;
  /**
   * Runs a visit inside the transition's transaction: the id of the next node to walk to, or
   * `null` when the walk stops here (waiting for a person, or finished).
   */
  execute(run: Run, node: WorkflowNode): Promise<string | null>;
  palette: PaletteEntry;
}

/** The single edge an automatic node leaves by. */
export const onlyEdge = (graph: WorkflowGraph, node: WorkflowNode): WorkflowEdge | undefined => graph.out(node.id)[0];
