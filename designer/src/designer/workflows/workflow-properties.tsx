import { Plus, Trash2 } from 'lucide-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, IconButton, TextField } from '../../ui';
import { CheckField, SelectField, TextAreaField } from '../objects/controls';
import { i18nTitle, withI18nTitle } from '../objects/field-catalog';
import { type ApproverChoices, ApproverListEditor, ApproverRow } from './approver-editor';
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
  /** Role names as people read them (the role's label). */
  roleLabels?: Record<string, string>;
  scripts: string[];
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
          ...choices.roles.filter((r) => r !== 'admin').map((r) => ({ value: r, label: choices.roleLabels?.[r] ?? r })),
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

/** Everything a selected step can be: approval, condition, action, end (start has nothing to set). */
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
  const { t } = useTranslation();
  const d = node.data;
  const set = (patch: Partial<NodeData>) => {
    const next: NodeData = { ...d, ...patch };
    for (const k of Object.keys(patch)) if (next[k] === undefined) delete next[k];
    onNode(next);
  };
  const targetLabel = (id: string) => {
    const n = def.nodes.find((x) => x.id === id);
    return n ? n.data.label || `${t(`workflowDesigner.type_${n.type}` as const)} (${n.id})` : id;
  };
  return (
    <div className="f-wf-props">
      <h2 className="f-wf-props__title">
        {t(`workflowDesigner.type_${node.type}` as const)} <code>{node.id}</code>
      </h2>
      {issues.length > 0 && (
        <ul className="f-wf-props__issues" aria-label={t('workflowDesigner.problems')}>
          {issues.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {node.type !== 'start' && (
        <TextField
          label={t('workflowDesigner.stepLabel')}
          value={d.label ?? ''}
          onChange={(e) => set({ label: e.target.value || undefined })}
        />
      )}
      {node.type !== 'start' && (
        <TextField
          label={t('i18nContent.stepLabelZh')}
          lang="zh-CN"
          value={zhStepLabel(d)}
          onChange={(e) => set(withZhStepLabel(d, e.target.value))}
        />
      )}
      {node.type === 'start' && <p className="f-field__hint">{t('workflowDesigner.startHint')}</p>}
      {node.type === 'approval' && (
        <>
          <ApproverListEditor
            value={d.approvers ?? []}
            onChange={(approvers) => set({ approvers })}
            choices={choices}
          />
          <SelectField
            label={t('workflowDesigner.mode')}
            value={d.mode ?? 'any'}
            options={[
              { value: 'any', label: t('workflowDesigner.mode_any') },
              { value: 'all', label: t('workflowDesigner.mode_all') },
            ]}
            onChange={(mode) => set({ mode: mode as 'any' | 'all' })}
          />
          <EscalationEditor data={d} set={set} choices={choices} />
        </>
      )}
      {node.type === 'condition' && (
        <fieldset className="f-wf-fieldset">
          <legend>{t('workflowDesigner.branches')}</legend>
          {def.edges.filter((e) => e.source === node.id).length === 0 && (
            <p className="f-field__hint">{t('workflowDesigner.noBranches')}</p>
          )}
          {def.edges
            .filter((e) => e.source === node.id)
            .map((e) =>
              e.data?.default ? (
                <p key={e.id} className="f-wf-branch f-wf-branch--default">
                  {t('workflowDesigner.otherwise')} → {targetLabel(e.target)}
                </p>
              ) : (
                <TextAreaField
                  key={e.id}
                  label={t('workflowDesigner.branchTo', { target: targetLabel(e.target) })}
                  value={e.data?.condition ?? ''}
                  mono
                  rows={2}
                  placeholder="record.amount > 100000"
                  onChange={(condition) => onEdge(e.id, { ...e.data, condition })}
                />
              ),
            )}
          <p className="f-field__hint">{t('workflowDesigner.branchHint')}</p>
        </fieldset>
      )}
      {node.type === 'action' && (
        <>
          <FieldValuesEditor
            value={d.set ?? {}}
            onChange={(s) => set({ set: Object.keys(s).length ? s : undefined })}
            fields={choices.fields}
          />
          <SelectField
            label={t('workflowDesigner.script')}
            value={d.script ?? ''}
            options={[
              { value: '', label: t('workflowDesigner.noScript') },
              ...choices.scripts.map((s) => ({ value: s, label: s })),
            ]}
            onChange={(script) => set({ script: script || undefined })}
          />
        </>
      )}
      {node.type === 'end' && (
        <>
          <SelectField
            label={t('workflowDesigner.outcome')}
            value={d.outcome ?? 'approved'}
            options={[
              { value: 'approved', label: t('workflowDesigner.outcome_approved') },
              { value: 'rejected', label: t('workflowDesigner.outcome_rejected') },
            ]}
            onChange={(outcome) => set({ outcome: outcome as 'approved' | 'rejected' })}
          />
          <FieldValuesEditor
            value={d.set ?? {}}
            onChange={(s) => set({ set: Object.keys(s).length ? s : undefined })}
            fields={choices.fields}
          />
        </>
      )}
      {node.type !== 'start' && (
        <Button variant="danger" icon={<Trash2 size={15} aria-hidden="true" />} onClick={onDelete}>
          {t('workflowDesigner.deleteStep')}
        </Button>
      )}
    </div>
  );
}

function EscalationEditor({
  data,
  set,
  choices,
}: {
  data: NodeData;
  set: (patch: Partial<NodeData>) => void;
  choices: ApproverChoices;
}) {
  const { t } = useTranslation();
  const esc = data.escalation;
  const action = esc?.decide ?? (esc ? 'reassign' : '');
  return (
    <fieldset className="f-wf-fieldset">
      <legend>{t('workflowDesigner.escalation')}</legend>
      <CheckField
        label={t('workflowDesigner.escalate')}
        checked={!!esc}
        onChange={(on) => set({ escalation: on ? { after: 'PT48H', to: { managerOf: 'submitter' } } : undefined })}
      />
      {esc && (
        <>
          <TextField
            label={t('workflowDesigner.escalateAfter')}
            value={esc.after}
            hint={t('workflowDesigner.durationHint')}
            onChange={(e) => set({ escalation: { ...esc, after: e.target.value.toUpperCase() } })}
          />
          <SelectField
            label={t('workflowDesigner.escalateAction')}
            value={action}
            options={[
              { value: 'reassign', label: t('workflowDesigner.escalate_reassign') },
              { value: 'approved', label: t('workflowDesigner.escalate_approved') },
              { value: 'rejected', label: t('workflowDesigner.escalate_rejected') },
            ]}
            onChange={(v) =>
              set({
                escalation:
                  v === 'reassign'
                    ? { after: esc.after, to: { managerOf: 'submitter' } }
                    : { after: esc.after, decide: v as 'approved' | 'rejected' },
              })
            }
          />
          {esc.to && (
            <ApproverRow
              label={t('workflowDesigner.escalateTo')}
              value={esc.to}
              choices={choices}
              onChange={(to) => set({ escalation: { after: esc.after, to } })}
            />
          )}
        </>
      )}
    </fieldset>
  );
}

/** JSON-ish typing of a value typed in a box: numbers and booleans for such fields, text otherwise. */
export function parseFieldValue(raw: string, field: FieldChoice | undefined): unknown {
  const type = field?.type;
  if ((type === 'number' || type === 'integer') && raw.trim() !== '' && Number.isFinite(Number(raw)))
    return Number(raw);
  if (type === 'boolean') return raw === 'true';
  return raw;
}

/** `set: {field: value}` of action and end nodes: pick a field, give it a value. */
function FieldValuesEditor({
  value,
  onChange,
  fields,
}: {
  value: Record<string, unknown>;
  onChange: (v: Record<string, unknown>) => void;
  fields: FieldChoice[];
}) {
  const { t } = useTranslation();
  const id = useId();
  const entries = Object.entries(value);
  const free = fields.filter((f) => !(f.name in value));
  const rename = (from: string, to: string) =>
    onChange(Object.fromEntries(entries.map(([k, v]) => (k === from ? [to, v] : [k, v]))));
  return (
    <fieldset className="f-wf-fieldset">
      <legend>{t('workflowDesigner.setFields')}</legend>
      {entries.map(([name, v], i) => {
        const field = fields.find((f) => f.name === name);
        return (
          <div key={name} className="f-wf-setrow">
            <select
              className="f-input__control f-wf-select"
              aria-label={t('workflowDesigner.fieldN', { n: i + 1 })}
              value={name}
              onChange={(e) => rename(name, e.target.value)}
            >
              {[field ?? { name, label: name }, ...free].map((f) => (
                <option key={f.name} value={f.name}>
                  {f.label}
                </option>
              ))}
            </select>
            {field?.enum ? (
              <select
                className="f-input__control f-wf-select"
                aria-label={t('workflowDesigner.valueN', { n: i + 1 })}
                value={String(v ?? '')}
                onChange={(e) => onChange({ ...value, [name]: e.target.value })}
              >
                {field.enum.map((o) => (
                  <option key={String(o)} value={String(o)}>
                    {String(o)}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`${id}-${i}`}
                className="f-input__control"
                aria-label={t('workflowDesigner.valueN', { n: i + 1 })}
                value={v === null || v === undefined ? '' : String(v)}
                onChange={(e) => onChange({ ...value, [name]: parseFieldValue(e.target.value, field) })}
              />
            )}
            <IconButton
              label={t('workflowDesigner.removeField')}
              icon={<Trash2 size={15} aria-hidden="true" />}
              onClick={() => onChange(Object.fromEntries(entries.filter(([k]) => k !== name)))}
            />
          </div>
        );
      })}
      {free.length > 0 && (
        <button
          type="button"
          className="f-wf-add"
          onClick={() => {
            const f = free[0] as FieldChoice;
            onChange({
              ...value,
              [f.name]: f.enum?.[0] ?? (f.type === 'number' ? 0 : f.type === 'boolean' ? true : ''),
            });
          }}
        >
          <Plus size={14} aria-hidden="true" /> {t('workflowDesigner.addField')}
        </button>
      )}
    </fieldset>
  );
}

/** A selected edge: its outcome, condition or default flag, and delete. */
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
      {source?.type === 'approval' && (
        <SelectField
          label={t('workflowDesigner.edgeOutcome')}
          value={edge.data?.outcome ?? 'approved'}
          options={[
            { value: 'approved', label: t('workflowDesigner.outcome_approved') },
            { value: 'rejected', label: t('workflowDesigner.outcome_rejected') },
          ]}
          onChange={(outcome) => onChange({ ...edge.data, outcome: outcome as 'approved' })}
        />
      )}
      {source?.type === 'condition' && (
        <>
          <CheckField
            label={t('workflowDesigner.defaultBranch')}
            checked={edge.data?.default === true}
            onChange={(on) => onChange(on ? { default: true } : { condition: '' })}
          />
          {!edge.data?.default && (
            <TextAreaField
              label={t('workflowDesigner.condition')}
              value={edge.data?.condition ?? ''}
              mono
              rows={2}
              placeholder="record.amount > 100000"
              hint={t('workflowDesigner.expressionHint')}
              onChange={(condition) => onChange({ ...edge.data, condition })}
            />
          )}
        </>
      )}
      <Button variant="danger" icon={<Trash2 size={15} aria-hidden="true" />} onClick={onDelete}>
        {t('workflowDesigner.deleteEdge')}
      </Button>
    </div>
  );
}
