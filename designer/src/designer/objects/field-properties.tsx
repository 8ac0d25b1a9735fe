import { ArrowDown, ArrowUp, CheckCircle2, Trash2 } from 'lucide-react';
import { FORMULA_FUNCTIONS, insertFunction } from './formula-functions';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { ConditionBuilder } from '../../conditions/condition-builder';
import { type ConditionGroup, emptyGroup, fromFilter, toFilter } from '../../conditions/condition-model';
import { issueText } from '../../i18n/error-text';
import { fieldLabel, objectLabel } from '../../i18n/pick-label';
import type { FieldSchema, ObjectSchema } from '../../meta/meta-types';
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
  ROLLUP_OPS,
  type RelatedRollup,
  childLookups,
  formulaTypeOf,
  i18nTitle,
  settingsFor,
  withFormulaType,
  withI18nTitle,
  withKeyword,
  withRollup,
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
    s.maxLength ||
    s.minLength ||
    s.pattern ||
    s.range ||
    s.scale ||
    s.options ||
    s.lookup ||
    s.formula ||
    s.rollup ||
    s.autonumber;
  if (!any) return null;
  return (
    <div className="f-od-props__group">
      <h3>{t('objectDesigner.kindSettings')}</h3>
      {s.formula && <FormulaEditor draft={dr} name={n} f={field} set={setField} />}
      {s.rollup && <RollupEditor doc={d} draft={dr} name={n} f={field} set={setField} />}
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

/**
 * The server's own check of one field while it is edited: a moment after each change, a dry-run plan
 * of the object draft (nothing changes), keeping the issues at this field's path.
 */
function useLiveFieldCheck(draft: EditorDraft, name: string, value: unknown, ready: boolean) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [result, setResult] = useState<{ ok: boolean; problems: PublishProblem[]; message?: string } | null>(null);
  const [checking, setChecking] = useState(false);
  const latest = useRef(0);
  const fieldPath = `/objects/${draft.name}/properties/${name}`;
  const key = JSON.stringify(value);
  async function check() {
    const id = ++latest.current;
    setChecking(true);
    try {
      await planPublish(api, { document: { objects: { [draft.name]: draft.object } } });
      if (id === latest.current) setResult({ ok: true, problems: [] });
    } catch (e) {
      if (id !== latest.current) return;
      const failure = describePublishError(e);
      const mine = failure.problems.filter((p) => p.path?.startsWith(fieldPath));
      // Problems elsewhere in the draft are not this field's: it is fine as far as it goes.
      if (failure.kind === 'invalid' && failure.problems.length && !mine.length) setResult({ ok: true, problems: [] });
      else setResult({ ok: false, problems: mine.length ? mine : failure.problems, message: failure.message });
    } finally {
      if (id === latest.current) setChecking(false);
    }
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-checked when the field's value changes, not on every render
  useEffect(() => {
    setResult(null);
    if (!ready) return;
    const t = setTimeout(check, 700);
    return () => clearTimeout(t);
  }, [key, ready]);
  const error =
    result && !result.ok
      ? result.problems.map((p) => issueText(t, (k) => i18n.exists(k), p)).join(' · ') || result.message
      : undefined;
  return { result, checking, check, error };
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
  const { t, i18n } = useTranslation();
  const expression = typeof f['x-formula'] === 'string' ? f['x-formula'] : '';
  const live = useLiveFieldCheck(draft, name, expression, expression.trim() !== '');
  const area = useRef<HTMLDivElement>(null);
  const others = Object.keys(draft.object.properties ?? {}).filter((n) => n !== name);

  // A field from the picker goes where the cursor was in the expression (at the end without one).
  function insert(field: string) {
    if (!field) return;
    const el = area.current?.querySelector('textarea');
    const at = el ? el.selectionStart : expression.length;
    const end = el ? el.selectionEnd : expression.length;
    const token = `record.${field}`;
    set({ ...f, 'x-formula': `${expression.slice(0, at)}${token}${expression.slice(end)}` });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  }

  // A function or operator from the list, at the cursor (a call wraps what is selected).
  function insertFn(id: string) {
    const fn = FORMULA_FUNCTIONS.find((x) => x.id === id);
    if (!fn) return;
    const el = area.current?.querySelector('textarea');
    const start = el ? el.selectionStart : expression.length;
    const end = el ? el.selectionEnd : expression.length;
    const next = insertFunction(expression, start, end, fn);
    set({ ...f, 'x-formula': next.text });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  }

  return (
    <>
      <SelectField
        label={t('objectDesigner.formulaType')}
        value={formulaTypeOf(f)}
        onChange={(v) => set(withFormulaType(f, v as FormulaType))}
        options={FORMULA_TYPES.map((x) => ({ value: x, label: t(`objectDesigner.kind_${x}` as const) }))}
      />
      <SelectField
        label={t('objectDesigner.insertField')}
        value=""
        onChange={insert}
        options={[
          { value: '', label: t('objectDesigner.insertFieldChoose') },
          ...others.map((n) => ({ value: n, label: `${fieldLabel(draft.object, n, i18n.language)} (record.${n})` })),
        ]}
      />
      <SelectField
        label={t('objectDesigner.insertFunction')}
        value=""
        onChange={insertFn}
        options={[
          { value: '', label: t('objectDesigner.insertFunctionChoose') },
          ...FORMULA_FUNCTIONS.map((fn) => ({
            value: fn.id,
            label: `${fn.shown} — ${t(`objectDesigner.formulaFn_${fn.id}` as 'objectDesigner.formulaFn_round')}`,
          })),
        ]}
      />
      <div ref={area}>
        <TextAreaField
          label={t('objectDesigner.formula')}
          value={expression}
          mono
          rows={3}
          placeholder="record.amount * 0.9"
          onChange={(v) => set({ ...f, 'x-formula': v })}
          hint={t('objectDesigner.formulaHint')}
          error={live.error}
        />
      </div>
      <div className="f-od-inline">
        <Button size="sm" onClick={live.check} loading={live.checking}>
          {t('objectDesigner.checkFormula')}
        </Button>
        {live.result?.ok && (
          <span className="f-od-ok" role="status">
            <CheckCircle2 size={14} aria-hidden="true" /> {t('objectDesigner.formulaOk')}
          </span>
        )}
      </div>
    </>
  );
}

/** Which related records a roll-up reads, how it aggregates them, and which of them count. */
function RollupEditor({
  doc,
  draft,
  name,
  f,
  set,
}: {
  doc: FullMetaDocument;
  draft: EditorDraft;
  name: string;
  f: FieldSchema;
  set: (f: FieldSchema) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const objects = { ...doc.objects, [draft.name]: draft.object } as Record<string, ObjectSchema | null | undefined>;
  const r = (f['x-rollup'] ?? { object: '', via: '', op: 'count' }) as RelatedRollup;
  const children = childLookups(objects, draft.name);
  const child = (objects[r.object] ?? undefined) as ObjectSchema | undefined;
  const vias = children.find((c) => c.object === r.object)?.via ?? [];
  const [conditions, setConditions] = useState<ConditionGroup>(
    () => (child && fromFilter(r.filter as never, child)) || emptyGroup(),
  );
  const complete = !!r.object && !!r.via && (r.op === 'count' || !!r.field);
  const live = useLiveFieldCheck(draft, name, f['x-rollup'], complete);
  const update = (next: RelatedRollup) => {
    const childSchema = (objects[next.object] ?? undefined) as ObjectSchema | undefined;
    set(withRollup(f, next, next.field ? childSchema?.properties?.[next.field] : undefined));
  };
  const fieldsFor = (op: RelatedRollup['op']) =>
    Object.entries(child?.properties ?? {})
      .filter(([, cf]) => {
        const k = valueKind(cf);
        const numeric = ['number', 'currency', 'percent', 'integer'].includes(k);
        if (op === 'sum' || op === 'avg') return numeric;
        if (op === 'min' || op === 'max') return numeric || k === 'date' || k === 'datetime';
        return k !== 'children' && k !== 'multiselect';
      })
      .map(([n]) => ({ value: n, label: fieldLabel(child, n, lang) }));
  const { problems } = child ? toFilter(conditions, child) : { problems: [] };
  return (
    <>
      <SelectField
        label={t('objectDesigner.rollupObject')}
        value={r.object}
        onChange={(object) => {
          const via = children.find((c) => c.object === object)?.via ?? [];
          setConditions(emptyGroup());
          update({ object, via: via.length === 1 ? (via[0] as string) : '', op: r.op === 'count' ? 'count' : r.op });
        }}
        options={[
          { value: '', label: t('objectDesigner.rollupChoose') },
          ...children.map((c) => ({
            value: c.object,
            label: objectLabel(c.object, objects[c.object] ?? undefined, lang),
          })),
        ]}
        hint={children.length ? undefined : t('objectDesigner.rollupNoChildren')}
      />
      {vias.length > 1 && (
        <SelectField
          label={t('objectDesigner.rollupVia')}
          value={r.via}
          onChange={(via) => update({ ...r, via })}
          options={[
            { value: '', label: t('objectDesigner.rollupChoose') },
            ...vias.map((v) => ({ value: v, label: fieldLabel(child, v, lang) })),
          ]}
        />
      )}
      <SelectField
        label={t('objectDesigner.rollupOp')}
        value={r.op}
        onChange={(op) => {
          const next = op as RelatedRollup['op'];
          const keep = r.field && fieldsFor(next).some((o) => o.value === r.field);
          update({ ...r, op: next, ...(keep ? {} : { field: '' }) });
        }}
        options={ROLLUP_OPS.map((op) => ({ value: op, label: t(`objectDesigner.rollupOp_${op}` as const) }))}
      />
      {r.op !== 'count' && r.object && (
        <SelectField
          label={t('objectDesigner.rollupField')}
          value={r.field ?? ''}
          onChange={(field) => update({ ...r, field })}
          options={[{ value: '', label: t('objectDesigner.rollupChoose') }, ...fieldsFor(r.op)]}
        />
      )}
      {child && (
        <div className="f-field f-od-rollup-filter">
          <span className="f-field__label">{t('objectDesigner.rollupFilter')}</span>
          <ConditionBuilder
            label={t('objectDesigner.rollupFilter')}
            schema={child}
            value={conditions}
            problems={problems}
            onChange={(g) => {
              setConditions(g);
              const next = toFilter(g, child);
              if (!next.problems.length) {
                const { filter: _old, ...rest } = r;
                update(next.filter ? { ...rest, filter: next.filter } : rest);
              }
            }}
          />
        </div>
      )}
      {live.error && (
        <p className="f-field__error" role="alert">
          {live.error}
        </p>
      )}
      {live.result?.ok && !problems.length && (
        <span className="f-od-ok" role="status">
          <CheckCircle2 size={14} aria-hidden="true" /> {t('objectDesigner.rollupOk')}
        </span>
      )}
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
