import { NEXT } from './palette-texts';
import { onlyEdge, type WorkflowNodeType } from './node-type';

/** Where every walk begins: exactly one per workflow, no incoming edge, one outgoing edge. */
export const startNode: WorkflowNodeType = {
  type: 'start',
  automatic: false,
  validate(node, c) {
    if (c.incoming.length) c.issue(c.path, [node.id], 'the start node cannot have incoming edges', 'start_incoming');
    if (c.out.length !== 1) c.issue(c.path, [node.id], 'the start node needs exactly one outgoing edge', 'start_out');
  },
  async simulate(node, visit) {
    return { edge: onlyEdge(visit.graph, node) };
  },
  async execute(run, node) {
    return run.graph.out(node.id)[0]?.target ?? '';
  },
  palette: {
    label: { en: 'Start', 'zh-CN': '开始' },
    order: 5,
    icon: 'play',
    color: '#7dd3fc',
    accent: '#0ea5e9',
    entry: true,
    hint: {
      en: 'Where every approval begins. Connect it to the first step.',
      'zh-CN': '每个审批从这里开始。把它连到第一个步骤。',
    },
    handles: [{ id: 'out', label: NEXT }],
    summary: { parts: ['$trigger'] },
  },
};
