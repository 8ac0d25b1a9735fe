import { Plus, Trash2 } from 'lucide-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { IconButton, TextField } from '../../ui';
import { CheckField, SelectField } from '../objects/controls';
import { type ApproverChoices, ApproverRow } from './approver-editor';
import type { FieldChoice } from './workflow-properties';
import type { NodeData } from './workflow-model';

/** The designer's editors over a workflow's model that node types name in their inspector fields. */
export function EscalationEditor({
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
export function FieldValuesEditor({
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
