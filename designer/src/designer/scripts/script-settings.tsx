import { useTranslation } from 'react-i18next';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { ScriptEventSelect, ScriptLanguageSelect } from './script-setting-selects';
import { scriptLabelIn, withScriptLabelIn } from './script-label';
import type { ScriptDefinition } from './scripts-api';

interface ScriptSettingsProps {
  /** Prefix of the inputs' ids. */
  id: string;
  script: ScriptDefinition;
  objects: Record<string, ObjectSchema>;
  lang: string;
  /** The script with its settings changed. */
  onChange: (next: ScriptDefinition) => void;
}

/** A script's label, object, event, language, order and whether it runs. */
export function ScriptSettings({ id, script, objects, lang, onChange }: ScriptSettingsProps) {
  const { t } = useTranslation();
  const edit = (patch: Partial<ScriptDefinition>) => onChange({ ...script, ...patch });
  return (
    <div className="f-scripts__props">
      <label className="f-perm-sharing__cell f-scripts__label" htmlFor={`${id}-label`}>
        <span className="f-field__label">{t('scriptEditor.label')}</span>
        <input
          id={`${id}-label`}
          className="f-input__control f-perm-input"
          value={script.label ?? ''}
          maxLength={200}
          onChange={(e) => {
            const { label: _old, ...rest } = script;
            onChange(e.target.value ? { ...rest, label: e.target.value } : rest);
          }}
        />
      </label>
      <label className="f-perm-sharing__cell f-scripts__label" htmlFor={`${id}-label-zh`}>
        <span className="f-field__label">{t('scriptEditor.labelZh')}</span>
        <input
          id={`${id}-label-zh`}
          className="f-input__control f-perm-input"
          lang="zh-CN"
          value={scriptLabelIn(script, 'zh-CN')}
          maxLength={200}
          onChange={(e) => onChange(withScriptLabelIn(script, 'zh-CN', e.target.value))}
        />
      </label>
      <label className="f-perm-sharing__cell" htmlFor={`${id}-object`}>
        <span className="f-field__label">{t('scriptEditor.object')}</span>
        <select
          id={`${id}-object`}
          className="f-select"
          value={script.object}
          onChange={(e) => edit({ object: e.target.value })}
        >
          {!objects[script.object] && <option value={script.object}>{script.object}</option>}
          {Object.keys(objects)
            .sort()
            .map((n) => (
              <option key={n} value={n}>
                {objectLabel(n, objects[n], lang)}
              </option>
            ))}
        </select>
      </label>
      <ScriptEventSelect id={`${id}-event`} value={script.event} onChange={(event) => edit({ event })} />
      <ScriptLanguageSelect
        id={`${id}-lang`}
        value={script.language ?? 'js'}
        onChange={(language) => edit({ language })}
      />
      <label className="f-perm-sharing__cell f-scripts__order" htmlFor={`${id}-order`}>
        <span className="f-field__label">{t('scriptEditor.order')}</span>
        <input
          id={`${id}-order`}
          className="f-input__control f-perm-input"
          type="number"
          min={-1000}
          max={1000}
          step={1}
          value={script.order ?? 0}
          onChange={(e) => {
            const n = Math.trunc(Number(e.target.value));
            if (Number.isFinite(n)) edit({ order: Math.max(-1000, Math.min(1000, n)) });
          }}
        />
      </label>
      <label className="f-scripts__active">
        <input type="checkbox" checked={script.active !== false} onChange={(e) => edit({ active: e.target.checked })} />
        {t('scriptEditor.active')}
      </label>
    </div>
  );
}
