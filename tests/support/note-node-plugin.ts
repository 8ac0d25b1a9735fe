import type { WorkflowNodeType } from '../../platform/src/plugins/plugin-api';
import { recordWorkflowEvent } from '../../platform/src/plugins/plugin-api';

/**
 * A plugin workflow node type for tests: writes a note to the history and moves on (automatic, one
 * outgoing edge). Its palette entry is all the designer gets: a label in two languages, an icon, a
 * text field for the inspector and the summary on the card.
 */
export const noteNode: WorkflowNodeType = {
  type: 'note',
  automatic: true,
  validate(node, c) {
    if (c.out.length !== 1) c.issue(c.path, [node.id], 'a note needs exactly one outgoing edge');
    if (typeof node.data.text !== 'string') c.issue(`${c.path}/data/text`, [node.id], 'a note needs a text');
  },
  async simulate(node, visit) {
    return { edge: visit.graph.out(node.id)[0] };
  },
  async execute(run, node) {
    await recordWorkflowEvent(run, 'note', node.id, { text: node.data.text });
    return run.graph.out(node.id)[0]?.target ?? '';
  },
  palette: {
    label: { en: 'Note', 'zh-CN': '备注' },
    order: 10,
    icon: 'sticky-note',
    color: '#fde68a',
    accent: '#d97706',
    initialData: { text: '' },
    handles: [{ id: 'out', label: { en: 'Next', 'zh-CN': '下一步' } }],
    fields: [
      {
        key: 'text',
        widget: 'textarea',
        label: { en: 'Note text', 'zh-CN': '备注内容' },
        hint: { en: 'Written to the approval history.', 'zh-CN': '写入审批历史。' },
      },
      {
        key: 'tone',
        widget: 'select',
        label: { en: 'Tone', 'zh-CN': '语气' },
        options: [
          { value: 'info', label: { en: 'Information', 'zh-CN': '信息' } },
          { value: 'warning', label: { en: 'Warning', 'zh-CN': '警告' } },
        ],
      },
    ],
    summary: { parts: ['text'] },
  },
};
