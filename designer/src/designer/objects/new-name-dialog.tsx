import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, TextField } from '../../ui';
import { nameFromLabel, nameProblem } from './identifier';

interface NewNameDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  what: 'object' | 'view';
  /** Names already in use, refused as duplicates. */
  taken: string[];
  title: string;
  description?: string;
  nameHint: string;
  submitLabel: string;
  onCreate: (name: string, label: string) => void;
}

/**
 * Asks for a label and an API name (derived from the label until edited), checked as the server
 * will check it, before an object or a view is created.
 */
export function NewNameDialog({
  open,
  onOpenChange,
  what,
  taken,
  title,
  description,
  nameHint,
  submitLabel,
  onCreate,
}: NewNameDialogProps) {
  const { t } = useTranslation();
  const [label, setLabel] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const effectiveName = nameTouched ? name : nameFromLabel(label, '');
  const problem = nameProblem(effectiveName, what, taken);
  const labelMissing = !label.trim();

  function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (problem || labelMissing) return;
    onCreate(effectiveName, label.trim());
    onOpenChange(false);
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (o) {
          setLabel('');
          setName('');
          setNameTouched(false);
          setSubmitted(false);
        }
        onOpenChange(o);
      }}
      title={title}
      {...(description ? { description } : {})}
      closeLabel={t('common.close')}
      width={480}
    >
      <form className="f-od-form" onSubmit={submit} noValidate>
        <TextField
          label={t('objectDesigner.label')}
          value={label}
          required
          autoFocus
          maxLength={200}
          onChange={(e) => setLabel(e.target.value)}
          error={submitted && labelMissing ? t('common.required') : undefined}
        />
        <TextField
          label={t('objectDesigner.apiName')}
          value={effectiveName}
          required
          maxLength={63}
          spellCheck={false}
          autoCapitalize="off"
          className="f-od-mono-field"
          onChange={(e) => {
            setNameTouched(true);
            setName(e.target.value);
          }}
          hint={nameHint}
          error={(submitted || nameTouched) && problem ? t(`objectDesigner.name_${problem}` as const) : undefined}
        />
        <div className="f-od-form__actions">
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary">
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
