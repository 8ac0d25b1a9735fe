import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Plus, Trash2 } from 'lucide-react';
import { enumLabel, fieldLabel } from '../i18n/pick-label';
import type { ObjectSchema } from '../meta/meta-types';
import { Button, IconButton } from '../ui';
import { operatorsFor } from './field-kind';
import { type FilterProblem, type FilterRow, splitValues, toApiFilter } from './filter-model';
import './filter-builder.css';

interface FilterBuilderProps {
  schema: ObjectSchema;
  fields: string[];
  lang: string;
  initial: FilterRow[];
  onApply: (rows: FilterRow[]) => void;
}

/**
 * Rows of field / condition / value, AND-ed. Native selects and inputs: every browser gives them
 * keyboard and touch behaviour for free, which matters on tablets.
 */
export function FilterBuilder({ schema, fields, lang, initial, onApply }: FilterBuilderProps) {
  const { t } = useTranslation();
  const id = useId();
  const [rows, setRows] = useState<FilterRow[]>(initial.length ? initial : []);
  const [problems, setProblems] = useState<FilterProblem[]>([]);
  const filterable = fields.filter((f) => operatorsFor(schema.properties?.[f] ?? {}).length > 0);

  const update = (i: number, patch: Partial<FilterRow>) =>
    setRows((rs) =>
      rs.map((r, j) => {
        if (j !== i) return r;
        const next = { ...r, ...patch };
        // A new field may not accept the old condition: fall back to its first one.
        const ops = operatorsFor(schema.properties?.[next.field] ?? {});
        if (!ops.includes(next.op)) next.op = ops[0] ?? 'eq';
        return next;
      }),
    );

  const apply = (next: FilterRow[]) => {
    const found = toApiFilter(next, schema).problems;
    setProblems(found);
    if (found.length === 0) onApply(next);
  };

  return (
    <form
      className="f-filters"
      aria-label={t('list.filters')}
      onSubmit={(e) => {
        e.preventDefault();
        apply(rows);
      }}
    >
      {rows.map((row, i) => {
        const f = schema.properties?.[row.field] ?? {};
        const problem = problems.find((p) => p.index === i);
        const errorId = `${id}-err-${i}`;
        const multi = row.op === 'in' || row.op === 'nin';
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
          <fieldset className="f-filters__row" key={i}>
            <legend className="f-sr-only">{`${t('list.filters')} ${i + 1}`}</legend>
            <div className="f-filters__cell">
              <select
                className="f-select"
                value={row.field}
                onChange={(e) => update(i, { field: e.target.value })}
                aria-label={t('list.field')}
              >
                {filterable.map((name) => (
                  <option key={name} value={name}>
                    {fieldLabel(schema, name, lang)}
                  </option>
                ))}
              </select>
            </div>
            <div className="f-filters__cell">
              <select
                className="f-select"
                value={row.op}
                onChange={(e) => update(i, { op: e.target.value as FilterRow['op'] })}
                aria-label={t('list.operator')}
              >
                {operatorsFor(f).map((op) => (
                  <option key={op} value={op}>
                    {t(`ops.${op}`)}
                  </option>
                ))}
              </select>
            </div>
            {row.op !== 'isNull' && (
              <div className="f-filters__cell f-filters__value">
                {Array.isArray(f.enum) && multi ? (
                  // "is one of" a picklist: the options the user sees, ticked, never typed values.
                  <fieldset className="f-filters__options" aria-describedby={problem ? errorId : undefined}>
                    <legend className="f-sr-only">{t('list.value')}</legend>
                    {f.enum.map((v) => {
                      const chosen = splitValues(row.value);
                      const value = String(v);
                      return (
                        <label key={value} className="f-filters__option">
                          <input
                            type="checkbox"
                            checked={chosen.includes(value)}
                            onChange={(e) =>
                              update(i, {
                                value: (e.target.checked ? [...chosen, value] : chosen.filter((c) => c !== value)).join(
                                  ',',
                                ),
                              })
                            }
                          />
                          <span>{enumLabel(f, value, lang)}</span>
                        </label>
                      );
                    })}
                  </fieldset>
                ) : Array.isArray(f.enum) && !multi ? (
                  <select
                    className="f-select"
                    value={row.value}
                    onChange={(e) => update(i, { value: e.target.value })}
                    aria-label={t('list.value')}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? errorId : undefined}
                  >
                    <option value="" />
                    {f.enum.map((v) => (
                      <option key={String(v)} value={String(v)}>
                        {enumLabel(f, String(v), lang)}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    className="f-input__control"
                    value={row.value}
                    type={f.format === 'date' && !multi ? 'date' : 'text'}
                    inputMode={['number', 'integer'].includes(String(f.type)) ? 'decimal' : undefined}
                    placeholder={multi ? t('list.valueListHint') : ''}
                    onChange={(e) => update(i, { value: e.target.value })}
                    aria-label={t('list.value')}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? errorId : undefined}
                  />
                )}
              </div>
            )}
            <IconButton
              label={t('list.removeFilter')}
              icon={<Trash2 size={16} aria-hidden="true" />}
              onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
            />
            {problem && (
              <p id={errorId} className="f-field__error f-filters__problem">
                {t(`filterProblems.${problem.message}`)}
              </p>
            )}
          </fieldset>
        );
      })}
      <div className="f-filters__actions">
        <Button
          variant="ghost"
          size="sm"
          icon={<Plus size={16} aria-hidden="true" />}
          disabled={filterable.length === 0}
          onClick={() => {
            const field = filterable[0] ?? '';
            setRows((rs) => [
              ...rs,
              { field, op: operatorsFor(schema.properties?.[field] ?? {})[0] ?? 'eq', value: '' },
            ]);
          }}
        >
          {t('list.addFilter')}
        </Button>
        <span className="f-filters__spacer" />
        <Button
          variant="ghost"
          size="sm"
          onClick={() => {
            setRows([]);
            apply([]);
          }}
        >
          {t('list.clearFilters')}
        </Button>
        <Button variant="primary" size="sm" type="submit">
          {t('list.applyFilters')}
        </Button>
      </div>
    </form>
  );
}
