import { ArrowDown, ArrowUp, Plus, X } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { FieldSchema } from '../../meta/meta-types';
import { Button, IconButton } from '../../ui';
import { optionsOf, withOptions } from './field-catalog';

/** The choices of a select or multiselect field: the stored value and its English label. */
/** What the server accepts for a stored choice (field.schema.json enumValues): 1 to 200 characters. */
const validValue = (v: string) => v.length > 0 && v.length <= 200;

export function OptionsEditor({ f, onChange }: { f: FieldSchema; onChange: (f: FieldSchema) => void }) {
  const { t } = useTranslation();
  const labels = (f['x-enum-labels'] ?? {}) as Record<string, string>;
  const options = optionsOf(f).map((value) => ({ value, label: labels[value] ?? '' }));
  const write = (next: typeof options) => onChange(withOptions(f, next));
  const values = options.map((o) => o.value);
  const duplicate = (v: string) => values.indexOf(v) !== values.lastIndexOf(v);

  function add() {
    let n = options.length + 1;
    while (values.includes(`option_${n}`)) n++;
    write([...options, { value: `option_${n}`, label: `Option ${n}` }]);
  }

  function move(i: number, delta: number) {
    const next = [...options];
    const [o] = next.splice(i, 1);
    next.splice(i + delta, 0, o!);
    write(next);
  }

  return (
    <fieldset className="f-od-options">
      <legend className="f-field__label">{t('objectDesigner.options')}</legend>
      <ol>
        {options.map((o, i) => {
          const bad = !validValue(o.value) || duplicate(o.value);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: an option is edited in place, its value may change.
            <li key={i} className="f-od-option">
              <input
                className="f-input__control f-od-mono"
                aria-label={t('objectDesigner.optionValue', { n: i + 1 })}
                aria-invalid={bad || undefined}
                value={o.value}
                spellCheck={false}
                onChange={(e) => write(options.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
              />
              <input
                className="f-input__control"
                aria-label={t('objectDesigner.optionLabel', { n: i + 1 })}
                value={o.label}
                onChange={(e) => write(options.map((x, j) => (j === i ? { ...x, label: e.target.value } : x)))}
              />
              <IconButton
                label={t('objectDesigner.moveUp')}
                icon={<ArrowUp size={14} aria-hidden="true" />}
                disabled={i === 0}
                onClick={() => move(i, -1)}
              />
              <IconButton
                label={t('objectDesigner.moveDown')}
                icon={<ArrowDown size={14} aria-hidden="true" />}
                disabled={i === options.length - 1}
                onClick={() => move(i, 1)}
              />
              <IconButton
                label={t('objectDesigner.removeOption', { value: o.value })}
                icon={<X size={14} aria-hidden="true" />}
                disabled={options.length === 1}
                onClick={() => write(options.filter((_, j) => j !== i))}
              />
            </li>
          );
        })}
      </ol>
      {values.some((v) => !validValue(v) || duplicate(v)) && (
        <p className="f-field__error">{t('objectDesigner.optionInvalid')}</p>
      )}
      <Button size="sm" variant="ghost" icon={<Plus size={14} aria-hidden="true" />} onClick={add}>
        {t('objectDesigner.addOption')}
      </Button>
    </fieldset>
  );
}
