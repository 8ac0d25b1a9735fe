import { ArrowDown, ArrowUp, Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldLabel } from '../../i18n/pick-label';
import { fieldKind, valueKind } from '../../records/field-kind';
import { Button, IconButton, TextField, cx } from '../../ui';
import { SelectField, TextAreaField } from './controls';
import {
  type LayoutSection,
  WIDGET_CHOICES,
  emptyForm,
  fieldUiOf,
  formFields,
  layoutOf,
  withFieldUi,
  withLayout,
} from './form-layout';
import { FormPreview } from './form-preview';
import type { EditorDraft } from './object-draft';

type OnChange = (next: EditorDraft | ((d: EditorDraft) => EditorDraft)) => void;

/** Sections, columns and field order of the record form, plus each field's widget, help and condition. */
export function FormLayoutTab({ draft, onChange }: { draft: EditorDraft; onChange: OnChange }) {
  const { t, i18n } = useTranslation();
  const sections = layoutOf(draft.form, draft.object);
  const [selected, setSelected] = useState<string | null>(null);
  const current = selected && formFields(draft.object).includes(selected) ? selected : null;

  const writeSections = (next: LayoutSection[]) =>
    onChange((d) => ({ ...d, form: withLayout(d.form ?? emptyForm(d.name), next) }));

  function moveField(si: number, fi: number, delta: number) {
    const next = sections.map((s) => ({ ...s, fields: [...s.fields] }));
    const fields = next[si]!.fields;
    const target = fi + delta;
    if (target >= 0 && target < fields.length) {
      const [f] = fields.splice(fi, 1);
      fields.splice(target, 0, f!);
    } else if (target < 0 && si > 0) {
      // Past the top of a section: into the end of the previous one.
      next[si - 1]!.fields.push(fields.splice(fi, 1)[0]!);
    } else if (target >= fields.length && si < next.length - 1) {
      next[si + 1]!.fields.unshift(fields.splice(fi, 1)[0]!);
    } else return;
    writeSections(next);
  }

  const label = (name: string) => fieldLabel(draft.object, name, i18n.language);

  return (
    <div className="f-od-layout">
      <div className="f-od-layout__editor">
        {sections.map((s, si) => (
          <section
            // biome-ignore lint/suspicious/noArrayIndexKey: sections are positional.
            key={si}
            className="f-od-panel f-od-section"
            aria-label={s.title || t('objectDesigner.sectionN', { n: si + 1 })}
          >
            <div className="f-od-section__head">
              <TextField
                label={t('objectDesigner.sectionTitle')}
                value={s.title}
                placeholder={t('objectDesigner.sectionN', { n: si + 1 })}
                onChange={(e) =>
                  writeSections(sections.map((x, j) => (j === si ? { ...x, title: e.target.value } : x)))
                }
              />
              <TextField
                label={t('objectDesigner.sectionTitleZh')}
                lang="zh-CN"
                value={s.titleZh ?? ''}
                onChange={(e) =>
                  writeSections(sections.map((x, j) => (j === si ? { ...x, titleZh: e.target.value } : x)))
                }
              />
              <SelectField
                label={t('objectDesigner.columns')}
                value={String(s.columns)}
                onChange={(v) =>
                  writeSections(sections.map((x, j) => (j === si ? { ...x, columns: v === '2' ? 2 : 1 } : x)))
                }
                options={[
                  { value: '1', label: t('objectDesigner.oneColumn') },
                  { value: '2', label: t('objectDesigner.twoColumns') },
                ]}
              />
              {sections.length > 1 && (
                <IconButton
                  label={t('objectDesigner.removeSection')}
                  icon={<Trash2 size={16} aria-hidden="true" />}
                  onClick={() => {
                    const next = sections.filter((_, j) => j !== si);
                    // Its fields are kept: they join the section before (or after) it.
                    next[Math.max(0, si - 1)]!.fields.push(...s.fields);
                    writeSections(next);
                  }}
                />
              )}
            </div>
            {s.fields.length === 0 ? (
              <p className="f-od-muted">{t('objectDesigner.sectionEmpty')}</p>
            ) : (
              <ol className="f-od-layout-fields">
                {s.fields.map((name, fi) => {
                  const ui = fieldUiOf(draft.form, name);
                  return (
                    <li key={name} className={cx('f-od-layout-field', current === name && 'f-od-layout-field--active')}>
                      <button
                        type="button"
                        className="f-od-layout-field__name"
                        aria-current={current === name ? 'true' : undefined}
                        onClick={() => setSelected(name)}
                      >
                        {label(name)}
                        <span className="f-od-layout-field__meta">
                          {ui.widget && (
                            <span className="f-od-pill">
                              {t(`objectDesigner.widget_${ui.widget}` as 'objectDesigner.widget_text', ui.widget)}
                            </span>
                          )}
                          {ui.visibleIf && (
                            <span className="f-od-pill">
                              {t('objectDesigner.visibleIfShort', { field: label(ui.visibleIf) })}
                            </span>
                          )}
                        </span>
                      </button>
                      <IconButton
                        label={t('objectDesigner.moveFieldUp', { field: label(name) })}
                        icon={<ArrowUp size={14} aria-hidden="true" />}
                        disabled={si === 0 && fi === 0}
                        onClick={() => moveField(si, fi, -1)}
                      />
                      <IconButton
                        label={t('objectDesigner.moveFieldDown', { field: label(name) })}
                        icon={<ArrowDown size={14} aria-hidden="true" />}
                        disabled={si === sections.length - 1 && fi === s.fields.length - 1}
                        onClick={() => moveField(si, fi, 1)}
                      />
                    </li>
                  );
                })}
              </ol>
            )}
          </section>
        ))}
        <Button
          icon={<Plus size={16} aria-hidden="true" />}
          onClick={() => writeSections([...sections, { title: '', columns: 1, fields: [] }])}
        >
          {t('objectDesigner.addSection')}
        </Button>
      </div>
      <div className="f-od-layout__side">
        <section className="f-od-panel" aria-labelledby="f-od-field-ui-title">
          <header className="f-od-panel__header">
            <h2 id="f-od-field-ui-title">{current ? label(current) : t('objectDesigner.fieldDisplay')}</h2>
          </header>
          {current ? (
            <FieldUiPanel key={current} draft={draft} name={current} onChange={onChange} />
          ) : (
            <p className="f-od-muted">{t('objectDesigner.pickLayoutField')}</p>
          )}
        </section>
        <section className="f-od-panel" aria-labelledby="f-od-layout-preview">
          <header className="f-od-panel__header">
            <h2 id="f-od-layout-preview">{t('objectDesigner.preview')}</h2>
          </header>
          <FormPreview draft={draft} />
        </section>
      </div>
    </div>
  );
}

function FieldUiPanel({ draft, name, onChange }: { draft: EditorDraft; name: string; onChange: OnChange }) {
  const { t, i18n } = useTranslation();
  const ui = fieldUiOf(draft.form, name);
  const f = draft.object.properties?.[name] ?? {};
  const choices = WIDGET_CHOICES[valueKind(f)] ?? [];
  const write = (next: typeof ui) =>
    onChange((d) => ({ ...d, form: withFieldUi(d.form ?? emptyForm(d.name), name, next) }));
  const others = formFields(draft.object).filter((n) => n !== name);
  return (
    <div className="f-od-props__group">
      <p className="f-field__hint">
        {t('objectDesigner.kind')}: {t(`objectDesigner.kind_${fieldKind(f)}` as const)}
      </p>
      {choices.length > 0 && (
        <SelectField
          label={t('objectDesigner.widget')}
          value={ui.widget ?? ''}
          onChange={(v) => write({ ...ui, widget: v })}
          options={[
            { value: '', label: t('objectDesigner.widgetDefault') },
            ...choices.map((c) => ({
              value: c,
              label: t(`objectDesigner.widget_${c}` as 'objectDesigner.widget_text'),
            })),
          ]}
        />
      )}
      <TextAreaField
        label={t('objectDesigner.helpText')}
        value={ui.help ?? ''}
        rows={2}
        onChange={(v) => write({ ...ui, help: v })}
      />
      <SelectField
        label={t('objectDesigner.visibleIf')}
        value={ui.visibleIf ?? ''}
        onChange={(v) => write({ ...ui, visibleIf: v })}
        options={[
          { value: '', label: t('objectDesigner.alwaysVisible') },
          ...others.map((o) => ({ value: o, label: fieldLabel(draft.object, o, i18n.language) })),
        ]}
        hint={t('objectDesigner.visibleIfHint')}
      />
    </div>
  );
}
