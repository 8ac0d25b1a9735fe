import { useTranslation } from 'react-i18next';
import { SCRIPT_EVENTS, type ScriptEvent } from './scripts-api';

type Language = 'js' | 'ts';

/** The event a script runs on; the new-script dialog and the editor's settings row share it. */
export function ScriptEventSelect({
  id,
  value,
  onChange,
}: {
  id: string;
  value: ScriptEvent;
  onChange(event: ScriptEvent): void;
}) {
  const { t } = useTranslation();
  return (
    <label className="f-perm-sharing__cell" htmlFor={id}>
      <span className="f-field__label">{t('scriptEditor.event')}</span>
      <select id={id} className="f-select" value={value} onChange={(e) => onChange(e.target.value as ScriptEvent)}>
        {SCRIPT_EVENTS.map((ev) => (
          <option key={ev} value={ev}>
            {t(`scriptEditor.event_${ev}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** JavaScript or TypeScript source. */
export function ScriptLanguageSelect({
  id,
  value,
  onChange,
}: {
  id: string;
  value: Language;
  onChange(language: Language): void;
}) {
  const { t } = useTranslation();
  return (
    <label className="f-perm-sharing__cell" htmlFor={id}>
      <span className="f-field__label">{t('scriptEditor.language')}</span>
      <select id={id} className="f-select" value={value} onChange={(e) => onChange(e.target.value as Language)}>
        <option value="js">{t('scriptEditor.language_js')}</option>
        <option value="ts">{t('scriptEditor.language_ts')}</option>
      </select>
    </label>
  );
}
