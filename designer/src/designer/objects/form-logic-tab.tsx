import type { FormRule } from '@forma/metadata/form-rules';
import { Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConditionBuilder } from '../../conditions/condition-builder';
import {
  type ConditionGroup,
  conditionFields,
  emptyGroup,
  fromFilter,
  newRow,
  toFilter,
} from '../../conditions/condition-model';
import { fieldLabel, objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Button, IconButton } from '../../ui';
import type { FullMetaDocument } from '../common/meta-write-api';
import { SelectField } from './controls';
import { layoutOf } from './form-layout';
import type { EditorDraft } from './object-draft';
import {
  lookupFilterOf,
  type RuleEffect,
  RULE_EFFECTS,
  rulesOf,
  ruleTargets,
  withLookupFilter,
  withRules,
} from './form-logic-model';

type OnChange = (next: EditorDraft | ((d: EditorDraft) => EditorDraft)) => void;

/**
 * Form logic of the object (`x-form-rules` and `x-lookup-filter`, docs/designer.md): rules that
 * show, hide, require or lock fields while a condition holds, written with the same condition
 * builder as automation rules, and lookup pickers narrowed by other fields. Published like every
 * other edit of the object (plan, then apply).
 */
export function FormLogicTab({
  doc,
  draft,
  onChange,
}: {
  doc: FullMetaDocument;
  draft: EditorDraft;
  onChange: OnChange;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const o = draft.object;
  const rules = rulesOf(o);
  const targets = ruleTargets(o);
  const sections = layoutOf(draft.form, o).filter((s) => s.title && s.fields.some((f) => targets.includes(f)));
  // Rows being typed (a value still missing) stay here until they make a whole condition.
  const [groups, setGroups] = useState<Record<number, ConditionGroup>>({});
  // A lookup's target field chosen before this record's field (when no single field fits).
  const [pending, setPending] = useState<Record<string, string>>({});
  const label = (n: string) => fieldLabel(o, n, lang);
  const setRules = (next: FormRule[]) => onChange((d) => ({ ...d, object: withRules(d.object, next) }));
  const groupOf = (i: number, rule: FormRule): ConditionGroup => {
    const local = groups[i];
    if (local && JSON.stringify(toFilter(local, o).filter ?? {}) === JSON.stringify(rule.when)) return local;
    return fromFilter(rule.when as Record<string, unknown>, o) ?? emptyGroup();
  };
  const update = (i: number, patch: Partial<FormRule>) =>
    setRules(rules.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  const addRule = () => {
    const first = conditionFields(o)[0];
    const group: ConditionGroup = first ? { ...emptyGroup(), items: [newRow(o, first)] } : emptyGroup();
    setGroups((g) => ({ ...g, [rules.length]: group }));
    setRules([...rules, { fields: [], effect: 'show', when: {} }]);
  };
  const removeRule = (i: number) => {
    setGroups({});
    setRules(rules.filter((_, k) => k !== i));
  };
  const lookups = Object.entries(o.properties ?? {}).filter(([, f]) => {
    const ref = f['x-ref'];
    return typeof ref === 'string' && ref !== 'user' && !!doc.objects?.[ref];
  });

  return (
    <div className="f-od-panel f-od-logic">
      <section className="f-od-props__group" aria-labelledby="f-od-logic-rules">
        <h3 id="f-od-logic-rules">{t('formLogic.rulesTitle')}</h3>
        <p className="f-field__hint">{t('formLogic.rulesHint')}</p>
        {rules.length === 0 && <p className="f-od-muted">{t('formLogic.noRules')}</p>}
        {rules.map((rule, i) => {
          const group = groupOf(i, rule);
          const { problems } = toFilter(group, o);
          const title = t('formLogic.ruleN', { n: i + 1 });
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity beyond their position.
            <fieldset key={i} className="f-od-logic__rule" aria-label={title}>
              <div className="f-od-logic__head">
                <strong>{title}</strong>
                <IconButton
                  icon={<Trash2 size={16} aria-hidden="true" />}
                  label={t('formLogic.removeRule', { n: i + 1 })}
                  onClick={() => removeRule(i)}
                />
              </div>
              <SelectField
                label={t('formLogic.effect')}
                value={rule.effect}
                onChange={(v) => update(i, { effect: v as RuleEffect })}
                options={RULE_EFFECTS.map((e) => ({ value: e, label: t(`formLogic.effect_${e}` as const) }))}
              />
              <div className="f-field">
                <fieldset className="f-od-logic__fields">
                  <legend className="f-field__label">{t('formLogic.fields')}</legend>
                  {targets.map((n) => (
                    <label key={n} className="f-od-logic__chip">
                      <input
                        type="checkbox"
                        checked={rule.fields.includes(n)}
                        onChange={(e) =>
                          update(i, {
                            fields: e.target.checked ? [...rule.fields, n] : rule.fields.filter((f) => f !== n),
                          })
                        }
                      />
                      {label(n)}
                    </label>
                  ))}
                </fieldset>
                {sections.length > 0 && (
                  <SelectField
                    label={t('formLogic.addSection')}
                    value=""
                    onChange={(v) => {
                      const s = sections[Number(v)];
                      if (s)
                        update(i, {
                          fields: [...new Set([...rule.fields, ...s.fields.filter((f) => targets.includes(f))])],
                        });
                    }}
                    options={[
                      { value: '', label: t('formLogic.chooseSection') },
                      ...sections.map((s, k) => ({
                        value: String(k),
                        label: (lang.toLowerCase().startsWith('zh') && s.titleZh) || s.title,
                      })),
                    ]}
                  />
                )}
                {rule.fields.length === 0 && (
                  <p className="f-field__error" role="alert">
                    {t('formLogic.needsField')}
                  </p>
                )}
              </div>
              <div className="f-field">
                <span className="f-field__label">{t('formLogic.when')}</span>
                <ConditionBuilder
                  label={t('formLogic.whenOf', { n: i + 1 })}
                  schema={o}
                  value={group}
                  problems={problems}
                  onChange={(next) => {
                    setGroups((g) => ({ ...g, [i]: next }));
                    update(i, { when: (toFilter(next, o).filter ?? {}) as FormRule['when'] });
                  }}
                />
              </div>
            </fieldset>
          );
        })}
        <div>
          <Button icon={<Plus size={16} aria-hidden="true" />} onClick={addRule} disabled={targets.length === 0}>
            {t('formLogic.addRule')}
          </Button>
        </div>
      </section>

      <section className="f-od-props__group" aria-labelledby="f-od-logic-lookups">
        <h3 id="f-od-logic-lookups">{t('formLogic.lookupsTitle')}</h3>
        <p className="f-field__hint">{t('formLogic.lookupsHint')}</p>
        {lookups.length === 0 && <p className="f-od-muted">{t('formLogic.noLookups')}</p>}
        {lookups.map(([name, f]) => {
          const ref = String(f['x-ref']);
          const target = (doc.objects?.[ref] ?? {}) as ObjectSchema;
          const stored = lookupFilterOf(f);
          const current = stored.target ? stored : { target: pending[name] };
          const targetFields = Object.keys(target.properties ?? {}).filter((n) => !!target.properties?.[n]?.['x-ref']);
          const sources = Object.keys(o.properties ?? {}).filter(
            (n) => n !== name && o.properties?.[n]?.['x-ref'] === target.properties?.[current.target ?? '']?.['x-ref'],
          );
          return (
            <div key={name} className="f-od-logic__lookup">
              <strong>
                {label(name)} → {objectLabel(ref, target, lang)}
              </strong>
              <div className="f-od-form__row">
                <SelectField
                  label={t('formLogic.lookupTarget', { object: objectLabel(ref, target, lang) })}
                  value={current.target ?? ''}
                  onChange={(v) => {
                    setPending((p) => ({ ...p, [name]: v }));
                    onChange((d) => ({
                      ...d,
                      object: withLookupFilter(d.object, name, v || undefined, undefined, target),
                    }));
                  }}
                  options={[
                    { value: '', label: t('formLogic.noFilter') },
                    ...targetFields.map((n) => ({ value: n, label: fieldLabel(target, n, lang) })),
                  ]}
                />
                <SelectField
                  label={t('formLogic.lookupSource')}
                  value={current.source ?? ''}
                  disabled={!current.target}
                  onChange={(v) =>
                    onChange((d) => ({
                      ...d,
                      object: withLookupFilter(d.object, name, current.target, v || undefined),
                    }))
                  }
                  options={[
                    { value: '', label: t('formLogic.chooseField') },
                    ...sources.map((n) => ({ value: n, label: label(n) })),
                  ]}
                />
              </div>
            </div>
          );
        })}
      </section>
    </div>
  );
}
