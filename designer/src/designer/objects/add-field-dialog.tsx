import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { objectLabel } from '../../i18n/pick-label';
import type { FieldSchema } from '../../meta/meta-types';
import { Button, Dialog, TextField, cx } from '../../ui';
import type { FullMetaDocument } from '../common/meta-write-api';
import { CheckField, SelectField } from './controls';
import { ADDABLE_KINDS, type AddableKind, newField } from './field-catalog';
import { KindIcon } from './kind-icon';
import { nameFromLabel, nameProblem } from './identifier';
import type { EditorDraft } from './object-draft';

/** Lookup targets: every object (the one being edited included: self-lookups are fine) and users. */
export function lookupTargets(doc: FullMetaDocument, draft: EditorDraft, lang: string) {
  const names = new Set([...Object.keys(doc.objects ?? {}).filter((n) => doc.objects[n]), draft.name]);
  return [
    ...[...names].sort().map((n) => ({
      value: n,
      label: n === draft.name ? objectLabel(n, draft.object, lang) : objectLabel(n, doc.objects[n] ?? undefined, lang),
    })),
    { value: 'user', label: 'User' },
  ];
}

export function AddFieldDialog({
  open,
  onOpenChange,
  doc,
  draft,
  onAdd,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  doc: FullMetaDocument;
  draft: EditorDraft;
  onAdd: (name: string, field: FieldSchema, required: boolean) => void;
}) {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<AddableKind>('text');
  const [label, setLabel] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [required, setRequired] = useState(false);
  const [target, setTarget] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const taken = Object.keys(draft.object.properties ?? {});
  const fallback = `field_${taken.length + 1}`;
  const effectiveName = nameTouched ? name : nameFromLabel(label, label.trim() ? fallback : '');
  const problem = nameProblem(effectiveName, 'field', taken);
  const targets = lookupTargets(doc, draft, i18n.language);
  const effectiveTarget = target || targets[0]?.value || '';
  const computed = kind === 'formula' || kind === 'autonumber' || kind === 'rollup';

  function reset() {
    setKind('text');
    setLabel('');
    setName('');
    setNameTouched(false);
    setRequired(false);
    setTarget('');
    setSubmitted(false);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (problem || !label.trim()) return;
    onAdd(effectiveName, newField(kind, label.trim(), effectiveTarget), required && !computed);
    onOpenChange(false);
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (o) reset();
        onOpenChange(o);
      }}
      title={t('objectDesigner.addField')}
      closeLabel={t('common.close')}
      width={640}
    >
      <form className="f-od-form" onSubmit={submit} noValidate>
        <fieldset className="f-od-kinds">
          <legend className="f-field__label">{t('objectDesigner.kind')}</legend>
          <div className="f-od-kinds__grid" role="radiogroup" aria-label={t('objectDesigner.kind')}>
            {ADDABLE_KINDS.map((k) => (
              <label key={k} className={cx('f-od-kind', kind === k && 'f-od-kind--active')}>
                <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                <KindIcon kind={k} />
                <span>{t(`objectDesigner.kind_${k}` as const)}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="f-od-form__row">
          <TextField
            label={t('objectDesigner.label')}
            value={label}
            required
            maxLength={200}
            onChange={(e) => setLabel(e.target.value)}
            error={submitted && !label.trim() ? t('common.required') : undefined}
          />
          <TextField
            label={t('objectDesigner.apiName')}
            value={effectiveName}
            required
            maxLength={63}
            spellCheck={false}
            autoCapitalize="off"
            onChange={(e) => {
              setNameTouched(true);
              setName(e.target.value);
            }}
            error={(submitted || nameTouched) && problem ? t(`objectDesigner.name_${problem}` as const) : undefined}
          />
        </div>
        {kind === 'lookup' && (
          <SelectField
            label={t('objectDesigner.lookupTarget')}
            value={effectiveTarget}
            onChange={setTarget}
            options={targets}
          />
        )}
        {!computed && <CheckField label={t('objectDesigner.required')} checked={required} onChange={setRequired} />}
        <div className="f-od-form__actions">
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary">
            {t('objectDesigner.addField')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
