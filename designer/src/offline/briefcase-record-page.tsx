import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { enumLabel, fieldLabel, objectLabel } from '../i18n/pick-label';
import type { FieldSchema } from '../meta/meta-types';
import { useAppMeta } from '../meta/use-app-meta';
import { Badge, Button, Card, EmptyState, LoadingState, Page, PageHeader, useToast } from '../ui';
import { lineDefaults } from '../records/line-defaults';
import { liveComputer } from '../records/live-computed';
import { isLocalId, queueCreate, queueEdit } from './briefcase';
import type { BriefcaseRecord, Fields } from './briefcase-db';
import { recordName, refusalLines } from './briefcase-labels';
import { BriefcaseLines, formatComputed, lineFields, typedLine } from './briefcase-lines';
import { briefcaseLookupApi, lineSpecs } from './briefcase-reference';
import { editableFields, inputKind, inputText, parseInput } from './field-inputs';
import { useBriefcase } from './use-briefcase';

/** A visit log is a new record of a timeline object whose type offers "visit" (as record-phone-actions.ts). */
function visitTarget(meta: NonNullable<ReturnType<typeof useAppMeta>['data']>, object: string) {
  for (const [name, s] of Object.entries(meta.objects)) {
    if (s['x-timeline'] !== true || !s.properties?.type?.enum?.includes('visit')) continue;
    const link = Object.entries(s.properties ?? {}).find(([, f]) => f['x-ref'] === object);
    if (link) return { object: name, field: link[0] };
  }
  return undefined;
}

/**
 * A briefcase record on the phone, read and edited offline, or a new one (`/briefcase/:object/new`,
 * presets from the address as `/o/:object/new` takes them). Saving queues the change; nothing is
 * sent until a sync.
 */
export function BriefcaseRecordPage() {
  const { object = '', id = 'new' } = useParams();
  const [search] = useSearchParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const meta = useAppMeta().data;
  const view = useBriefcase();
  const navigate = useNavigate();
  const toast = useToast();
  const creating = id === 'new';
  const record = view?.records.find((r) => r.object === object && r.id === id);
  const problem = view?.outbox.find((i) => i.object === object && i.id === id && i.status === 'refused');
  const queued = view?.outbox.some((i) => i.object === object && i.id === id);
  const [draft, setDraft] = useState<Fields>({});
  const [saving, setSaving] = useState(false);

  const presets = useMemo(() => {
    const out: Fields = {};
    for (const [k, v] of search.entries()) out[k] = v;
    return out;
  }, [search]);

  const schema0 = meta?.objects[object];
  const specs = meta && schema0 ? lineSpecs(meta, object) : [];
  // Lines are typed while the record is a create waiting on the phone; afterwards they are the server's.
  const linesEditable = creating || !!record?.pending;
  const current: Fields = { ...(creating ? presets : (record?.local ?? {})), ...draft };
  const typedRows = (field: string): Fields[] => (Array.isArray(current[field]) ? (current[field] as Fields[]) : []);
  const linesKey = JSON.stringify(specs.map((s) => current[s.field] ?? null)) + JSON.stringify(current);
  // What the server's x-default-from would fill on each line (a product's price), from the briefcase.
  const [filled, setFilled] = useState<Record<string, Fields[]>>({});
  // biome-ignore lint/correctness/useExhaustiveDependencies: linesKey stands for the form's values
  useEffect(() => {
    if (!meta || !view || !linesEditable || !specs.length) return;
    let live = true;
    const api = briefcaseLookupApi(view.records);
    void Promise.all(
      specs.map(async (spec) => {
        const child = meta.objects[spec.child]!;
        const rows = typedRows(spec.field);
        const fed = lineFields(meta, spec)
          .filter(([, f]) => Array.isArray(f['x-default-from']))
          .map(([n]) => n);
        const out = await Promise.all(
          rows.map((row) =>
            lineDefaults(
              api,
              child,
              spec.link,
              fed.filter((n) => row[n] === undefined),
              row,
              current,
            ).catch(() => ({})),
          ),
        );
        return [spec.field, out] as const;
      }),
    ).then((pairs) => live && setFilled(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [linesKey, meta, view?.records, linesEditable]);

  if (!view || meta === undefined) return <LoadingState label={t('briefcase.title')} />;
  const schema = meta?.objects[object];
  if (!meta || !schema || (!creating && !record))
    return (
      <Page>
        <EmptyState title={t('briefcase.notFound')} action={<Link to="/briefcase">{t('briefcase.back')}</Link>} />
      </Page>
    );

  const label = objectLabel(object, schema, lang);
  const base: Fields = creating ? presets : record!.local;
  const values: Fields = { ...base, ...draft };
  const fields = editableFields(schema);
  const visit = !creating ? visitTarget(meta, object) : undefined;
  const required = new Set(schema.required ?? []);
  const readOnly = !!record?.reference;
  // The values the server's rules would give (defaults, filled-in prices, formulas, line roll-ups),
  // computed the way the online form does; a synced record shows the server's own.
  const defaults: Fields = Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(([, f]) => f.default !== undefined)
      .map(([n, f]) => [n, f.default]),
  );
  const withFilled: Fields = { ...defaults, ...values };
  for (const spec of specs)
    if (linesEditable)
      withFilled[spec.field] = typedRows(spec.field).map((row, i) => ({
        ...(filled[spec.field]?.[i] ?? {}),
        ...Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)),
      }));
  const compute = linesEditable ? liveComputer(meta.objects, schema) : undefined;
  const shownAll = compute ? compute(withFilled) : withFilled;
  const computedFields = Object.entries(schema.properties ?? {}).filter(([, f]) => f['x-formula'] || f['x-rollup']);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    try {
      if (creating) {
        const fresh: Fields = {};
        for (const [name] of fields)
          if (values[name] !== undefined && values[name] !== null) fresh[name] = values[name];
        // One create with its lines: the server saves them together, under one idempotency key.
        for (const spec of specs) fresh[spec.field] = typedRows(spec.field).map(typedLine);
        const newId = await queueCreate(object, fresh);
        navigate(`/briefcase/${object}/${newId}`, { replace: true });
      } else {
        const edit = { ...draft };
        for (const spec of specs)
          if (Array.isArray(edit[spec.field])) edit[spec.field] = (edit[spec.field] as Fields[]).map(typedLine);
        await queueEdit(object, id, edit);
        setDraft({});
      }
      toast({ title: t('briefcase.saved'), tone: 'success' });
    } finally {
      setSaving(false);
    }
  }

  const set = (name: string, f: FieldSchema, raw: string | boolean | string[]) =>
    setDraft((d) => ({ ...d, [name]: parseInput(f, raw) }));
  const lookupOptions = (target: string): BriefcaseRecord[] => view.records.filter((r) => r.object === target);

  return (
    <Page>
      <p>
        <Link className="f-briefcase__back" to="/briefcase">
          ← {t('briefcase.back')}
        </Link>
      </p>
      <PageHeader
        title={creating ? t('briefcase.newTitle', { object: label }) : recordName(meta, object, values, label)}
        subtitle={label}
        actions={
          !creating && (record?.pending || queued) ? <Badge tone="warning">{t('briefcase.pending')}</Badge> : undefined
        }
      />
      {problem && (
        <Card title={t('briefcase.refusedTitle', { record: recordName(meta, object, values, label) })}>
          {refusalLines(meta, problem, lang, t).map((line) => (
            <p key={line} className="f-briefcase__reason">
              {line}
            </p>
          ))}
        </Card>
      )}
      {readOnly && <p className="f-briefcase__muted">{t('briefcase.readOnly')}</p>}
      <Card>
        <form className="f-briefcase__form" onSubmit={save} aria-label={label}>
          <fieldset className="f-briefcase__fieldset" disabled={readOnly}>
            {fields.map(([name, f]) => {
              const kind = inputKind(f);
              const title = fieldLabel(schema, name, lang);
              const fieldId = `bf-${name}`;
              const common = { id: fieldId, name, required: required.has(name) && kind !== 'checkbox' };
              return (
                <div key={name} className="f-field">
                  <label className="f-field__label" htmlFor={fieldId}>
                    {title}
                    {common.required && <span aria-hidden="true"> *</span>}
                  </label>
                  {kind === 'select' && (
                    <select
                      {...common}
                      className="f-briefcase__control"
                      value={inputText(f, values[name])}
                      onChange={(e) => set(name, f, e.target.value)}
                    >
                      <option value="">{t('briefcase.none')}</option>
                      {(f.enum ?? []).map((v) => (
                        <option key={String(v)} value={String(v)}>
                          {enumLabel(f, String(v), lang)}
                        </option>
                      ))}
                    </select>
                  )}
                  {kind === 'lookup' && (
                    <select
                      {...common}
                      className="f-briefcase__control"
                      value={inputText(f, values[name])}
                      onChange={(e) => set(name, f, e.target.value)}
                    >
                      <option value="">{t('briefcase.none')}</option>
                      {values[name] && !lookupOptions(String(f['x-ref'])).some((r) => r.id === values[name]) ? (
                        <option value={String(values[name])}>{t('briefcase.notInBriefcase')}</option>
                      ) : null}
                      {lookupOptions(String(f['x-ref'])).map((r) => (
                        <option key={r.id} value={r.id}>
                          {recordName(meta, r.object, r.local, objectLabel(r.object, meta.objects[r.object], lang))}
                          {isLocalId(r.id) ? ` (${t('briefcase.pending')})` : ''}
                        </option>
                      ))}
                    </select>
                  )}
                  {kind === 'multi' && (
                    <select
                      {...common}
                      multiple
                      className="f-briefcase__control"
                      value={Array.isArray(values[name]) ? (values[name] as string[]) : []}
                      onChange={(e) =>
                        set(
                          name,
                          f,
                          [...e.target.selectedOptions].map((o) => o.value),
                        )
                      }
                    >
                      {((f.items as FieldSchema | undefined)?.enum ?? []).map((v) => (
                        <option key={String(v)} value={String(v)}>
                          {enumLabel(f.items as FieldSchema, String(v), lang)}
                        </option>
                      ))}
                    </select>
                  )}
                  {kind === 'checkbox' && (
                    <input
                      {...common}
                      type="checkbox"
                      className="f-briefcase__check"
                      checked={values[name] === true}
                      onChange={(e) => set(name, f, e.target.checked)}
                    />
                  )}
                  {kind === 'textarea' && (
                    <textarea
                      {...common}
                      className="f-briefcase__control"
                      rows={3}
                      value={inputText(f, values[name])}
                      onChange={(e) => set(name, f, e.target.value)}
                    />
                  )}
                  {(kind === 'text' || kind === 'number' || kind === 'date' || kind === 'datetime') && (
                    <input
                      {...common}
                      className="f-briefcase__control"
                      type={kind === 'datetime' ? 'datetime-local' : kind}
                      step={kind === 'number' ? 'any' : undefined}
                      value={inputText(f, values[name])}
                      onChange={(e) => set(name, f, e.target.value)}
                    />
                  )}
                </div>
              );
            })}
          </fieldset>
          {specs.map((spec) => {
            const rows = linesEditable
              ? typedRows(spec.field)
              : Array.isArray(values[spec.field])
                ? (values[spec.field] as Fields[])
                : [];
            const shown = Array.isArray(shownAll[spec.field]) ? (shownAll[spec.field] as Fields[]) : rows;
            return (
              <section key={spec.field} className="f-field" aria-label={fieldLabel(schema, spec.field, lang)}>
                <h2 className="f-briefcase__section">{fieldLabel(schema, spec.field, lang)}</h2>
                <BriefcaseLines
                  meta={meta}
                  spec={spec}
                  lang={lang}
                  t={t}
                  records={view.records}
                  rows={rows}
                  shown={shown}
                  filled={filled[spec.field] ?? []}
                  {...(linesEditable && !readOnly
                    ? { onChange: (next: Fields[]) => setDraft((d) => ({ ...d, [spec.field]: next })) }
                    : {})}
                />
              </section>
            );
          })}
          {computedFields.length > 0 && (
            <dl className="f-briefcase__computed" data-testid="briefcase-computed">
              {computedFields.map(([name]) => (
                <div key={name}>
                  <dt className="f-briefcase__muted">{fieldLabel(schema, name, lang)}</dt>
                  <dd>
                    <output data-field={name}>{formatComputed(shownAll[name], lang, t)}</output>
                  </dd>
                </div>
              ))}
              {linesEditable && <p className="f-briefcase__muted">{t('briefcase.computedAtSync')}</p>}
            </dl>
          )}
          {!readOnly && (
            <div className="f-briefcase__actions f-briefcase__sticky">
              <Button
                type="submit"
                variant="primary"
                loading={saving}
                disabled={!creating && !Object.keys(draft).length}
              >
                {t('briefcase.save')}
              </Button>
              {visit && (
                <Link
                  className="f-btn f-btn--secondary f-btn--md"
                  to={`/briefcase/${visit.object}/new?${new URLSearchParams({ [visit.field]: id, type: 'visit' })}`}
                >
                  {t('briefcase.logVisit')}
                </Link>
              )}
            </div>
          )}
        </form>
      </Card>
    </Page>
  );
}
