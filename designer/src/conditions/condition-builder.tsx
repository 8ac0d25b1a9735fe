import { Plus, Trash2 } from 'lucide-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { enumLabel } from '../i18n/pick-label';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { operatorsFor, valueKind } from '../records/field-kind';
import { Button, IconButton } from '../ui';
import {
  type ConditionGroup,
  type ConditionLookups,
  type ConditionProblem,
  type ConditionRow,
  conditionFields,
  emptyGroup,
  fieldAtPath,
  fieldChoices,
  isPicklist,
  LIST_OPS,
  newRow,
  openLookup,
  pathLabel,
  updateAt,
  withOperator,
} from './condition-model';
import './condition-builder.css';

export interface ConditionBuilderProps {
  schema: ObjectSchema;
  value: ConditionGroup;
  onChange: (next: ConditionGroup) => void;
  /** Problems to show at their rows (from toFilter). */
  problems?: ConditionProblem[];
  /** Names the builder for assistive technology. */
  label: string;
  /** Offer fields through lookups ("Account › City"): only where the server follows paths (reports). */
  lookups?: ConditionLookups;
}

/** A lookup to open in the field picker, told apart from the lookup compared as a field. */
const OPEN = 'open:';

/**
 * Conditions over an object's fields, in AND/OR groups, with operators and value inputs that fit
 * each field's kind (picklists by their labels). Its value converts to the records filter language
 * (condition-model.ts), so list filters, form logic and rules can share it.
 */
export function ConditionBuilder({ schema, value, onChange, problems = [], label, lookups }: ConditionBuilderProps) {
  return (
    <fieldset className={lookups ? 'f-cond f-cond--paths' : 'f-cond'} aria-label={label}>
      <GroupView
        schema={schema}
        group={value}
        at={[]}
        root={value}
        onChange={onChange}
        problems={problems}
        lookups={lookups}
      />
    </fieldset>
  );
}

function GroupView({
  schema,
  group,
  at,
  root,
  onChange,
  problems,
  lookups,
}: {
  schema: ObjectSchema;
  group: ConditionGroup;
  at: number[];
  root: ConditionGroup;
  onChange: (next: ConditionGroup) => void;
  problems: ConditionProblem[];
  lookups: ConditionLookups | undefined;
}) {
  const { t } = useTranslation();
  const fields = conditionFields(schema);
  const set = (next: ConditionGroup) => onChange(at.length ? updateAt(root, at, next) : next);
  return (
    <div className={at.length ? 'f-cond__group f-cond__group--nested' : 'f-cond__group'}>
      {group.items.length > 1 && (
        <div className="f-cond__join" role="radiogroup" aria-label={t('conditions.join')}>
          {(['and', 'or'] as const).map((j) => (
            <label key={j} className={group.join === j ? 'f-cond__join-opt f-cond__join-opt--on' : 'f-cond__join-opt'}>
              <input
                type="radio"
                name={`join-${at.join('-')}`}
                checked={group.join === j}
                onChange={() => set({ ...group, join: j })}
              />
              {t(`conditions.join_${j}`)}
            </label>
          ))}
        </div>
      )}
      {group.items.length === 0 && <p className="f-cond__empty">{t('conditions.none')}</p>}
      {group.items.map((item, i) => {
        const here = [...at, i];
        const key = `${here.join('.')}:${item.kind}`;
        return (
          <div key={key} className="f-cond__item">
            {i > 0 && <span className="f-cond__joiner">{t(`conditions.join_${group.join}`)}</span>}
            {item.kind === 'group' ? (
              <div className="f-cond__sub">
                <GroupView
                  schema={schema}
                  group={item}
                  at={here}
                  root={root}
                  onChange={onChange}
                  problems={problems}
                  lookups={lookups}
                />
                <IconButton
                  label={t('conditions.removeGroup')}
                  icon={<Trash2 size={16} aria-hidden="true" />}
                  onClick={() => onChange(updateAt(root, here, null))}
                />
              </div>
            ) : (
              <RowView
                schema={schema}
                row={item}
                lookups={lookups}
                problem={problems.find((p) => p.at.join('.') === here.join('.'))?.code}
                onChange={(next) => onChange(updateAt(root, here, next))}
                onRemove={() => onChange(updateAt(root, here, null))}
              />
            )}
          </div>
        );
      })}
      <div className="f-cond__actions">
        <Button
          size="sm"
          icon={<Plus size={14} aria-hidden="true" />}
          disabled={!fields.length}
          onClick={() => set({ ...group, items: [...group.items, newRow(schema, fields[0] ?? '', lookups)] })}
        >
          {t('conditions.addCondition')}
        </Button>
        {at.length < 2 && (
          <Button
            size="sm"
            variant="ghost"
            icon={<Plus size={14} aria-hidden="true" />}
            disabled={!fields.length}
            onClick={() =>
              set({
                ...group,
                items: [
                  ...group.items,
                  {
                    ...emptyGroup(group.join === 'and' ? 'or' : 'and'),
                    items: [newRow(schema, fields[0] ?? '', lookups)],
                  },
                ],
              })
            }
          >
            {t('conditions.addGroup')}
          </Button>
        )}
      </div>
    </div>
  );
}

function RowView({
  schema,
  row,
  lookups,
  problem,
  onChange,
  onRemove,
}: {
  schema: ObjectSchema;
  row: ConditionRow;
  lookups: ConditionLookups | undefined;
  problem: ConditionProblem['code'] | undefined;
  onChange: (next: ConditionRow) => void;
  onRemove: () => void;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const f = fieldAtPath(schema, row.field, lookups);
  const ops = f ? operatorsFor(f) : [];
  const fieldName = pathLabel(schema, row.field, i18n.language, lookups);
  const groups = fieldChoices(schema, row.field, i18n.language, lookups);
  const option = (c: { value: string; label: string; expand?: boolean }) => (
    <option key={`${c.expand ? OPEN : ''}${c.value}`} value={`${c.expand ? OPEN : ''}${c.value}`}>
      {c.label}
    </option>
  );
  return (
    <fieldset className={problem ? 'f-cond__row f-cond__row--invalid' : 'f-cond__row'}>
      <legend className="f-sr-only">{t('conditions.rowLabel', { field: fieldName })}</legend>
      <select
        className="f-input__control"
        aria-label={t('conditions.field')}
        value={row.field}
        onChange={(e) => {
          const v = e.target.value;
          // Opening a lookup moves the row onto its target's naming field; the next choices are its fields.
          const path = lookups && v.startsWith(OPEN) ? openLookup(schema, v.slice(OPEN.length), lookups) : v;
          onChange(newRow(schema, path, lookups));
        }}
      >
        {groups.map((g) =>
          g.label ? (
            <optgroup key={g.label} label={g.label}>
              {g.choices.map(option)}
            </optgroup>
          ) : (
            g.choices.map(option)
          ),
        )}
      </select>
      <select
        className="f-input__control"
        aria-label={t('conditions.operator')}
        value={row.op}
        onChange={(e) => onChange(withOperator(row, e.target.value as ConditionRow['op']))}
      >
        {ops.map((op) => (
          <option key={op} value={op}>
            {t(`ops.${op}`)}
          </option>
        ))}
      </select>
      <div className="f-cond__value">
        {f && (
          <ValueInput
            field={f}
            row={row}
            lang={i18n.language}
            describedBy={problem ? `${id}-problem` : undefined}
            onChange={(value) => onChange({ ...row, value })}
          />
        )}
      </div>
      <IconButton label={t('conditions.remove')} icon={<Trash2 size={16} aria-hidden="true" />} onClick={onRemove} />
      {problem && (
        <p id={`${id}-problem`} className="f-cond__problem" role="alert">
          {t(`filterProblems.${problem}`)}
        </p>
      )}
    </fieldset>
  );
}

function ValueInput({
  field,
  row,
  lang,
  describedBy,
  onChange,
}: {
  field: FieldSchema;
  row: ConditionRow;
  lang: string;
  describedBy: string | undefined;
  onChange: (value: string | string[]) => void;
}) {
  const { t } = useTranslation();
  const kind = valueKind(field);
  const common = {
    'aria-label': t('conditions.value'),
    'aria-describedby': describedBy,
    'aria-invalid': describedBy ? true : undefined,
  };
  if (row.op === 'isNull')
    return (
      <select
        className="f-input__control"
        {...common}
        value={String(row.value)}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="true">{t('conditions.isEmpty')}</option>
        <option value="false">{t('conditions.hasValue')}</option>
      </select>
    );
  const options = isPicklist(field) ? (field.enum as string[]) : (field.items as { enum?: string[] } | undefined)?.enum;
  if (options && LIST_OPS.has(row.op)) {
    const picked = Array.isArray(row.value) ? row.value : [];
    return (
      <fieldset className="f-cond__picks" {...common}>
        {options.map((v) => (
          <label key={v} className="f-cond__pick">
            <input
              type="checkbox"
              checked={picked.includes(v)}
              onChange={(e) => onChange(e.target.checked ? [...picked, v] : picked.filter((p) => p !== v))}
            />
            {enumLabel(field, v, lang)}
          </label>
        ))}
      </fieldset>
    );
  }
  if (options)
    return (
      <select
        className="f-input__control"
        {...common}
        value={String(row.value)}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{t('conditions.choose')}</option>
        {options.map((v) => (
          <option key={v} value={v}>
            {enumLabel(field, v, lang)}
          </option>
        ))}
      </select>
    );
  if (kind === 'boolean')
    return (
      <select
        className="f-input__control"
        {...common}
        value={String(row.value)}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{t('conditions.choose')}</option>
        <option value="true">{t('conditions.yes')}</option>
        <option value="false">{t('conditions.no')}</option>
      </select>
    );
  const list = LIST_OPS.has(row.op);
  const type = list
    ? 'text'
    : kind === 'date'
      ? 'date'
      : kind === 'number' || kind === 'currency' || kind === 'percent' || kind === 'integer'
        ? 'number'
        : 'text';
  const text = Array.isArray(row.value) ? row.value.join(', ') : row.value;
  return (
    <input
      className="f-input__control"
      {...common}
      type={type}
      value={text}
      placeholder={list ? t('conditions.listHint') : undefined}
      onChange={(e) => onChange(list ? e.target.value.split(',').map((s) => s.trim()) : e.target.value)}
    />
  );
}
