import { type MetadataIssue, validateStructure } from '@forma/metadata';
import type { Ctx } from '../ctx';
import { badRequest, validationFailed } from '../errors';
import type { Model } from '../model/load-model';
import type { RecordData, ScriptEngine, ScriptHost } from '../scripts';
import { formulasFor, saveInputFor } from '../scripts/record-scripts';
import { workflowNodeType } from './nodes/node-registry';
import { validateGraph } from './validate-graph';
import { type Outcome, type WorkflowDefinition, WorkflowGraph } from './workflow-graph';

export interface SimulateInput {
  /** The sample record, as the record would be when submitted. */
  record: RecordData;
  /** An unsaved draft to simulate instead of the stored definition (the designer's canvas). */
  definition?: WorkflowDefinition;
  /** How each approval step decides; steps not named approve. */
  decisions?: Record<string, Outcome>;
}

export interface SimulationStep {
  node: string;
  type: WorkflowDefinition['nodes'][number]['type'];
  /** The edge the walk left this node by (absent at the end). */
  edge?: string;
  /** Approval steps: the decision assumed; actions: the fields they would set. */
  decision?: Outcome;
  set?: RecordData;
}

export interface SimulationResult {
  /** Whether the trigger condition holds for the record (true when there is none). */
  triggered: boolean;
  path: string[];
  edges: string[];
  steps: SimulationStep[];
  /** The end the record reaches; null when the walk did not end (a loop sent back too often). */
  outcome: Outcome | null;
  /** The object's formula fields as a save of the sample would store them (what conditions saw first). */
  computed: RecordData;
}

/** A loop through an approval step ("send back") is legal; simulated decisions repeat, so it is cut here. */
const MAX_HOPS = 200;

/**
 * Walks a workflow for a sample record without touching any data: conditions are evaluated in the
 * script sandbox (the engine's own evaluator, edge order, default last), approval steps take the
 * given decision (approve by default), actions add their `set` fields to the record the following
 * conditions see (scripts are not run): each visit is its node type's `simulate` (nodes/). Nothing
 * is written, no task is created.
 */
export async function simulateWorkflow(
  scripts: ScriptEngine,
  ctx: Ctx,
  model: Model,
  definition: WorkflowDefinition,
  input: Pick<SimulateInput, 'record' | 'decisions'>,
  host?: ScriptHost,
): Promise<SimulationResult> {
  const graph = new WorkflowGraph(definition);
  const { id, email, name, roles, manager } = ctx.user;
  const user = { id, email, name, roles, manager };
  // The sandbox caches compiled expressions by version: a draft gets a key of its own.
  const version = `sim:${model.version}`;
  // A real submission is a saved record: its formulas hold values the admin never typed.
  const computed = await formulaValues(scripts, ctx, model, definition.object, input.record, host);
  let record: RecordData = { ...input.record, ...computed };
  const condition = definition.trigger?.condition;
  const triggered = condition
    ? Boolean((await scripts.evaluateAll(ctx.tenant, version, [condition], { record, user }))[0])
    : true;

  const steps: SimulationStep[] = [];
  const decisions = input.decisions ?? {};
  let node = graph.start();
  for (let hop = 0; node && hop < MAX_HOPS; hop += 1) {
    const step: SimulationStep = { node: node.id, type: node.type };
    steps.push(step);
    const type = workflowNodeType(node.type);
    const visit = {
      graph,
      record,
      decisions,
      evaluate: (expressions: string[]) => scripts.evaluateAll(ctx.tenant, version, expressions, { record, user }),
    };
    // An unknown type (a plugin since removed) is walked through by its first edge.
    const done = type ? await type.simulate(node, visit) : { edge: graph.out(node.id)[0] };
    if (done.end !== undefined) return result(triggered, steps, done.end, computed);
    if (done.decision) step.decision = done.decision;
    if (done.set) step.set = done.set;
    if (done.record)
      record = { ...done.record, ...(await formulaValues(scripts, ctx, model, definition.object, done.record, host)) };
    if (done.edge) step.edge = done.edge.id;
    node = done.edge ? graph.node(done.edge.target) : undefined;
  }
  return result(triggered, steps, null, computed);
}

/**
 * The object's formulas on a draft record, run the way a save runs them (the records engine's
 * sandbox call with only the formulas: declarative and script formulas alike). Values a formula
 * cannot store (NaN, Infinity) become null as on a save.
 */
async function formulaValues(
  scripts: ScriptEngine,
  ctx: Ctx,
  model: Model,
  object: string,
  record: RecordData,
  host: ScriptHost | undefined,
): Promise<RecordData> {
  if (!model.objects.has(object)) return {};
  const formulas = formulasFor(model, object);
  if (!Object.keys(formulas).length) return {};
  const input = { ...saveInputFor(ctx, model, object, record, null), validate: [], beforeSave: [], formulas };
  const { changes } = await scripts.runSave(input, host);
  const out: RecordData = {};
  for (const field of Object.keys(formulas)) {
    const v = changes[field];
    out[field] = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
  }
  return out;
}

function result(
  triggered: boolean,
  steps: SimulationStep[],
  outcome: Outcome | null,
  computed: RecordData,
): SimulationResult {
  return {
    triggered,
    path: steps.map((s) => s.node),
    edges: steps.flatMap((s) => (s.edge ? [s.edge] : [])),
    steps,
    outcome,
    computed,
  };
}

/**
 * The input of `POST /api/meta/workflows/:name/simulate`, checked: a record object, decisions of
 * `approved|rejected`, and a draft definition that is structurally a workflow and a well-formed
 * graph (the same issues, with JSON paths, a save would answer).
 */
export function checkSimulateInput(body: unknown): SimulateInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a JSON object');
  const { record, definition, decisions } = body as Record<string, unknown>;
  if (!record || typeof record !== 'object' || Array.isArray(record))
    throw validationFailed('The sample record must be an object', { '/record': 'must be an object' });
  const out: SimulateInput = { record: record as RecordData };
  if (decisions !== undefined) {
    if (!decisions || typeof decisions !== 'object' || Array.isArray(decisions))
      throw validationFailed('decisions must be an object', { '/decisions': 'must be an object' });
    for (const [k, v] of Object.entries(decisions))
      if (v !== 'approved' && v !== 'rejected')
        throw validationFailed('A decision is "approved" or "rejected"', {
          [`/decisions/${k}`]: 'must be "approved" or "rejected"',
        });
    out.decisions = decisions as Record<string, Outcome>;
  }
  if (definition !== undefined) {
    const structural = validateStructure('workflow', definition, '/definition');
    const issues: MetadataIssue[] = structural.length
      ? structural
      : validateGraph(definition as WorkflowDefinition).map(({ nodes: _nodes, path, ...issue }) => ({
          ...issue,
          path: `/definition${path}`,
        }));
    if (issues.length) {
      const fields: Record<string, string> = {};
      for (const i of issues) fields[i.path] ??= i.message;
      throw validationFailed(
        `The workflow is not valid (${issues.length} problem${issues.length > 1 ? 's' : ''})`,
        fields,
        {
          issues,
        },
      );
    }
    out.definition = definition as WorkflowDefinition;
  }
  return out;
}
