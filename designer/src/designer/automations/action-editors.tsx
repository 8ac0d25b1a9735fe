import { Plus, Trash2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { enumLabel, fieldLabel, objectLabel } from '../../i18n/pick-label';
import type { FieldSchema, ObjectSchema } from '../../meta/meta-types';
import { valueKind } from '../../records/field-kind';
import { Button, IconButton, TextField } from '../../ui';
import { errorsUnder } from '../common/publish-problems';
import { CheckField, SelectField, TextAreaField } from '../objects/controls';
import type { JsonSchema } from './automations-api';
import { type Recipient, type RuleAction, typedValue, userFields, writableFields } from './automation-model';

export interface ActionContext {
  schema: ObjectSchema | undefined;
  objects: Record<string, ObjectSchema | null | undefined>;
  roles: Array<{ value: string; label: string }>;
  scripts: Array<{ value: string; label: string }>;
  /** The action's configuration schema from the registry. */
  config: JsonSchema | undefined;
  errors: Record<string, string>;
  /** The action's path in the rule (`/actions/0`). */
  path: string;
}

/** What every action form gets: the action, where its change goes, and the rule around it. */
interface ActionFormProps {
  action: RuleAction;
  onChange: (next: RuleAction) => void;
  ctx: ActionContext;
}

/** Under a text that may name the record's values. */
function PlaceholdersHint() {
  const { t } = useTranslation();
  return (
    <>
      {t('automations.placeholdersHint')} <code>{'{{record.name}}'}</code>
    </>
  );
}

export function FieldError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="f-field__error f-auto-error" role="alert">
      {message}
    </p>
  );
}

/** The form of one action, by kind; kinds without a form of their own get one drawn from their schema. */
export function ActionForm({ action, onChange, ctx }: ActionFormProps) {
  switch (action.type) {
    case 'notify':
      return <NotifyForm action={action} onChange={onChange} ctx={ctx} />;
    case 'email':
      return <EmailForm action={action} onChange={onChange} ctx={ctx} />;
    case 'set':
      return (
        <ValuesEditor
          schema={ctx.schema}
          values={(action.values as Record<string, unknown> | undefined) ?? {}}
          onChange={(values) => onChange({ ...action, values })}
          errors={ctx.errors}
          path={`${ctx.path}/values`}
        />
      );
    case 'create':
      return <CreateForm action={action} onChange={onChange} ctx={ctx} />;
    case 'script':
      return <ScriptForm action={action} onChange={onChange} ctx={ctx} />;
    default:
      return <SchemaForm action={action} onChange={onChange} ctx={ctx} />;
  }
}

function recipientKey(r: Recipient): string {
  if (typeof r === 'string') return r;
  const [k, v] = Object.entries(r)[0] ?? ['', ''];
  return `${k}:${v}`;
}

function RecipientsPicker({ action, onChange, ctx }: ActionFormProps) {
  const { t, i18n } = useTranslation();
  const to = (Array.isArray(action.to) ? action.to : []) as Recipient[];
  const keys = new Set(to.map(recipientKey));
  const toggle = (r: Recipient, on: boolean) =>
    onChange({ ...action, to: on ? [...to, r] : to.filter((x) => recipientKey(x) !== recipientKey(r)) });
  const choices: Array<{ r: Recipient; label: string }> = [
    { r: 'owner', label: t('automations.toOwner') },
    { r: 'managerOfOwner', label: t('automations.toManagerOfOwner') },
    ...userFields(ctx.schema).map((f) => ({
      r: { field: f } as Recipient,
      label: t('automations.toField', { field: fieldLabel(ctx.schema, f, i18n.language) }),
    })),
    ...ctx.roles.map((role) => ({
      r: { role: role.value } as Recipient,
      label: t('automations.toRole', { role: role.label }),
    })),
  ];
  return (
    <fieldset className="f-auto-recipients">
      <legend className="f-field__label">{t('automations.recipients')}</legend>
      <div className="f-auto-recipients__list">
        {choices.map((c) => (
          <CheckField
            key={recipientKey(c.r)}
            label={c.label}
            checked={keys.has(recipientKey(c.r))}
            onChange={(on) => toggle(c.r, on)}
          />
        ))}
      </div>
      <FieldError message={errorsUnder(ctx.errors, `${ctx.path}/to`)} />
    </fieldset>
  );
}

function EmailForm({ action, onChange, ctx }: ActionFormProps) {
  const { t } = useTranslation();
  return (
    <div className="f-item-editor__form">
      <RecipientsPicker action={action} onChange={onChange} ctx={ctx} />
      <TextField
        label={t('automations.emailSubject')}
        value={String(action.subject ?? '')}
        maxLength={500}
        onChange={(e) => onChange({ ...action, subject: e.target.value })}
        hint={<PlaceholdersHint />}
        error={errorsUnder(ctx.errors, `${ctx.path}/subject`)}
        required
      />
      <TextField
        label={t('automations.emailTemplate')}
        value={String(action.template ?? '')}
        onChange={(e) => onChange({ ...action, template: e.target.value })}
        hint={t('automations.emailTemplateHint')}
        error={errorsUnder(ctx.errors, `${ctx.path}/template`)}
        required
      />
    </div>
  );
}

function NotifyForm({ action, onChange, ctx }: ActionFormProps) {
  const { t } = useTranslation();
  const maxTitle = (ctx.config?.properties?.title?.maxLength as number | undefined) ?? 500;
  return (
    <div className="f-item-editor__form">
      <RecipientsPicker action={action} onChange={onChange} ctx={ctx} />
      <TextField
        label={t('automations.notifyTitle')}
        value={String(action.title ?? '')}
        maxLength={maxTitle}
        onChange={(e) => onChange({ ...action, title: e.target.value })}
        hint={<PlaceholdersHint />}
        error={errorsUnder(ctx.errors, `${ctx.path}/title`)}
        required
      />
      <TextAreaField
        label={t('automations.notifyMessage')}
        value={String(action.message ?? '')}
        onChange={(v) => {
          const { message: _m, ...rest } = action;
          onChange(v ? { ...rest, message: v } : (rest as RuleAction));
        }}
        error={errorsUnder(ctx.errors, `${ctx.path}/message`)}
      />
      <CheckField
        label={t('automations.alsoEmail')}
        checked={action.email !== false}
        onChange={(on) => {
          const { email: _e, ...rest } = action;
          onChange(on ? (rest as RuleAction) : { ...rest, email: false });
        }}
      />
    </div>
  );
}

function CreateForm({ action, onChange, ctx }: ActionFormProps) {
  const { t, i18n } = useTranslation();
  const object = String(action.object ?? '');
  const options = Object.entries(ctx.objects)
    .filter(([, o]) => !!o)
    .map(([n, o]) => ({ value: n, label: objectLabel(n, o ?? undefined, i18n.language) }));
  return (
    <div className="f-item-editor__form">
      <SelectField
        label={t('automations.createObject')}
        value={object}
        options={[{ value: '', label: t('conditions.choose') }, ...options]}
        onChange={(v) => onChange({ type: 'create', object: v, values: {} })}
      />
      <FieldError message={errorsUnder(ctx.errors, `${ctx.path}/object`)} />
      {object && (
        <ValuesEditor
          schema={ctx.objects[object] ?? undefined}
          values={(action.values as Record<string, unknown> | undefined) ?? {}}
          onChange={(values) => onChange({ ...action, values })}
          errors={ctx.errors}
          path={`${ctx.path}/values`}
        />
      )}
    </div>
  );
}

function ScriptForm({ action, onChange, ctx }: ActionFormProps) {
  const { t } = useTranslation();
  return (
    <div className="f-item-editor__form">
      <SelectField
        label={t('automations.script')}
        value={String(action.script ?? '')}
        options={[{ value: '', label: t('conditions.choose') }, ...ctx.scripts]}
        onChange={(v) => onChange({ ...action, script: v })}
        hint={ctx.scripts.length ? undefined : t('automations.noScripts')}
      />
      <FieldError message={errorsUnder(ctx.errors, `${ctx.path}/script`)} />
    </div>
  );
}

/** Field = value rows for set/create: fields by label, inputs by the field's kind. */
function ValuesEditor({
  schema,
  values,
  onChange,
  errors,
  path,
}: {
  schema: ObjectSchema | undefined;
  values: Record<string, unknown>;
  onChange: (values: Record<string, unknown>) => void;
  errors: Record<string, string>;
  path: string;
}) {
  const { t, i18n } = useTranslation();
  const fields = writableFields(schema).filter((f) => f !== 'owner');
  const unused = fields.filter((f) => !(f in values));
  const entries = Object.entries(values);
  return (
    <div className="f-auto-values">
      {entries.map(([field, value]) => (
        <div key={field} className="f-auto-values__row">
          <span className="f-auto-values__field">{fieldLabel(schema, field, i18n.language)}</span>
          <ValueInput
            field={schema?.properties?.[field]}
            label={t('automations.valueFor', { field: fieldLabel(schema, field, i18n.language) })}
            value={value}
            lang={i18n.language}
            onChange={(raw) => onChange({ ...values, [field]: typedValue(schema, field, raw) })}
            error={errorsUnder(errors, `${path}/${field}`)}
          />
          <IconButton
            label={t('automations.removeValue', { field: fieldLabel(schema, field, i18n.language) })}
            icon={<Trash2 size={16} aria-hidden="true" />}
            onClick={() => {
              const { [field]: _gone, ...rest } = values;
              onChange(rest);
            }}
          />
        </div>
      ))}
      {unused.length > 0 && (
        <label className="f-auto-values__add">
          <Plus size={14} aria-hidden="true" />
          <select
            className="f-input__control"
            aria-label={t('automations.addValue')}
            value=""
            onChange={(e) => e.target.value && onChange({ ...values, [e.target.value]: null })}
          >
            <option value="">{t('automations.addValue')}</option>
            {unused.map((f) => (
              <option key={f} value={f}>
                {fieldLabel(schema, f, i18n.language)}
              </option>
            ))}
          </select>
        </label>
      )}
      <FieldError message={errors[path]} />
    </div>
  );
}

function ValueInput({
  field,
  label,
  value,
  lang,
  onChange,
  error,
}: {
  field: FieldSchema | undefined;
  label: string;
  value: unknown;
  lang: string;
  onChange: (raw: string) => void;
  error: string | undefined;
}) {
  const { t } = useTranslation();
  const text = value === null || value === undefined ? '' : String(value);
  const kind = field ? valueKind(field) : 'text';
  const props = { 'aria-label': label, 'aria-invalid': error ? true : undefined, className: 'f-input__control' };
  let input: React.ReactNode;
  if (field?.enum)
    input = (
      <select {...props} value={text} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('conditions.choose')}</option>
        {(field.enum as string[]).map((v) => (
          <option key={v} value={v}>
            {enumLabel(field, v, lang)}
          </option>
        ))}
      </select>
    );
  else if (kind === 'boolean')
    input = (
      <select {...props} value={text} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('conditions.choose')}</option>
        <option value="true">{t('conditions.yes')}</option>
        <option value="false">{t('conditions.no')}</option>
      </select>
    );
  else
    input = (
      <input
        {...props}
        type={kind === 'number' || kind === 'currency' || kind === 'percent' || kind === 'integer' ? 'number' : 'text'}
        value={text}
        placeholder={kind === 'date' || kind === 'datetime' ? '$today+P3D' : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  return (
    <div className="f-auto-values__input">
      {input}
      <FieldError message={error} />
    </div>
  );
}

/**
 * A form drawn from the action kind's JSON Schema (documents, plugin kinds): text, number, yes/no
 * and choice properties get inputs; anything else is edited as JSON.
 */
function SchemaForm({ action, onChange, ctx }: ActionFormProps) {
  const { t } = useTranslation();
  const props = Object.entries(ctx.config?.properties ?? {});
  const required = new Set(ctx.config?.required ?? []);
  const set = (key: string, v: unknown) => {
    const { [key]: _old, ...rest } = action;
    onChange((v === undefined || v === '' ? rest : { ...rest, [key]: v }) as RuleAction);
  };
  if (!props.length) return <p className="f-item-editor__muted">{t('automations.noSettings')}</p>;
  return (
    <div className="f-item-editor__form">
      {props.map(([key, s]) => {
        const label = `${s.title ?? key}${required.has(key) ? '' : ` ${t('automations.optional')}`}`;
        const error = errorsUnder(ctx.errors, `${ctx.path}/${key}`);
        const type = Array.isArray(s.type) ? s.type[0] : s.type;
        if (Array.isArray(s.enum))
          return (
            <div key={key}>
              <SelectField
                label={label}
                value={String(action[key] ?? '')}
                options={[
                  { value: '', label: t('conditions.choose') },
                  ...s.enum.map((v) => ({ value: String(v), label: String(v) })),
                ]}
                onChange={(v) => set(key, v)}
                hint={s.description}
              />
              <FieldError message={error} />
            </div>
          );
        if (type === 'boolean')
          return (
            <CheckField
              key={key}
              label={label}
              checked={action[key] === true}
              onChange={(on) => set(key, on)}
              hint={s.description}
            />
          );
        if (type === 'string' || type === 'number' || type === 'integer')
          return (
            <TextField
              key={key}
              label={label}
              type={type === 'string' ? 'text' : 'number'}
              value={action[key] === undefined ? '' : String(action[key])}
              maxLength={s.maxLength}
              onChange={(e) =>
                set(
                  key,
                  type === 'string' ? e.target.value : e.target.value === '' ? undefined : Number(e.target.value),
                )
              }
              hint={s.description}
              error={error}
              required={required.has(key)}
            />
          );
        return (
          <TextAreaField
            key={key}
            label={label}
            mono
            value={action[key] === undefined ? '' : JSON.stringify(action[key], null, 2)}
            onChange={(v) => {
              try {
                set(key, v.trim() ? JSON.parse(v) : undefined);
              } catch {
                // Keep the last valid value while the JSON is being typed.
              }
            }}
            hint={s.description}
            error={error}
          />
        );
      })}
    </div>
  );
}

export function AddActionMenu({
  types,
  onAdd,
}: {
  types: Array<{ type: string; label: string }>;
  onAdd: (type: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="f-auto-palette" aria-label={t('automations.addAction')}>
      {types.map((k) => (
        <Button key={k.type} size="sm" icon={<Plus size={14} aria-hidden="true" />} onClick={() => onAdd(k.type)}>
          {k.label}
        </Button>
      ))}
    </fieldset>
  );
}
