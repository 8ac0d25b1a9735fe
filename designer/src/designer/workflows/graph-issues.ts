import type { WorkflowDefinition } from './workflow-model';

export interface GraphProblem {
  path?: string;
  message: string;
  code?: string;
  params?: Record<string, string | number>;
}

/** Says a coded problem in the admin's language; undefined when the code has no text (a plugin's own). */
export type ProblemText = (code: string, params: Record<string, string | number>) => string | undefined;

export interface GraphIssues {
  /** Messages per node or edge id, for marking them on the canvas. */
  byElement: Map<string, string[]>;
  /** Problems of the workflow as a whole (trigger, object, label). */
  general: string[];
}

const BRACKETS = /^\[([^\]]+)\]\s*/;

/**
 * Reads the server's validation issues (`[dir, e7] an approval step needs…` with JSON paths such
 * as `/workflows/large_deal/nodes/3/data/approvers`) into messages per node or edge id. The ids in
 * brackets win; otherwise the node or edge index in the path names the element. A problem the
 * server coded is said by `text` (sentences for admins, not `data.condition`).
 */
export function graphIssues(def: WorkflowDefinition, problems: GraphProblem[], text?: ProblemText): GraphIssues {
  const byElement = new Map<string, string[]>();
  const general: string[] = [];
  const add = (id: string, message: string) => byElement.set(id, [...(byElement.get(id) ?? []), message]);
  for (const p of problems) {
    const bracket = BRACKETS.exec(p.message);
    const message = (p.code && text?.(p.code, p.params ?? {})) || p.message.replace(BRACKETS, '');
    const ids = bracket?.[1]
      ? bracket[1]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : idsFromPath(def, p.path);
    if (ids.length) for (const id of ids) add(id, message);
    else general.push(p.path ? `${shortPath(p.path)}: ${message}` : message);
  }
  return { byElement, general };
}

function idsFromPath(def: WorkflowDefinition, path: string | undefined): string[] {
  const m = /\/(nodes|edges)\/(\d+)(?:\/|$)/.exec(path ?? '');
  if (!m) return [];
  const list = m[1] === 'nodes' ? def.nodes : def.edges;
  const el = list[Number(m[2])];
  return el ? [el.id] : [];
}

/** `/workflows/large_deal/trigger/condition` → `trigger/condition`. */
function shortPath(path: string): string {
  return path.replace(/^\/(workflows|definition)(\/[^/]+)?\//, '').replace(/^\//, '');
}
