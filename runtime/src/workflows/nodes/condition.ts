import { event, scriptUser } from '../transition';
import type { WorkflowEdge } from '../workflow-graph';
import type { WorkflowNodeType } from './node-type';

/** The first edge whose condition holds, in edge order, else the default edge. */
function chooseEdge(edges: WorkflowEdge[], values: unknown[]): WorkflowEdge | undefined {
  const guarded = edges.filter((e) => e.data?.default !== true && e.data?.condition);
  return guarded.find((_e, i) => Boolean(values[i])) ?? edges.find((e) => e.data?.default === true);
}

const conditionsOf = (edges: WorkflowEdge[]) =>
  edges.filter((e) => e.data?.default !== true && e.data?.condition).map((e) => e.data?.condition as string);

/** Branches on expressions over the record: edges in order, the default edge when none holds. */
export const conditionNode: WorkflowNodeType = {
  type: 'condition',
  automatic: true,
  validate(node, c) {
    const defaults = c.out.filter((e) => e.data?.default === true);
    if (defaults.length !== 1)
      c.issue(c.path, [node.id], 'a condition needs exactly one default edge', 'condition_default');
    for (const e of c.out)
      if (e.data?.default !== true && !e.data?.condition?.trim())
        c.issue(
          c.path,
          [node.id, e.id],
          'every non-default edge of a condition needs data.condition',
          'condition_branch_empty',
        );
  },
  async simulate(node, visit) {
    const out = visit.graph.out(node.id);
    return { edge: chooseEdge(out, await visit.evaluate(conditionsOf(out))) };
  },
  async execute(run, node) {
    const edges = run.graph.out(node.id);
    const values = await run.env.scripts.evaluateAll(
      run.ctx.tenant,
      `wf:${run.instance.meta_version}`,
      conditionsOf(edges),
      { record: run.record, user: scriptUser(run) },
    );
    const hit = chooseEdge(edges, values);
    await event(run, 'branch', node.id, { edge: hit?.id });
    return hit?.target ?? '';
  },
  palette: {
    label: { en: 'Condition', 'zh-CN': '条件' },
    order: 2,
    icon: 'git-fork',
    color: '#fcd34d',
    accent: '#f59e0b',
    handles: [
      { id: 'branch', label: { en: 'If', 'zh-CN': '如果' }, edgeData: { condition: '' }, multiple: true },
      { id: 'default', label: { en: 'Otherwise', 'zh-CN': '否则' }, edgeData: { default: true } },
    ],
    fields: [{ widget: 'branches' }],
    edgeFields: [{ widget: 'branch-condition' }],
    summary: { parts: ['$branches'] },
  },
};
