import { Trash2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button, TextField } from '../../ui';
import { CheckField, SelectField, TextAreaField } from '../objects/controls';
import { i18nTitle, withI18nTitle } from '../objects/field-catalog';
import { type ApproverChoices, roleLabelOf } from './approver-editor';
import { EdgeInspectorFields, NodeInspectorFields } from './inspector-fields';
import { localText, typeLabel, useNodeCatalog } from './node-catalog';
import type { EdgeData, NodeData, WfEdge, WfNode, WorkflowDefinition } from './workflow-model';

export interface FieldChoice {
  name: string;
  label: string;
  enum?: unknown[];
  type?: string;
}

export interface PropertyChoices extends ApproverChoices {
  objects: Array<{ name: string; label: string }>;
  fields: FieldChoice[];
  /** Every field of the object a send-back after approval may watch (computed ones and line items too). */
  watchFields: Array<{ name: string; label: string }>;
  /** Action scripts of the object, by name, with what people read. */
  scripts: Array<{ value: string; label: string }>;
}

/** The workflow as a whole: label, object, whether it is active, and when it starts. */
type I18nMap = Record<string, Record<string, unknown>>;
type I18nDef = WorkflowDefinition & { 'x-i18n'?: I18nMap };

/** The step's Chinese name (`data.x-i18n["zh-CN"].label`), shown to approvers who work in Chinese. */
function zhStepLabel(d: NodeData): string {
  const v = (d['x-i18n'] as I18nMap | undefined)?.['zh-CN']?.label;
  return typeof v === 'string' ? v : '';
}

function withZhStepLabel(d: NodeData, value: string): Partial<NodeData> {
  const i18n: I18nMap = { ...((d['x-i18n'] as I18nMap | undefined) ?? {}) };
  const entry: Record<string, unknown> = { ...(i18n['zh-CN'] ?? {}) };
  if (value.trim()) entry.label = value;
  else delete entry.label;
  if (Object.keys(entry).length) i18n['zh-CN'] = entry;
  else delete i18n['zh-CN'];
  return { 'x-i18n': Object.keys(i18n).length ? i18n : undefined };
}

export function WorkflowSettings({
  def,
  onChange,
  choices,
  issues,
}: {
  def: WorkflowDefinition;
  onChange: (def: WorkflowDefinition) => void;
  choices: PropertyChoices;
  issues: string[];
}) {
  const { t } = useTranslation();
  return (
    <div className="f-wf-props">
      <h2 className="f-wf-props__title">{t('workflowDesigner.workflowSettings')}</h2>
      {issues.length > 0 && (
        <ul className="f-wf-props__issues">
          {issues.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <TextField
        label={t('workflowDesigner.label')}
        value={def.label}
        onChange={(e) => onChange({ ...def, label: e.target.value })}
      />
      <TextField
        label={t('i18nContent.stepLabelZh')}
        lang="zh-CN"
        value={i18nTitle(def as I18nDef, 'zh-CN')}
        onChange={(e) => onChange(withI18nTitle(def as I18nDef, 'zh-CN', e.target.value) as WorkflowDefinition)}
      />
      <SelectField
        label={t('workflowDesigner.object')}
        value={def.object}
        options={choices.objects.map((o) => ({ value: o.name, label: o.label }))}
        onChange={(object) => onChange({ ...def, object })}
      />
      <CheckField
        label={t('workflowDesigner.active')}
        checked={def.active !== false}
        onChange={(active) => onChange({ ...def, active })}
        hint={t('workflowDesigner.activeHint')}
      />
      <SelectField
        label={t('workflowDesigner.triggerOn')}
        value={def.trigger?.on ?? 'submit'}
        options={(['submit', 'create', 'update', 'save'] as const).map((on) => ({
          value: on,
          label: t(`workflowDesigner.on_${on}` as const),
        }))}
        onChange={(on) => onChange({ ...def, trigger: { ...def.trigger, on: on as 'submit' } })}
      />
      <TextAreaField
        label={t('workflowDesigner.triggerCondition')}
        value={def.trigger?.condition ?? ''}
        mono
        rows={2}
        placeholder="record.amount > 100000"
        hint={t('workflowDesigner.expressionHint')}
        onChange={(condition) => {
          const { condition: _old, ...rest } = def.trigger ?? { on: 'submit' as const };
          onChange({ ...def, trigger: { ...rest, ...(condition.trim() ? { condition } : {}) } });
        }}
      />
      <AfterApprovalEditor def={def} onChange={onChange} choices={choices} />
      <SelectField
        label={t('workflowDesigner.fallbackRole')}
        value={def.fallbackRole ?? ''}
        options={[
          { value: '', label: t('workflowDesigner.fallbackAdmins') },
          ...choices.roles.filter((r) => r !== 'admin').map((r) => ({ value: r, label: roleLabelOf(choices, r) })),
        ]}
        hint={t('workflowDesigner.fallbackRoleHint')}
        onChange={(role) => {
          const { fallbackRole: _old, ...rest } = def;
          onChange(role ? { ...rest, fallbackRole: role } : (rest as WorkflowDefinition));
        }}
      />
    </div>
  );
}

/** What the final approval leaves behind: an editable record, a locked one, or one that goes back when listed fields change. */
function AfterApprovalEditor({
  def,
  onChange,
  choices,
}: {
  def: WorkflowDefinition;
  onChange: (def: WorkflowDefinition) => void;
  choices: PropertyChoices;
}) {
  const { t } = useTranslation();
  const mode = def.afterApproval?.mode ?? 'none';
  const fields = def.afterApproval?.fields ?? [];
  const setAfter = (next: WorkflowDefinition['afterApproval']) => {
    const { afterApproval: _old, ...rest } = def;
    onChange(next && next.mode !== 'none' ? { ...rest, afterApproval: next } : (rest as WorkflowDefinition));
  };
  return (
    <div className="f-wf-props">
      <SelectField
        label={t('workflowDesigner.afterApproval')}
        value={mode}
        options={(['none', 'lock', 'reapprove'] as const).map((m) => ({
          value: m,
          label: t(`workflowDesigner.after_${m}` as const),
        }))}
        hint={t(`workflowDesigner.after_${mode}Hint` as const)}
        onChange={(m) => setAfter(m === 'reapprove' ? { mode: 'reapprove', fields } : { mode: m as 'none' | 'lock' })}
      />
      {mode === 'reapprove' && (
        <fieldset className="f-wf-fieldset">
          <legend>{t('workflowDesigner.reapproveFields')}</legend>
          {choices.watchFields.map((f) => (
            <CheckField
              key={f.name}
              label={f.label}
              checked={fields.includes(f.name)}
              onChange={(on) =>
                setAfter({
                  mode: 'reapprove',
                  fields: on ? [...fields, f.name] : fields.filter((x) => x !== f.name),
                })
              }
            />
          ))}
        </fieldset>
      )}
    </div>
  );
}

/**
 * A selected step: its label (every step but the entry), then the inspector fields its type's palette
 * entry lists (docs/workflows.md), then delete. Nothing here is written per type.
 */
export function NodeProperties({
  def,
  node,
  issues,
  choices,
  onNode,
  onEdge,
  onDelete,
}: {
  def: WorkflowDefinition;
  node: WfNode;
  issues: string[];
  choices: PropertyChoices;
  onNode: (data: NodeData) => void;
  onEdge: (id: string, data: EdgeData) => void;
  onDelete: () => void;
}) {
  const { t, i18n } = useTranslation();
  const catalog = useNodeCatalog();
  const palette = catalog.get(node.type)?.palette;
  const entry = palette?.entry === true;
  const d = node.data;
  const set = (patch: Partial<NodeData>) => {
    const next: NodeData = { ...d, ...patch };
    for (const k of Object.keys(patch)) if (next[k] === undefined) delete next[k];
    onNode(next);
  };
  return (
    <div className="f-wf-props">
      <h2 className="f-wf-props__title">
        {typeLabel(catalog, node.type, i18n.language)} <code>{node.id}</code>
      </h2>
      {issues.length > 0 && (
        <ul className="f-wf-props__issues" aria-label={t('workflowDesigner.problems')}>
          {issues.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {!entry && (
        <TextField
          label={t('workflowDesigner.stepLabel')}
          value={d.label ?? ''}
          onChange={(e) => set({ label: e.target.value || undefined })}
        />
      )}
      {!entry && (
        <TextField
          label={t('i18nContent.stepLabelZh')}
          lang="zh-CN"
          value={zhStepLabel(d)}
          onChange={(e) => set(withZhStepLabel(d, e.target.value))}
        />
      )}
      {palette?.hint && <p className="f-field__hint">{localText(palette.hint, i18n.language)}</p>}
      <NodeInspectorFields
        fields={palette?.fields ?? []}
        def={def}
        node={node}
        choices={choices}
        set={set}
        onEdge={onEdge}
      />
      {!entry && (
        <Button variant="danger" icon={<Trash2 size={15} aria-hidden="true" />} onClick={onDelete}>
          {t('workflowDesigner.deleteStep')}
        </Button>
      )}
    </div>
  );
}

/** A selected edge: the fields the node it leaves gives its edges (an outcome, a condition), and delete. */
export function EdgeProperties({
  def,
  edge,
  issues,
  onChange,
  onDelete,
}: {
  def: WorkflowDefinition;
  edge: WfEdge;
  issues: string[];
  onChange: (data: EdgeData | undefined) => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const catalog = useNodeCatalog();
  const source = def.nodes.find((n) => n.id === edge.source);
  return (
    <div className="f-wf-props">
      <h2 className="f-wf-props__title">
        {t('workflowDesigner.edge')} <code>{edge.id}</code>
      </h2>
      <p className="f-field__hint">
        <code>{edge.source}</code> → <code>{edge.target}</code>
      </p>
      {issues.length > 0 && (
        <ul className="f-wf-props__issues">
          {issues.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <EdgeInspectorFields
        fields={(source && catalog.get(source.type)?.palette.edgeFields) || []}
        edge={edge}
        onChange={onChange}
      />
      <Button variant="danger" icon={<Trash2 size={15} aria-hidden="true" />} onClick={onDelete}>
        {t('workflowDesigner.deleteEdge')}
      </Button>
    </div>
  );
}
