import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Button, Dialog, TextField } from '../../ui';
import { SCRIPT_NAME, type ScriptDefinition, type ScriptEvent } from './scripts-api';
import { ScriptEventSelect, ScriptLanguageSelect } from './script-setting-selects';
import { starterCode } from './starter-code';

interface NewScriptDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  objects: Record<string, ObjectSchema>;
  taken: readonly string[];
  lang: string;
  onCreate: (name: string, script: ScriptDefinition) => void;
}

/** Name, object, event and language of a new script; it stays a local draft until saved. */
export function NewScriptDialog({ open, onOpenChange, objects, taken, lang, onCreate }: NewScriptDialogProps) {
  const { t } = useTranslation();
  const id = useId();
  const names = Object.keys(objects).sort();
  const [name, setName] = useState('');
  const [object, setObject] = useState('');
  const [event, setEvent] = useState<ScriptEvent>('validate');
  const [language, setLanguage] = useState<'js' | 'ts'>('js');
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (!open) return;
    setName('');
    setObject((o) => o || names[0] || '');
    setTouched(false);
  }, [open, names[0]]);

  const trimmed = name.trim();
  const problem = !trimmed
    ? 'required'
    : !SCRIPT_NAME.test(trimmed)
      ? 'format'
      : taken.includes(trimmed)
        ? 'taken'
        : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem || !object) return;
    onCreate(trimmed, { object, event, language, code: starterCode(event), active: true });
    onOpenChange(false);
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('scriptEditor.newScript')}
      closeLabel={t('common.close')}
      width={480}
    >
      <form className="f-perm-dialog__form" onSubmit={submit} noValidate>
        <TextField
          label={t('scriptEditor.name')}
          hint={t('scriptEditor.nameHint')}
          value={name}
          required
          maxLength={63}
          spellCheck={false}
          autoCapitalize="off"
          autoFocus
          error={touched && problem ? t(`scriptEditor.nameProblem_${problem}`) : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        <label className="f-perm-sharing__cell" htmlFor={`${id}-o`}>
          <span className="f-field__label">{t('scriptEditor.object')}</span>
          <select id={`${id}-o`} className="f-select" value={object} onChange={(e) => setObject(e.target.value)}>
            {names.map((n) => (
              <option key={n} value={n}>
                {objectLabel(n, objects[n], lang)}
              </option>
            ))}
          </select>
        </label>
        <ScriptEventSelect id={`${id}-e`} value={event} onChange={setEvent} />
        <ScriptLanguageSelect id={`${id}-l`} value={language} onChange={setLanguage} />
        <div className="f-perm-dialog__actions">
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary">
            {t('scriptEditor.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
