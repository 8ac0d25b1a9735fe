import type { WorkflowInspectorField } from '@forma/metadata/api-types';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../ui';
import { CheckField, SelectField, TextAreaField } from '../objects/controls';
import { ApproverListEditor } from './approver-editor';
import { EscalationEditor, FieldValuesEditor } from './data-editors';
import { localText, typeLabel, useNodeCatalog } from './node-catalog';
import type { Approver, EdgeData, NodeData, WfEdge, WfNode, WorkflowDefinition } from './workflow-model';
import type { PropertyChoices } from './workflow-properties';

type Data = Record<string, unknown>;

interface PlainProps {
  field: WorkflowInspectorField;
  value: unknown;
  onChange: (value: unknown) => void;
}

/**
 * A plain control drawn from its description alone (what a plugin's node type uses): text, textarea,
 * number, checkbox, select. Null for the designer's own editors.
 */
function PlainField({ field, value, onChange }: PlainProps) {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  const label = localText(field.label, lang) || field.key || '';
  const hint = localText(field.hint, lang) || undefined;
  switch (field.widget) {
    case 'text':
      return (
        <TextField
          label={label}
          value={typeof value === 'string' ? value : ''}
          hint={hint}
          placeholder={field.placeholder}
          onChange={(e) => onChange(e.target.value || undefined)}
        />
      );
    case 'textarea':
      return (
        <TextAreaField
          label={label}
          value={typeof value === 'string' ? value : ''}
          rows={3}
          mono={field.mono}
          hint={hint}
          placeholder={field.placeholder}
          onChange={(v) => onChange(v || undefined)}
        />
      );
    case 'number':
      return (
        <TextField
          label={label}
          type="number"
          value={typeof value === 'number' ? String(value) : ''}
          hint={hint}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />
      );
    case 'checkbox':
      return <CheckField label={label} checked={value === true} hint={hint} onChange={(on) => onChange(on)} />;
    case 'select':
      return (
        <SelectField
          label={label}
          value={typeof value === 'string' ? value : (field.options?.[0]?.value ?? '')}
          options={(field.options ?? []).map((o) => ({ value: o.value, label: localText(o.label, lang) }))}
          onChange={(v) => onChange(v)}
        />
      );
    default:
      return null;
  }
}

/** A node's inspector: each field its type's palette entry lists, in order. */
export function NodeInspectorFields({
  fields,
  def,
  node,
  choices,
  set,
  onEdge,
}: {
  fields: WorkflowInspectorField[];
  def: WorkflowDefinition;
  node: WfNode;
  choices: PropertyChoices;
  set: (patch: Partial<NodeData>) => void;
  onEdge: (id: string, data: EdgeData) => void;
}) {
  const d = node.data as Data;
  return (
    <>
      {fields.map((field, i) => {
        const key = field.key ?? '';
        const id = `${field.widget}-${key}-${i}`;
        switch (field.widget) {
          case 'approvers':
            return (
              <ApproverListEditor
                key={id}
                value={(d[key] as Approver[] | undefined) ?? []}
                onChange={(approvers) => set({ [key]: approvers })}
                choices={choices}
              />
            );
          case 'escalation':
            return <EscalationEditor key={id} data={node.data} set={set} choices={choices} />;
          case 'field-values':
            return (
              <FieldValuesEditor
                key={id}
                value={(d[key] as Data | undefined) ?? {}}
                onChange={(s) => set({ [key]: Object.keys(s).length ? s : undefined })}
                fields={choices.fields}
              />
            );
          case 'script':
            return (
              <ScriptField key={id} value={d[key]} scripts={choices.scripts} onChange={(v) => set({ [key]: v })} />
            );
          case 'branches':
            return <BranchesField key={id} def={def} node={node} onEdge={onEdge} />;
          default:
            return <PlainField key={id} field={field} value={d[key]} onChange={(v) => set({ [key]: v })} />;
        }
      })}
    </>
  );
}

/** An edge's inspector: the fields the palette entry of the node it leaves lists for its edges. */
export function EdgeInspectorFields({
  fields,
  edge,
  onChange,
}: {
  fields: WorkflowInspectorField[];
  edge: WfEdge;
  onChange: (data: EdgeData) => void;
}) {
  const { t } = useTranslation();
  const data = (edge.data ?? {}) as Data;
  return (
    <>
      {fields.map((field, i) => {
        const key = field.key ?? '';
        const id = `${field.widget}-${key}-${i}`;
        if (field.widget !== 'branch-condition')
          return (
            <PlainField
              key={id}
              field={field}
              value={data[key]}
              onChange={(v) => onChange({ ...edge.data, [key]: v } as EdgeData)}
            />
          );
        return (
          <Fragment key={id}>
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
          </Fragment>
        );
      })}
    </>
  );
}

function ScriptField({
  value,
  scripts,
  onChange,
}: {
  value: unknown;
  scripts: Array<{ value: string; label: string }>;
  onChange: (v: string | undefined) => void;
}) {
  const { t } = useTranslation();
  return (
    <SelectField
      label={t('workflowDesigner.script')}
      value={typeof value === 'string' ? value : ''}
      options={[{ value: '', label: t('workflowDesigner.noScript') }, ...scripts]}
      onChange={(script) => onChange(script || undefined)}
    />
  );
}

/** The conditions of the edges leaving a node, edited where the node is (a condition step). */
function BranchesField({
  def,
  node,
  onEdge,
}: {
  def: WorkflowDefinition;
  node: WfNode;
  onEdge: (id: string, data: EdgeData) => void;
}) {
  const { t, i18n } = useTranslation();
  const catalog = useNodeCatalog();
  const targetLabel = (id: string) => {
    const n = def.nodes.find((x) => x.id === id);
    return n ? n.data.label || `${typeLabel(catalog, n.type, i18n.language)} (${n.id})` : id;
  };
  const out = def.edges.filter((e) => e.source === node.id);
  return (
    <fieldset className="f-wf-fieldset">
      <legend>{t('workflowDesigner.branches')}</legend>
      {out.length === 0 && <p className="f-field__hint">{t('workflowDesigner.noBranches')}</p>}
      {out.map((e) =>
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
  );
}
