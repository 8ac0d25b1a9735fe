import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Plus, Share2, Trash2 } from 'lucide-react';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { FilterBuilder } from '../../records/filter-builder';
import { toApiFilter } from '../../records/filter-model';
import { Button, EmptyState, IconButton } from '../../ui';
import { filterToRows, type SharingRule } from './role-model';

interface SharingRulesEditorProps {
  rules: SharingRule[];
  objects: Record<string, ObjectSchema>;
  lang: string;
  onChange: (rules: SharingRule[]) => void;
}

/** A role's sharing rules: records matching a filter are readable (or editable) on top of the scope. */
export function SharingRulesEditor({ rules, objects, lang, onChange }: SharingRulesEditorProps) {
  const { t } = useTranslation();
  const id = useId();
  const names = Object.keys(objects).sort();
  const update = (i: number, patch: Partial<SharingRule>) =>
    onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <div className="f-perm-sharing">
      <p className="f-perm-hint">{t('permissions.sharingHint')}</p>
      {rules.length === 0 && (
        <EmptyState
          compact
          icon={<Share2 size={20} aria-hidden="true" />}
          title={t('permissions.noSharingTitle')}
          body={t('permissions.noSharingBody')}
        />
      )}
      <ol className="f-perm-sharing__list">
        {rules.map((rule, i) => {
          const schema = objects[rule.object];
          const rows = filterToRows(rule.filter);
          const fields = Object.keys(schema?.properties ?? {});
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity beyond their position
            <li key={i} className="f-perm-sharing__rule">
              <fieldset>
                <legend className="f-perm-sharing__legend">{t('permissions.ruleN', { n: i + 1 })}</legend>
                <div className="f-perm-sharing__head">
                  <label className="f-perm-sharing__cell">
                    <span className="f-field__label">{t('permissions.object')}</span>
                    <select
                      className="f-select"
                      value={rule.object}
                      onChange={(e) => update(i, { object: e.target.value, filter: {} })}
                    >
                      {!schema && <option value={rule.object}>{rule.object}</option>}
                      {names.map((n) => (
                        <option key={n} value={n}>
                          {objectLabel(n, objects[n], lang)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="f-perm-sharing__cell">
                    <span className="f-field__label">{t('permissions.ruleAccess')}</span>
                    <select
                      className="f-select"
                      value={rule.access}
                      onChange={(e) => update(i, { access: e.target.value as SharingRule['access'] })}
                    >
                      <option value="read">{t('permissions.access_read')}</option>
                      <option value="edit">{t('permissions.access_edit')}</option>
                    </select>
                  </label>
                  <label className="f-perm-sharing__cell f-perm-sharing__label">
                    <span className="f-field__label">{t('permissions.ruleLabel')}</span>
                    <input
                      className="f-input__control f-perm-input"
                      value={rule.label ?? ''}
                      maxLength={200}
                      onChange={(e) => {
                        const { label: _drop, ...rest } = rule;
                        onChange(
                          rules.map((r, j) =>
                            j === i ? (e.target.value ? { ...rest, label: e.target.value } : rest) : r,
                          ),
                        );
                      }}
                    />
                  </label>
                  <IconButton
                    label={t('permissions.removeRule', { n: i + 1 })}
                    icon={<Trash2 size={16} aria-hidden="true" />}
                    onClick={() => onChange(rules.filter((_, j) => j !== i))}
                  />
                </div>
                <p className="f-field__label" id={`${id}-f${i}`}>
                  {t('permissions.ruleFilter')}
                </p>
                {schema && rows ? (
                  <FilterBuilder
                    key={`${rule.object}:${JSON.stringify(rule.filter)}`}
                    schema={schema}
                    fields={fields}
                    lang={lang}
                    initial={rows}
                    onApply={(next) => update(i, { filter: toApiFilter(next, schema).filter ?? {} })}
                  />
                ) : (
                  <pre className="f-perm-sharing__raw">{JSON.stringify(rule.filter, null, 2)}</pre>
                )}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <Button
        icon={<Plus size={16} aria-hidden="true" />}
        disabled={names.length === 0}
        onClick={() => onChange([...rules, { object: names[0] ?? '', access: 'read', filter: {} }])}
      >
        {t('permissions.addRule')}
      </Button>
    </div>
  );
}
