import { Plus, Trash2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { humanize } from '../../i18n/pick-label';
import { IconButton } from '../../ui';
import { type Approver, approverKind } from './workflow-model';

export interface ApproverChoices {
  users: Array<{ id: string; label: string }>;
  roles: string[];
  /** Role names → their labels: admins pick "Regional director", not `regional_director`. */
  roleLabels?: Record<string, string>;
  /** User lookup fields of the workflow's object. */
  userFields: Array<{ name: string; label: string }>;
}

type Kind = ReturnType<typeof approverKind>;
const KINDS: Kind[] = ['managerOf', 'role', 'user', 'field'];

function blank(kind: Kind, choices: ApproverChoices): Approver {
  switch (kind) {
    case 'user':
      return { user: choices.users[0]?.id ?? '' };
    case 'role':
      return { role: choices.roles[0] ?? '' };
    case 'field':
      return { field: choices.userFields[0]?.name ?? '' };
    default:
      return { managerOf: 'submitter' };
  }
}

/** A role as people know it: its label, else its name made readable. */
export function roleLabelOf(choices: Pick<ApproverChoices, 'roleLabels'>, role: string): string {
  return choices.roleLabels?.[role] || humanize(role);
}

/** One approver: who kind (manager of the submitter, role, user, user field) and which one. */
export function ApproverRow({
  value,
  onChange,
  choices,
  label,
  onRemove,
}: {
  value: Approver;
  onChange: (a: Approver) => void;
  choices: ApproverChoices;
  label: string;
  onRemove?: () => void;
}) {
  const { t } = useTranslation();
  const kind = approverKind(value);
  const options =
    kind === 'user'
      ? choices.users.map((u) => ({ value: u.id, label: u.label }))
      : kind === 'role'
        ? choices.roles.map((r) => ({ value: r, label: roleLabelOf(choices, r) }))
        : kind === 'field'
          ? choices.userFields.map((f) => ({ value: f.name, label: f.label }))
          : [];
  const current = 'user' in value ? value.user : 'role' in value ? value.role : 'field' in value ? value.field : '';
  const known = options.some((o) => o.value === current);
  return (
    <div className="f-wf-approver">
      <select
        className="f-input__control f-wf-select"
        aria-label={`${label}: ${t('workflowDesigner.approverKind')}`}
        value={kind}
        onChange={(e) => onChange(blank(e.target.value as Kind, choices))}
      >
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`workflowDesigner.approver_${k}` as const)}
          </option>
        ))}
      </select>
      {kind !== 'managerOf' && (
        <select
          className="f-input__control f-wf-select"
          aria-label={`${label}: ${t(`workflowDesigner.approver_${kind}` as const)}`}
          value={current}
          onChange={(e) =>
            onChange(
              kind === 'user'
                ? { user: e.target.value }
                : kind === 'role'
                  ? { role: e.target.value }
                  : { field: e.target.value },
            )
          }
        >
          {!known && <option value={current}>{current || t('workflowDesigner.choose')}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
      {onRemove && (
        <IconButton
          label={t('workflowDesigner.removeApprover')}
          icon={<Trash2 size={15} aria-hidden="true" />}
          onClick={onRemove}
        />
      )}
    </div>
  );
}

export function ApproverListEditor({
  value,
  onChange,
  choices,
}: {
  value: Approver[];
  onChange: (a: Approver[]) => void;
  choices: ApproverChoices;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="f-wf-fieldset">
      <legend>{t('workflowDesigner.approvers')}</legend>
      {value.length === 0 && <p className="f-field__hint">{t('workflowDesigner.noApprovers')}</p>}
      {value.map((a, i) => (
        <ApproverRow
          // biome-ignore lint/suspicious/noArrayIndexKey: approvers are an ordered list without ids.
          key={i}
          label={t('workflowDesigner.approverN', { n: i + 1 })}
          value={a}
          choices={choices}
          onChange={(next) => onChange(value.map((x, j) => (j === i ? next : x)))}
          onRemove={() => onChange(value.filter((_x, j) => j !== i))}
        />
      ))}
      <button type="button" className="f-wf-add" onClick={() => onChange([...value, { managerOf: 'submitter' }])}>
        <Plus size={14} aria-hidden="true" /> {t('workflowDesigner.addApprover')}
      </button>
    </fieldset>
  );
}
