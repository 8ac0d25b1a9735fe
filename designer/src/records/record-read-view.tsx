import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Check, Pencil } from 'lucide-react';
import type { WidgetProps } from '@rjsf/utils';
import { useApi } from '../api/api-context';
import { isApiError } from '../api/api-error';
import { enumLabel, fieldLabel } from '../i18n/pick-label';
import type { AppMeta, FieldSchema, ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { cx } from '../ui';
import { fieldKind, isComputed, labelFieldOf, valueKind } from './field-kind';
import { accessOf, type FormDoc, type RecordForm } from './form-schema';
import { applyFormRules } from './form-rules-view';
import { LineItemsExport } from './line-items-export';
import { formatValue } from './format-value';
import { highlightFields, readSections, stageFieldOf } from './read-view-model';
import type { RecordRow } from './records-api';
import { recordKeys, useRecordsApi } from './use-records-api';
import { LookupWidget } from './widgets/lookup-widget';
import { lookupSource } from './widgets/lookup-source';
import './record-read-view.css';

interface ReadViewProps {
  meta: AppMeta;
  object: string;
  schema: ObjectSchema;
  form: RecordForm;
  formDoc: FormDoc | undefined;
  record: RecordRow;
  locked: boolean;
  lang: string;
  /** The server refused with RECORD_LOCKED: the page shows its banner. */
  onLocked: (error?: unknown) => void;
  /** Someone else saved meanwhile (409 CONFLICT): the page offers to reload. */
  onConflict: () => void;
}

type SaveResult = { ok: true } | { ok: false; message: string };

/**
 * A record read as a page, not a form: a highlights panel with its key fields, a stage path for
 * its stage/status choice, and its fields in the form's sections. A field the user may change is
 * edited in place — click it, Enter or leaving it saves (one PATCH through the records API with the
 * version read), Escape puts the old value back; the server's error stays at the field.
 */
export function RecordReadView(props: ReadViewProps) {
  const { meta, object, schema, formDoc, record, locked, lang } = props;
  // The record's form rules: hidden fields are not read, read-only-when fields are not edited in place.
  const form = useMemo(() => applyFormRules(props.form, record, false).form, [props.form, record]);
  const { t } = useTranslation();
  const records = useRecordsApi();
  const queryClient = useQueryClient();
  const { tenant } = useSession();
  const stage = stageFieldOf(schema, formDoc, form);
  const highlights = highlightFields(schema, formDoc, form, stage);
  const sections = readSections(formDoc, form);

  const save = async (field: string, value: unknown): Promise<SaveResult> => {
    try {
      const updated = await records.update(object, record.id, record.version, { [field]: value });
      // A new version remounts the page from the server's record (formulas and roll-ups included).
      queryClient.setQueryData(recordKeys.one(tenant, object, record.id), updated);
      void queryClient.invalidateQueries({ queryKey: recordKeys.object(tenant, object) });
      return { ok: true };
    } catch (e) {
      if (isApiError(e, 'RECORD_LOCKED')) props.onLocked(e);
      if (isApiError(e, 'CONFLICT')) props.onConflict();
      if (isApiError(e))
        return { ok: false, message: e.fields?.[field] ?? Object.values(e.fields ?? {})[0] ?? e.message };
      return { ok: false, message: String(e) };
    }
  };

  const editable = (f: string) => {
    const def = schema.properties?.[f];
    if (!def || locked || !form.writable.includes(f)) return false;
    if ((form.uiSchema[f] as Record<string, unknown> | undefined)?.['ui:readonly'] === true) return false;
    const kind = fieldKind(def);
    // Multi-choices, date-times and line items are edited in the full form.
    const k = valueKind(def);
    return (
      kind !== 'children' && k !== 'multiselect' && k !== 'datetime' && !isComputed(def) && accessOf(def) === 'edit'
    );
  };

  const field = (f: string, variant: 'highlight' | 'row') => (
    <ReadField
      key={f}
      object={object}
      schema={schema}
      meta={meta}
      field={f}
      recordId={record.id}
      value={record[f]}
      lang={lang}
      editable={editable(f)}
      variant={variant}
      onSave={(v) => save(f, v)}
    />
  );

  return (
    <div className="f-readview">
      {stage && (
        <StagePath
          schema={schema}
          field={stage}
          value={record[stage]}
          lang={lang}
          disabled={!editable(stage)}
          onMove={(v) => save(stage, v)}
        />
      )}
      {highlights.length > 0 && (
        <section className="f-readview__highlights" aria-label={t('readView.highlights')}>
          {highlights.map((f) => field(f, 'highlight'))}
        </section>
      )}
      {sections.map((s, i) => (
        <section
          // biome-ignore lint/suspicious/noArrayIndexKey: sections have no id; their order is the layout's
          key={i}
          className="f-readview__section"
          aria-label={(lang.startsWith('zh') && s.titleZh) || s.title || t('record.details')}
        >
          {s.title && <h2 className="f-readview__section-title">{(lang.startsWith('zh') && s.titleZh) || s.title}</h2>}
          <dl className="f-readview__grid">{s.fields.map((f) => field(f, 'row'))}</dl>
        </section>
      ))}
    </div>
  );
}

/** Stage chevrons: the current stage marked, earlier ones done; clicking another stage moves the record there. */
function StagePath({
  schema,
  field,
  value,
  lang,
  disabled,
  onMove,
}: {
  schema: ObjectSchema;
  field: string;
  value: unknown;
  lang: string;
  disabled: boolean;
  onMove: (v: string) => Promise<SaveResult>;
}) {
  const { t } = useTranslation();
  const def = schema.properties?.[field] as FieldSchema;
  const options = (def.enum ?? []).map(String);
  const current = options.indexOf(String(value ?? ''));
  const [moving, setMoving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const move = async (v: string) => {
    setMoving(v);
    setError(null);
    const r = await onMove(v);
    setMoving(null);
    if (!r.ok) setError(r.message);
  };
  const name = fieldLabel(schema, field, lang);
  return (
    <div className="f-stagepath">
      <ol className="f-stagepath__list" aria-label={name}>
        {options.map((o, i) => {
          const label = enumLabel(def, o, lang);
          return (
            <li key={o} className="f-stagepath__item">
              <button
                type="button"
                className={cx(
                  'f-stagepath__step',
                  i < current && 'f-stagepath__step--done',
                  i === current && 'f-stagepath__step--current',
                )}
                aria-current={i === current ? 'step' : undefined}
                aria-label={
                  i === current ? t('readView.currentStage', { stage: label }) : t('readView.moveTo', { stage: label })
                }
                disabled={disabled || i === current || moving !== null}
                onClick={() => void move(o)}
              >
                {i < current && <Check size={14} aria-hidden="true" />}
                <span>{label}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {error && (
        <p className="f-stagepath__error" role="alert">
          {t('readView.stageRefused', { message: error })}
        </p>
      )}
    </div>
  );
}

/** Lookup values by their record's name (the label field), linking to the record. */
function LookupValue({ meta, target, id }: { meta: AppMeta; target: string; id: string }) {
  const api = useApi();
  const { tenant } = useSession();
  const source = lookupSource(api, target, labelFieldOf(meta.objects[target]));
  const one = useQuery({
    queryKey: ['lookup', tenant, target, 'one', id],
    queryFn: ({ signal }) => source.one(id, signal),
    staleTime: 60_000,
    retry: false,
  });
  const { t } = useTranslation();
  if (one.isPending) return <span className="f-readview__muted">…</span>;
  if (one.isError) return <span className="f-readview__muted">{t('timeline.hiddenRecord')}</span>;
  if (target === 'user' || !meta.objects[target]) return <>{one.data.label}</>;
  return <Link to={`/o/${target}/${id}`}>{one.data.label}</Link>;
}

function ReadField({
  object,
  schema,
  meta,
  field,
  recordId,
  value,
  lang,
  editable,
  variant,
  onSave,
}: {
  object: string;
  schema: ObjectSchema;
  meta: AppMeta;
  field: string;
  recordId: string;
  value: unknown;
  lang: string;
  editable: boolean;
  variant: 'highlight' | 'row';
  onSave: (v: unknown) => Promise<SaveResult>;
}) {
  const { t } = useTranslation();
  const def = schema.properties?.[field] as FieldSchema;
  const label = fieldLabel(schema, field, lang);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const kind = valueKind(def);
  const ref = typeof def['x-ref'] === 'string' ? def['x-ref'] : undefined;

  let shown: ReactNode;
  if (value === null || value === undefined || value === '') shown = <span className="f-readview__muted">—</span>;
  else if (ref && typeof value === 'string') shown = <LookupValue meta={meta} target={ref} id={value} />;
  else if (fieldKind(def) === 'children') {
    const count = Array.isArray(value) ? value.length : 0;
    shown = (
      <>
        {t('readView.lines', { count })}
        {count > 0 && <LineItemsExport object={object} id={recordId} field={field} />}
      </>
    );
  } else shown = formatValue(def, value, lang, { yes: t('timeline.yes'), no: t('timeline.no') });

  // One save at a time: a choice saves on change and its blur must not send it again.
  const busy = useRef(false);
  const commit = async (next: unknown) => {
    if (busy.current) return;
    if (JSON.stringify(next ?? null) === JSON.stringify(value ?? null)) {
      setEditing(false);
      setError(null);
      return;
    }
    busy.current = true;
    setSaving(true);
    const r = await onSave(next);
    busy.current = false;
    setSaving(false);
    if (r.ok) {
      setEditing(false);
      setError(null);
    } else setError(r.message);
  };

  const id = `f-read-${object}-${field}`;
  return (
    <div className={cx('f-readview__field', `f-readview__field--${variant}`, error && 'f-readview__field--error')}>
      <dt className="f-readview__label" id={`${id}-label`}>
        {label}
      </dt>
      <dd className="f-readview__value">
        {editing ? (
          <InlineEditor
            id={id}
            def={def}
            kind={kind}
            label={label}
            lang={lang}
            value={value}
            saving={saving}
            onCommit={(v) => void commit(v)}
            onCancel={() => {
              setEditing(false);
              setError(null);
            }}
          />
        ) : editable ? (
          <button
            type="button"
            className="f-readview__edit"
            aria-label={t('readView.editField', { field: label })}
            onClick={() => setEditing(true)}
          >
            <span className="f-readview__shown">{shown}</span>
            <Pencil size={13} aria-hidden="true" className="f-readview__pencil" />
          </button>
        ) : (
          <span className="f-readview__shown">{shown}</span>
        )}
        {error && (
          <p className="f-readview__error" role="alert" id={`${id}-error`}>
            {error}
          </p>
        )}
      </dd>
    </div>
  );
}

/** One field's editor: Enter (Ctrl-Enter in long text) or leaving it saves, Escape cancels. */
function InlineEditor({
  id,
  def,
  kind,
  label,
  lang,
  value,
  saving,
  onCommit,
  onCancel,
}: {
  id: string;
  def: FieldSchema;
  kind: string;
  label: string;
  lang: string;
  value: unknown;
  saving: boolean;
  onCommit: (v: unknown) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<unknown>(value ?? '');
  const cancelled = useRef(false);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement & HTMLSelectElement>(null);
  useEffect(() => {
    ref.current?.focus();
    if (ref.current && 'select' in ref.current && typeof ref.current.select === 'function' && kind !== 'select')
      ref.current.select();
  }, [kind]);
  const typed = (raw: unknown): unknown => {
    if (raw === '' || raw === undefined) return null;
    if (kind === 'number' || kind === 'integer' || kind === 'currency' || kind === 'percent') {
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw;
    }
    return raw;
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      cancelled.current = true;
      onCancel();
    } else if (e.key === 'Enter' && (kind !== 'textarea' || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onCommit(typed(draft));
    }
  };
  const onBlur = () => {
    if (!cancelled.current) onCommit(typed(draft));
  };
  const common = {
    id,
    'aria-label': label,
    'aria-describedby': `${id}-error`,
    className: 'f-readview__input',
    disabled: saving,
    onKeyDown,
    onBlur,
  };
  if (typeof def['x-ref'] === 'string') {
    // The form's lookup picker; a pick saves at once, Escape (in the picker) cancels.
    return (
      <fieldset
        className="f-readview__lookup"
        aria-label={label}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
        // Leaving the picker without choosing keeps the old value.
        onBlur={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) onCancel();
        }}
      >
        <LookupWidget
          {...({
            id,
            name: id,
            value: value ?? undefined,
            label,
            options: { ref: def['x-ref'] },
            onChange: (v: unknown) => onCommit(v ?? null),
            onBlur: () => undefined,
            onFocus: () => undefined,
            schema: {},
            registry: {},
          } as unknown as WidgetProps)}
        />
      </fieldset>
    );
  }
  switch (kind) {
    case 'select':
      return (
        <select {...common} ref={ref} value={String(draft ?? '')} onChange={(e) => onCommit(typed(e.target.value))}>
          <option value="">—</option>
          {(def.enum ?? []).map((o) => (
            <option key={String(o)} value={String(o)}>
              {enumLabel(def, String(o), lang)}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return (
        <input
          {...common}
          ref={ref}
          type="checkbox"
          checked={draft === true}
          onChange={(e) => onCommit(e.target.checked)}
        />
      );
    case 'textarea':
      return (
        <textarea
          {...common}
          ref={ref}
          rows={4}
          value={String(draft ?? '')}
          onChange={(e) => setDraft(e.target.value)}
        />
      );
    default:
      return (
        <input
          {...common}
          ref={ref}
          type={
            kind === 'date'
              ? 'date'
              : kind === 'number' || kind === 'integer' || kind === 'currency' || kind === 'percent'
                ? 'number'
                : 'text'
          }
          step={kind === 'integer' ? 1 : 'any'}
          value={String(draft ?? '')}
          onChange={(e) => setDraft(e.target.value)}
        />
      );
  }
}
