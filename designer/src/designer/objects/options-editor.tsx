import { ArrowDown, ArrowUp, Plus, X } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { FieldSchema } from '../../meta/meta-types';
import { Button, IconButton } from '../../ui';
import { optionsOf, withOptions } from './field-catalog';

type I18nMap = Record<string, Record<string, unknown>>;

/** The Chinese option labels (`x-i18n["zh-CN"].enum`). */
function zhEnumOf(f: FieldSchema): Record<string, string> {
  const e = (f['x-i18n'] as I18nMap | undefined)?.['zh-CN']?.enum;
  return e && typeof e === 'object' ? (e as Record<string, string>) : {};
}

/** Keeps `x-i18n["zh-CN"].enum` in step with the options (renamed or removed values drop theirs). */
function withZhOptionLabels(f: FieldSchema, options: Array<{ value: string; zh: string }>): FieldSchema {
  const zh: Record<string, string> = {};
  for (const o of options) if (o.zh.trim()) zh[o.value] = o.zh;
  const i18n: I18nMap = { ...((f['x-i18n'] as I18nMap | undefined) ?? {}) };
  const entry: Record<string, unknown> = { ...(i18n['zh-CN'] ?? {}) };
  if (Object.keys(zh).length) entry.enum = zh;
  else delete entry.enum;
  if (Object.keys(entry).length) i18n['zh-CN'] = entry;
  else delete i18n['zh-CN'];
  const next: FieldSchema = { ...f };
  if (Object.keys(i18n).length) next['x-i18n'] = i18n as FieldSchema['x-i18n'];
  else delete next['x-i18n'];
  return next;
}

/** The choices of a select or multiselect field: the stored value and its English label. */
/** What the server accepts for a stored choice (field.schema.json enumValues): 1 to 200 characters. */
const validValue = (v: string) => v.length > 0 && v.length <= 200;

export function OptionsEditor({ f, onChange }: { f: FieldSchema; onChange: (f: FieldSchema) => void }) {
  const { t } = useTranslation();
  const labels = (f['x-enum-labels'] ?? {}) as Record<string, string>;
  const zhLabels = zhEnumOf(f);
  const options = optionsOf(f).map((value) => ({ value, label: labels[value] ?? '', zh: zhLabels[value] ?? '' }));
  const write = (next: typeof options) => onChange(withZhOptionLabels(withOptions(f, next), next));
  const values = options.map((o) => o.value);
  const duplicate = (v: string) => values.indexOf(v) !== values.lastIndexOf(v);

  function add() {
    let n = options.length + 1;
    while (values.includes(`option_${n}`)) n++;
    write([...options, { value: `option_${n}`, label: `Option ${n}`, zh: '' }]);
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
              <input
                className="f-input__control"
                lang="zh-CN"
                aria-label={t('i18nContent.optionLabelZh', { n: i + 1 })}
                placeholder={t('i18nContent.chinese')}
                value={o.zh}
                onChange={(e) => write(options.map((x, j) => (j === i ? { ...x, zh: e.target.value } : x)))}
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
