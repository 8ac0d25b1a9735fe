import { useTranslation } from 'react-i18next';
import { fieldLabel } from '../../i18n/pick-label';
import { valueKind } from '../../records/field-kind';
import { TextField } from '../../ui';
import { CheckField, SelectField, TextAreaField } from './controls';
import { i18nTitle, withI18nTitle, withKeyword } from './field-catalog';
import type { EditorDraft } from './object-draft';

type OnChange = (next: EditorDraft | ((d: EditorDraft) => EditorDraft)) => void;

const SEARCHABLE = new Set(['text', 'textarea', 'email', 'url']);

/** The object's own settings: labels in both languages, description, record label field, search fields. */
export function ObjectSettingsTab({ draft, onChange }: { draft: EditorDraft; onChange: OnChange }) {
  const { t, i18n } = useTranslation();
  const o = draft.object;
  const props = o.properties ?? {};
  const setObject = (object: typeof o) => onChange((d) => ({ ...d, object }));
  const search = Array.isArray(o['x-search']) ? (o['x-search'] as string[]) : [];
  const textFields = Object.keys(props).filter(
    (n) => SEARCHABLE.has(valueKind(props[n] ?? {})) && !props[n]?.['x-formula'],
  );
  const labelCandidates = Object.keys(props).filter((n) => ['text', 'email'].includes(valueKind(props[n] ?? {})));
  return (
    <div className="f-od-panel f-od-settings">
      <div className="f-od-props__group">
        <div className="f-od-form__row">
          <TextField
            label={t('objectDesigner.label')}
            value={typeof o.title === 'string' ? o.title : ''}
            onChange={(e) => setObject(withKeyword(o, 'title', e.target.value))}
          />
          <TextField
            label={t('objectDesigner.labelZh')}
            lang="zh-CN"
            value={i18nTitle(o, 'zh-CN')}
            onChange={(e) => setObject(withI18nTitle(o, 'zh-CN', e.target.value))}
          />
        </div>
        <TextAreaField
          label={t('objectDesigner.description')}
          value={typeof o.description === 'string' ? o.description : ''}
          onChange={(v) => setObject(withKeyword(o, 'description', v))}
        />
        <SelectField
          label={t('objectDesigner.labelField')}
          value={typeof o['x-label-field'] === 'string' ? o['x-label-field'] : ''}
          onChange={(v) => setObject(withKeyword(o, 'x-label-field', v))}
          options={[
            { value: '', label: t('objectDesigner.labelFieldAuto') },
            ...labelCandidates.map((n) => ({ value: n, label: fieldLabel(o, n, i18n.language) })),
          ]}
          hint={t('objectDesigner.labelFieldHint')}
        />
      </div>
      <fieldset className="f-od-props__group">
        <legend>
          <h3>{t('objectDesigner.searchFields')}</h3>
        </legend>
        <p className="f-field__hint">{t('objectDesigner.searchFieldsHint')}</p>
        {textFields.length === 0 && <p className="f-od-muted">{t('objectDesigner.noSearchable')}</p>}
        {textFields.map((n) => (
          <CheckField
            key={n}
            label={fieldLabel(o, n, i18n.language)}
            checked={search.includes(n)}
            onChange={(v) => {
              const list = search.filter((x) => x !== n);
              if (v) list.push(n);
              setObject(withKeyword(o, 'x-search', list.length ? list : undefined));
            }}
          />
        ))}
      </fieldset>
    </div>
  );
}
