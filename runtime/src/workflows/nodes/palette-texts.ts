import type { LocalText, WorkflowInspectorField } from '@forma/metadata/api-types';

/** Texts several core node types' palette entries share (handles, outcomes). */
export const NEXT: LocalText = { en: 'Next', 'zh-CN': '下一步' };
export const APPROVED: LocalText = { en: 'Approved', 'zh-CN': '通过' };
export const REJECTED: LocalText = { en: 'Rejected', 'zh-CN': '驳回' };

/** A select of `approved` / `rejected` over `data[key]`. */
export const OUTCOME_FIELD = (key: string, label: LocalText): WorkflowInspectorField => ({
  key,
  widget: 'select',
  label,
  options: [
    { value: 'approved', label: APPROVED },
    { value: 'rejected', label: REJECTED },
  ],
});
