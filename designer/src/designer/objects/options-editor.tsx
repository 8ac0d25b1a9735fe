import { Archive, ArchiveRestore, ArrowDown, ArrowUp, Plus, X } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldSchema } from '../../meta/meta-types';
import { Button, IconButton } from '../../ui';
import { optionsOf, withOptions } from './field-catalog';
import { nameFromLabel } from './identifier';

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

/** Keeps `x-enum-retired` to the values that still exist (a removed or renamed value drops out). */
function withRetired(f: FieldSchema, retired: string[]): FieldSchema {
  const next: FieldSchema = { ...f };
  if (retired.length) next['x-enum-retired'] = retired;
  else delete next['x-enum-retired'];
  return next;
}

export function OptionsEditor({ f, onChange }: { f: FieldSchema; onChange: (f: FieldSchema) => void }) {
  const { t } = useTranslation();
  const labels = (f['x-enum-labels'] ?? {}) as Record<string, string>;
  const zhLabels = zhEnumOf(f);
  const retired = (f['x-enum-retired'] ?? []) as string[];
  const options = optionsOf(f).map((value) => ({
    value,
    label: labels[value] ?? '',
    zh: zhLabels[value] ?? '',
    retired: retired.includes(value),
  }));
  const write = (next: typeof options) =>
    onChange(
      withRetired(
        withZhOptionLabels(withOptions(f, next), next),
        next.filter((o) => o.retired).map((o) => o.value),
      ),
    );
  const values = options.map((o) => o.value);
  const duplicate = (v: string) => values.indexOf(v) !== values.lastIndexOf(v);
  // Options added here follow their label (as API names do) until their value is typed by hand;
  // published values never change by themselves, since records hold them.
  const [derived, setDerived] = useState<ReadonlySet<string>>(new Set());

  function add() {
    let n = options.length + 1;
    while (values.includes(`option_${n}`)) n++;
    setDerived(new Set(derived).add(`option_${n}`));
    write([...options, { value: `option_${n}`, label: `Option ${n}`, zh: '', retired: false }]);
  }

  function relabel(i: number, label: string) {
    const o = options[i]!;
    let value = o.value;
    if (derived.has(o.value)) {
      const base = nameFromLabel(label, o.value);
      const others = values.filter((_, j) => j !== i);
      value = base;
      for (let n = 2; others.includes(value); n++) value = `${base}_${n}`;
      const next = new Set(derived);
      next.delete(o.value);
      next.add(value);
      setDerived(next);
    }
    write(options.map((x, j) => (j === i ? { ...x, label, value } : x)));
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
            <li key={i} className={o.retired ? 'f-od-option f-od-option--retired' : 'f-od-option'}>
              <input
                className="f-input__control f-od-mono"
                aria-label={t('objectDesigner.optionValue', { n: i + 1 })}
                aria-invalid={bad || undefined}
                value={o.value}
                spellCheck={false}
                onChange={(e) => {
                  if (derived.has(o.value)) {
                    const next = new Set(derived);
                    next.delete(o.value);
                    setDerived(next);
                  }
                  write(options.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)));
                }}
              />
              <input
                className="f-input__control"
                aria-label={t('objectDesigner.optionLabel', { n: i + 1 })}
                value={o.label}
                onChange={(e) => relabel(i, e.target.value)}
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
                label={
                  o.retired
                    ? t('objectDesigner.offerOption', { value: o.label || o.value })
                    : t('objectDesigner.retireOption', { value: o.label || o.value })
                }
                icon={
                  o.retired ? <ArchiveRestore size={14} aria-hidden="true" /> : <Archive size={14} aria-hidden="true" />
                }
                aria-pressed={o.retired}
                disabled={!o.retired && options.filter((x) => !x.retired).length === 1}
                onClick={() => write(options.map((x, j) => (j === i ? { ...x, retired: !x.retired } : x)))}
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
      {retired.length > 0 && <p className="f-field__hint">{t('objectDesigner.retiredHint')}</p>}
      {values.some((v) => !validValue(v) || duplicate(v)) && (
        <p className="f-field__error">{t('objectDesigner.optionInvalid')}</p>
      )}
      <Button size="sm" variant="ghost" icon={<Plus size={14} aria-hidden="true" />} onClick={add}>
        {t('objectDesigner.addOption')}
      </Button>
    </fieldset>
  );
}
