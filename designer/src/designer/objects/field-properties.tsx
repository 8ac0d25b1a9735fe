import { ArrowDown, ArrowUp, CheckCircle2, Trash2 } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import type { FieldSchema } from '../../meta/meta-types';
import { fieldKind, valueKind } from '../../records/field-kind';
import { Button, TextField } from '../../ui';
import type { FullMetaDocument } from '../common/meta-write-api';
import { planPublish } from '../common/meta-write-api';
import { type PublishProblem, describePublishError } from '../common/publish-problems';
import { lookupTargets } from './add-field-dialog';
import { CheckField, SelectField, TextAreaField, parseNumber } from './controls';
import {
  FORMULA_TYPES,
  type FormulaType,
  formulaTypeOf,
  i18nTitle,
  settingsFor,
  withFormulaType,
  withI18nTitle,
  withKeyword,
} from './field-catalog';
import { KindIcon } from './kind-icon';
import { nameProblem } from './identifier';
import {
  type EditorDraft,
  isRequired,
  moveField,
  removeField,
  renameField,
  setRequired,
  updateField,
} from './object-draft';
import { OptionsEditor } from './options-editor';

const FREE_TEXT = new Set(['text', 'textarea', 'email', 'url', 'autonumber']);

interface Props {
  doc: FullMetaDocument;
  draft: EditorDraft;
  original: EditorDraft | null;
  name: string;
  onChange: (next: EditorDraft | ((d: EditorDraft) => EditorDraft)) => void;
  onSelect: (name: string | null) => void;
}

/** The property panel of one field: what the field's kind accepts (metadata/src/field-kinds.ts), nothing more. */
export function FieldProperties({ doc, draft, original, name, onChange, onSelect }: Props) {
  const { t } = useTranslation();
  const f = draft.object.properties?.[name] ?? {};
  const kind = fieldKind(f);
  const s = settingsFor(f);
  const published = !!original?.object.properties?.[name];
  const names = Object.keys(draft.object.properties ?? {});
  const index = names.indexOf(name);
  const set = (next: FieldSchema) => onChange((d) => updateField(d, name, next));
  const kw = (key: string, value: unknown) => set(withKeyword(f, key, value));
  const search = Array.isArray(draft.object['x-search']) ? (draft.object['x-search'] as string[]) : [];

  return (
    <div className="f-od-props">
      <header className="f-od-props__header">
        <span className="f-od-props__kind">
          <KindIcon kind={kind} size={18} />
          {t(`objectDesigner.kind_${kind}` as const)}
        </span>
        <div className="f-od-props__tools">
          <Button
            size="sm"
            variant="ghost"
            icon={<ArrowUp size={14} aria-hidden="true" />}
            disabled={index <= 0}
            onClick={() => onChange((d) => moveField(d, name, index - 1))}
          >
            {t('objectDesigner.moveUp')}
          </Button>
          <Button
            size="sm"
            variant="ghost"
            icon={<ArrowDown size={14} aria-hidden="true" />}
            disabled={index >= names.length - 1}
            onClick={() => onChange((d) => moveField(d, name, index + 1))}
          >
            {t('objectDesigner.moveDown')}
          </Button>
        </div>
      </header>

      <div className="f-od-props__group">
        <TextField
          label={t('objectDesigner.label')}
          value={typeof f.title === 'string' ? f.title : ''}
          maxLength={200}
          onChange={(e) => kw('title', e.target.value)}
        />
        <TextField
          label={t('objectDesigner.labelZh')}
          lang="zh-CN"
          value={i18nTitle(f, 'zh-CN')}
          maxLength={200}
          onChange={(e) => set(withI18nTitle(f, 'zh-CN', e.target.value))}
        />
        <RenameField
          key={name}
          name={name}
          taken={names.filter((n) => n !== name)}
          published={published}
          onRename={(to) => {
            onChange((d) => renameField(d, name, to));
            onSelect(to);
          }}
        />
        <TextAreaField
          label={t('objectDesigner.description')}
          value={typeof f.description === 'string' ? f.description : ''}
          rows={2}
          onChange={(v) => kw('description', v)}
        />
      </div>

      <div className="f-od-props__group">
        <h3>{t('objectDesigner.rules')}</h3>
        {s.requirable && (
          <CheckField
            label={t('objectDesigner.required')}
            checked={isRequired(draft, name)}
            onChange={(v) => onChange((d) => setRequired(d, name, v))}
            hint={
              original && published && isRequired(draft, name) && !isRequired(original, name)
                ? t('objectDesigner.requiredHint')
                : undefined
            }
          />
        )}
        {s.unique && (
          <CheckField
            label={t('objectDesigner.unique')}
            checked={f['x-unique'] === true}
            onChange={(v) => kw('x-unique', v || undefined)}
          />
        )}
        {s.index && (
          <CheckField
            label={t('objectDesigner.indexed')}
            checked={f['x-index'] === true}
            onChange={(v) => kw('x-index', v || undefined)}
            hint={t('objectDesigner.indexedHint')}
          />
        )}
        {FREE_TEXT.has(kind) && (
          <CheckField
            label={t('objectDesigner.searchable')}
            checked={search.includes(name)}
            onChange={(v) =>
              onChange((d) => {
                const list = search.filter((x) => x !== name);
                if (v) list.push(name);
                return { ...d, object: withKeyword(d.object, 'x-search', list.length ? list : undefined) };
              })
            }
          />
        )}
        {(kind === 'text' || kind === 'autonumber' || kind === 'email') && (
          <CheckField
            label={t('objectDesigner.labelField')}
            checked={draft.object['x-label-field'] === name}
            onChange={(v) =>
              onChange((d) => {
                return { ...d, object: withKeyword(d.object, 'x-label-field', v ? name : undefined) };
              })
            }
            hint={t('objectDesigner.labelFieldHint')}
          />
        )}
      </div>

      <KindSettingsGroup s={s} doc={doc} draft={draft} name={name} f={f} set={set} kw={kw} />

      {s.default && <DefaultValue f={f} onChange={(v) => kw('default', v)} />}

      <div className="f-od-props__group f-od-props__danger">
        <Button
          variant="danger"
          icon={<Trash2 size={16} aria-hidden="true" />}
          onClick={() => {
            const next = names[index + 1] ?? names[index - 1] ?? null;
            onChange((d) => removeField(d, name));
            onSelect(next);
          }}
        >
          {t('objectDesigner.removeField')}
        </Button>
        {published && <p className="f-field__hint">{t('objectDesigner.removeHint')}</p>}
      </div>
    </div>
  );
}

function KindSettingsGroup({
  s,
  doc: d,
  draft: dr,
  name: n,
  f: field,
  set: setField,
  kw: setKw,
}: {
  s: ReturnType<typeof settingsFor>;
  doc: FullMetaDocument;
  draft: EditorDraft;
  name: string;
  f: FieldSchema;
  set: (f: FieldSchema) => void;
  kw: (k: string, v: unknown) => void;
}) {
  const { t, i18n } = useTranslation();
  const num = (key: string) => (typeof field[key] === 'number' ? String(field[key]) : '');
  const any =
    s.maxLength || s.minLength || s.pattern || s.range || s.scale || s.options || s.lookup || s.formula || s.autonumber;
  if (!any) return null;
  return (
    <div className="f-od-props__group">
      <h3>{t('objectDesigner.kindSettings')}</h3>
      {s.formula && <FormulaEditor draft={dr} name={n} f={field} set={setField} />}
      {s.autonumber && (
        <TextField
          label={t('objectDesigner.autonumberFormat')}
          value={typeof field['x-autonumber'] === 'string' ? field['x-autonumber'] : ''}
          spellCheck={false}
          onChange={(e) => setKw('x-autonumber', e.target.value)}
          hint={t('objectDesigner.autonumberHint')}
        />
      )}
      {s.lookup && (
        <SelectField
          label={t('objectDesigner.lookupTarget')}
          value={typeof field['x-ref'] === 'string' ? field['x-ref'] : ''}
          onChange={(v) => setKw('x-ref', v)}
          options={lookupTargets(d, dr, i18n.language)}
        />
      )}
      {s.options && <OptionsEditor f={field} onChange={setField} />}
      <div className="f-od-form__row">
        {s.minLength && (
          <TextField
            label={t('objectDesigner.minLength')}
            type="number"
            min={0}
            value={num('minLength')}
            onChange={(e) => setKw('minLength', parseNumber(e.target.value))}
          />
        )}
        {s.maxLength && (
          <TextField
            label={t('objectDesigner.maxLength')}
            type="number"
            min={1}
            value={num('maxLength')}
            onChange={(e) => setKw('maxLength', parseNumber(e.target.value))}
          />
        )}
        {s.range && (
          <>
            <TextField
              label={t('objectDesigner.minimum')}
              type="number"
              value={num('minimum')}
              onChange={(e) => setKw('minimum', parseNumber(e.target.value))}
            />
            <TextField
              label={t('objectDesigner.maximum')}
              type="number"
              value={num('maximum')}
              onChange={(e) => setKw('maximum', parseNumber(e.target.value))}
            />
          </>
        )}
        {s.scale && (
          <TextField
            label={t('objectDesigner.scale')}
            type="number"
            min={0}
            max={8}
            value={num('x-scale')}
            placeholder={valueKind(field) === 'number' ? '6' : '2'}
            onChange={(e) => setKw('x-scale', parseNumber(e.target.value))}
          />
        )}
      </div>
      {s.pattern && (
        <TextField
          label={t('objectDesigner.pattern')}
          value={typeof field.pattern === 'string' ? field.pattern : ''}
          spellCheck={false}
          onChange={(e) => setKw('pattern', e.target.value)}
          hint={t('objectDesigner.patternHint')}
        />
      )}
    </div>
  );
}

function RenameField({
  name,
  taken,
  published,
  onRename,
}: {
  name: string;
  taken: string[];
  published: boolean;
  onRename: (to: string) => void;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState(name);
  const problem = value === name ? null : nameProblem(value, 'field', taken);
  const commit = () => {
    if (value !== name && !problem) onRename(value);
  };
  return (
    <TextField
      label={t('objectDesigner.apiName')}
      value={value}
      maxLength={63}
      spellCheck={false}
      autoCapitalize="off"
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        }
      }}
      hint={published ? t('objectDesigner.renameHint') : t('objectDesigner.nameHint')}
      error={problem ? t(`objectDesigner.name_${problem}` as const) : undefined}
    />
  );
}

function FormulaEditor({
  draft,
  name,
  f,
  set,
}: {
  draft: EditorDraft;
  name: string;
  f: FieldSchema;
  set: (f: FieldSchema) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [checking, setChecking] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; problems: PublishProblem[]; message?: string } | null>(null);
  const expression = typeof f['x-formula'] === 'string' ? f['x-formula'] : '';
  const fieldPath = `/objects/${draft.name}/properties/${name}`;

  async function check() {
    setChecking(true);
    setResult(null);
    try {
      // The server's own check (acorn parse, unknown fields, cycles) via a dry-run plan.
      await planPublish(api, { document: { objects: { [draft.name]: draft.object } } });
      setResult({ ok: true, problems: [] });
    } catch (e) {
      const failure = describePublishError(e);
      const mine = failure.problems.filter((p) => p.path?.startsWith(fieldPath));
      setResult({ ok: false, problems: mine.length ? mine : failure.problems, message: failure.message });
    } finally {
      setChecking(false);
    }
  }

  return (
    <>
      <SelectField
        label={t('objectDesigner.formulaType')}
        value={formulaTypeOf(f)}
        onChange={(v) => set(withFormulaType(f, v as FormulaType))}
        options={FORMULA_TYPES.map((x) => ({ value: x, label: t(`objectDesigner.kind_${x}` as const) }))}
      />
      <TextAreaField
        label={t('objectDesigner.formula')}
        value={expression}
        mono
        rows={3}
        placeholder="record.amount * 0.9"
        onChange={(v) => {
          set({ ...f, 'x-formula': v });
          setResult(null);
        }}
        hint={t('objectDesigner.formulaHint')}
        error={result && !result.ok ? result.problems.map((p) => p.message).join(' · ') || result.message : undefined}
      />
      <div className="f-od-inline">
        <Button size="sm" onClick={check} loading={checking}>
          {t('objectDesigner.checkFormula')}
        </Button>
        {result?.ok && (
          <span className="f-od-ok" role="status">
            <CheckCircle2 size={14} aria-hidden="true" /> {t('objectDesigner.formulaOk')}
          </span>
        )}
      </div>
    </>
  );
}

function DefaultValue({ f, onChange }: { f: FieldSchema; onChange: (v: unknown) => void }) {
  const { t } = useTranslation();
  const kind = valueKind(f);
  const label = t('objectDesigner.defaultValue');
  const current = f.default;
  if (kind === 'multiselect' || kind === 'lookup' || kind === 'children') return null;
  let control: ReactNode;
  if (kind === 'boolean') {
    control = (
      <SelectField
        label={label}
        value={current === true ? 'true' : current === false ? 'false' : ''}
        onChange={(v) => onChange(v === '' ? undefined : v === 'true')}
        options={[
          { value: '', label: t('objectDesigner.noDefault') },
          { value: 'true', label: t('objectDesigner.yes') },
          { value: 'false', label: t('objectDesigner.no') },
        ]}
      />
    );
  } else if (kind === 'select') {
    control = (
      <SelectField
        label={label}
        value={typeof current === 'string' ? current : ''}
        onChange={(v) => onChange(v)}
        options={[
          { value: '', label: t('objectDesigner.noDefault') },
          ...(Array.isArray(f.enum) ? f.enum : []).map((v) => ({ value: String(v), label: String(v) })),
        ]}
      />
    );
  } else if (['number', 'currency', 'percent', 'integer'].includes(kind)) {
    control = (
      <TextField
        label={label}
        type="number"
        value={typeof current === 'number' ? String(current) : ''}
        onChange={(e) => onChange(parseNumber(e.target.value))}
      />
    );
  } else {
    control = (
      <TextField
        label={label}
        type={kind === 'date' ? 'date' : 'text'}
        value={typeof current === 'string' ? current : ''}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return <div className="f-od-props__group">{control}</div>;
}
