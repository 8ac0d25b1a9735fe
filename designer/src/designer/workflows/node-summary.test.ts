import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { type WorkflowNodeTypeInfo, catalogOf } from './node-catalog';
import { summaryOf } from './node-summary';
import type { WfNode, WorkflowDefinition } from './workflow-model';

/** The card's summary line is built from the type's `summary` parts, never from the type's name. */
const t = ((key: string, o?: { count?: number }) => (o?.count !== undefined ? `${key}:${o.count}` : key)) as TFunction;
const info = (type: string, palette: Partial<WorkflowNodeTypeInfo['palette']>): WorkflowNodeTypeInfo => ({
  type,
  automatic: false,
  palette: { label: { en: type }, icon: 'box', handles: [], ...palette },
});
const yesNo = [
  { value: 'approved', label: { en: 'Approved', 'zh-CN': '通过' } },
  { value: 'rejected', label: { en: 'Rejected', 'zh-CN': '驳回' } },
];
const catalog = catalogOf([
  info('gate', {
    fields: [
      { key: 'approvers', widget: 'approvers' },
      {
        key: 'mode',
        widget: 'select',
        options: [
          { value: 'any', label: { en: 'Any' } },
          { value: 'all', label: { en: 'All', 'zh-CN': '全部' } },
        ],
      },
    ],
    summary: { parts: ['approvers', 'mode:all'], separator: ' · ' },
  }),
  info('finish', {
    fields: [
      { key: 'outcome', widget: 'select', options: yesNo },
      { key: 'set', widget: 'field-values' },
    ],
    summary: { parts: ['outcome', 'set'] },
  }),
  info('fork', { summary: { parts: ['$branches'] } }),
  info('begin', { summary: { parts: ['$trigger'] } }),
  info('note', { fields: [{ key: 'text', widget: 'textarea' }], summary: { parts: ['text'] } }),
  info('bare', {}),
]);
const node = (type: string, data: Record<string, unknown> = {}): WfNode => ({
  id: `${type}1`,
  type,
  position: { x: 0, y: 0 },
  data,
});
const def = (patch: Partial<WorkflowDefinition> = {}): WorkflowDefinition => ({
  object: 'deal',
  label: 'D',
  nodes: [],
  edges: [
    { id: 'e1', source: 'fork1', target: 'a' },
    { id: 'e2', source: 'fork1', target: 'b', data: { default: true } },
  ],
  ...patch,
});
const describeApprover = (a: unknown) => JSON.stringify(a);
const sum = (n: WfNode, lang = 'en', d = def()) => summaryOf(n, d, catalog, describeApprover as never, t, lang);

describe('node summary', () => {
  it('shows approvers, and a select only when a `key:value` part matches', () => {
    expect(sum(node('gate', { approvers: [{ role: 'boss' }], mode: 'any' }))).toBe('{"role":"boss"}');
    expect(sum(node('gate', { approvers: [{ role: 'boss' }], mode: 'all' }), 'zh-CN')).toBe('{"role":"boss"} · 全部');
    expect(sum(node('gate', { approvers: [] }))).toBe('workflowDesigner.noApprovers');
  });

  it('shows an option by its label and field values one by one, with the default separator', () => {
    expect(sum(node('finish', { outcome: 'approved', set: { stage: 'won', amount: 3 } }))).toBe(
      'Approved · stage = won · amount = 3',
    );
    expect(sum(node('finish', { outcome: 'nonsense' }))).toBe('');
  });

  it('counts the edges leaving a node and describes the trigger', () => {
    expect(sum(node('fork'))).toBe('workflowDesigner.branchCount:2');
    expect(sum(node('begin'))).toBe('workflowDesigner.onSubmit');
    expect(sum(node('begin'), 'en', def({ trigger: { on: 'submit', condition: 'record.a > 1' } }))).toBe(
      'workflowDesigner.when record.a > 1',
    );
  });

  it("shows a plain field's value, and nothing for a type without summary or an unknown type", () => {
    expect(sum(node('note', { text: 'Call first' }))).toBe('Call first');
    expect(sum(node('note', { text: '' }))).toBe('');
    expect(sum(node('bare', { text: 'x' }))).toBe('');
    expect(sum(node('gone', { text: 'x' }))).toBe('');
  });
});
