import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, TextField } from '../../ui';
import { SelectField } from '../objects/controls';
import { IDENTIFIER, nameFromLabel } from '../objects/identifier';

export interface NewObjectItemDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** API names already in use. */
  taken: string[];
  objects: Array<{ value: string; label: string }>;
  initialObject?: string;
  onCreate: (name: string, label: string, object: string) => void;
  /** The locale section holding the texts (`label`, `apiName`, `nameHint`, `object`, `create`, errors). */
  texts: 'automations' | 'workflowDesigner' | 'webFormsDesigner' | 'reportBuilder' | 'segmentsDesigner';
  title: string;
  /** The form's id and class (tests and styles find it by them). */
  formId: string;
}

/**
 * "New …" for metadata that belongs to one object (workflows, automation rules): a label, an API
 * name derived from it until typed by hand, and the object.
 */
export function NewObjectItemDialog(props: NewObjectItemDialogProps) {
  const { open, onOpenChange, taken, objects, initialObject, onCreate, texts, title, formId } = props;
  const { t } = useTranslation();
  const [label, setLabel] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [object, setObject] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const effectiveName = nameTouched ? name : nameFromLabel(label, '');
  const chosenObject = object || initialObject || objects[0]?.value || '';
  const nameError = !effectiveName
    ? t(`${texts}.nameRequired`)
    : !IDENTIFIER.test(effectiveName)
      ? t(`${texts}.namePattern`)
      : taken.includes(effectiveName)
        ? t(`${texts}.nameTaken`)
        : undefined;
  const labelError = label.trim() ? undefined : t(`${texts}.labelRequired`);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (nameError || labelError || !chosenObject) return;
    onCreate(effectiveName, label.trim(), chosenObject);
    onOpenChange(false);
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form={formId}>
            {t(`${texts}.create`)}
          </Button>
        </>
      }
    >
      <form id={formId} className={formId} onSubmit={submit} noValidate>
        <TextField
          label={t(`${texts}.label`)}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          error={submitted ? labelError : undefined}
          required
        />
        <TextField
          label={t(`${texts}.apiName`)}
          value={effectiveName}
          onChange={(e) => {
            setNameTouched(true);
            setName(e.target.value);
          }}
          hint={t(`${texts}.nameHint`)}
          error={submitted || nameTouched ? nameError : undefined}
          required
        />
        <SelectField label={t(`${texts}.object`)} value={chosenObject} options={objects} onChange={setObject} />
      </form>
    </Dialog>
  );
}
