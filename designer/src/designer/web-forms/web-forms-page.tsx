import { useQuery } from '@tanstack/react-query';
import { ArrowDown, ArrowUp, Copy, ExternalLink, FileInput, Plus, X } from 'lucide-react';
import { type ReactNode, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { enumLabel, fieldLabel, objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { useSession } from '../../session/session-context';
import { Badge, Button, Card, DataTable, EmptyState, IconButton, Page, TextField, useToast } from '../../ui';
import { type FullMetaDocument, errorsUnder, useItemDraft, useItemPublish } from '../common';
import { ItemEditorHeader } from '../common/item-editor-header';
import { ItemListPage } from '../common/item-list-page';
import { MetaDocumentGate } from '../common/meta-document-gate';
import { CheckField, SelectField, TextAreaField } from '../objects/controls';
import { useMetaDocument } from '../objects/use-meta-document';
import { fetchUsers } from '../users/users-api';
import {
  type WebFormDefinition,
  type WebFormDraft,
  definitionOf,
  draftOf,
  eligibleFields,
  embedSnippets,
  localProblems,
  newDraft,
} from './web-form-model';
import './web-forms.css';

type Forms = Record<string, WebFormDefinition | null>;
const formsOf = (doc: FullMetaDocument | undefined): Forms =>
  ((doc as { webForms?: Forms } | undefined)?.webForms ?? {}) as Forms;

/** The form's label in the admin's language (zh-CN from x-i18n, else the label). */
function formLabel(def: WebFormDefinition, lang: string): string {
  return (lang.startsWith('zh') ? def['x-i18n']?.['zh-CN']?.label : undefined) || def.label;
}

/** `/designer/web-forms`: the tenant's public web forms, their public pages, and a way to add one. */
export function WebFormsPage() {
  const { t, i18n } = useTranslation();
  const meta = useMetaDocument();
  const session = useSession();
  const objects = meta.data?.objects ?? {};
  const forms = formsOf(meta.data);
  const rows = Object.entries(forms)
    .filter((e): e is [string, WebFormDefinition] => !!e[1])
    .map(([name, def]) => ({ name, def, label: formLabel(def, i18n.language) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const lang = i18n.language.startsWith('zh') ? 'zh-CN' : 'en';

  return (
    <ItemListPage
      icon={<FileInput size={22} aria-hidden="true" />}
      title={t('webFormsDesigner.title')}
      subtitle={t('webFormsDesigner.subtitle')}
      loadFailed={t('webFormsDesigner.loadFailed')}
      newItem={{
        label: t('webFormsDesigner.newForm'),
        texts: 'webFormsDesigner',
        formId: 'f-wf-new',
        taken: Object.keys(forms),
        editorPath: (name, label, object) =>
          `/designer/web-forms/${name}?${new URLSearchParams({ object, label }).toString()}`,
      }}
    >
      {() => (
        <DataTable
          caption={t('webFormsDesigner.title')}
          rows={rows}
          rowKey={(r) => r.name}
          empty={<EmptyState title={t('webFormsDesigner.none')} body={t('webFormsDesigner.noneBody')} />}
          columns={[
            {
              key: 'label',
              header: t('webFormsDesigner.formColumn'),
              render: (r) => (
                <Link className="f-item-list__link" to={`/designer/web-forms/${r.name}`}>
                  {r.label}
                </Link>
              ),
            },
            {
              key: 'object',
              header: t('webFormsDesigner.object'),
              render: (r) => objectLabel(r.def.object, objects[r.def.object] ?? undefined, i18n.language),
            },
            {
              key: 'active',
              header: t('webFormsDesigner.status'),
              render: (r) =>
                r.def.active === false ? <Badge>{t('webFormsDesigner.inactive')}</Badge> : t('webFormsDesigner.active'),
            },
            {
              key: 'page',
              header: t('webFormsDesigner.publicPage'),
              render: (r) => (
                <a
                  href={`/f/${encodeURIComponent(session.tenant)}/${encodeURIComponent(r.name)}?lang=${lang}`}
                  target="_blank"
                  rel="noreferrer"
                  className="f-wf-open"
                  aria-label={t('webFormsDesigner.openPageOf', { label: r.label })}
                >
                  <ExternalLink size={14} aria-hidden="true" /> {t('webFormsDesigner.openPage')}
                </a>
              ),
            },
          ]}
        />
      )}
    </ItemListPage>
  );
}

/** `/designer/web-forms/:name`: one form (a new one with `?object=&label=`). */
export function WebFormEditorPage() {
  const { name = '' } = useParams();
  const { t } = useTranslation();
  return (
    <MetaDocumentGate loadFailed={t('webFormsDesigner.loadFailed')}>
      {(doc) => <FormEditor key={`${name}:${doc.version}`} name={name} doc={doc} />}
    </MetaDocumentGate>
  );
}

/** A control with the server's or the editor's words about it underneath. */
function AtField({ error, children }: { error: string | undefined; children: ReactNode }) {
  return (
    <div className={error ? 'f-field--invalid f-wf-at' : 'f-wf-at'}>
      {children}
      {error && (
        <p className="f-field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function FormEditor({ name, doc }: { name: string; doc: FullMetaDocument }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const toast = useToast();
  const session = useSession();
  const [params] = useSearchParams();
  const lang = i18n.language;
  const stored = formsOf(doc)[name] ?? undefined;
  const initial = useMemo<WebFormDraft>(
    () =>
      stored
        ? draftOf(stored)
        : newDraft(params.get('object') ?? Object.keys(doc.objects)[0] ?? '', params.get('label') ?? ''),
    [stored, params, doc.objects],
  );
  const item = useItemDraft(initial, !!stored);
  const { draft, update } = item;
  const users = useQuery({ queryKey: ['designer-users'], queryFn: ({ signal }) => fetchUsers(api, signal) });

  const schema = (doc.objects[draft.object] ?? undefined) as ObjectSchema | undefined;
  const definition = definitionOf(draft, stored, schema);
  const local = localProblems(draft, schema);
  const localText = Object.fromEntries(
    Object.entries(local).map(([p, problem]) => [
      p,
      problem.code === 'requiredLeftOff'
        ? t('webFormsDesigner.problem_requiredLeftOff', { field: fieldLabel(schema, problem.field, lang) })
        : t(`webFormsDesigner.problem_${problem.code}`),
    ]),
  );
  const flow = useItemPublish(item, {
    section: 'webForms',
    texts: 'webFormsDesigner',
    name,
    version: doc.version,
    definition,
    label: formLabel(definition, lang),
    localText,
    after: { deleted: '/designer/web-forms', published: `/designer/web-forms/${name}` },
  });
  const { shown } = flow;
  const at = (path: string) => shown[path];
  const under = (path: string) => errorsUnder(shown, path);

  const eligible = eligibleFields(schema);
  const used = new Set([...draft.fields.map((f) => f.field), ...draft.hidden.map((h) => h.field)]);
  const label = (f: string) => fieldLabel(schema, f, lang);
  const addable = eligible
    .filter((f) => !used.has(f))
    .map((f) => ({ value: f, label: label(f) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const required = new Set(schema?.required ?? []);
  const objectOptions = Object.entries(doc.objects)
    .filter(([, o]) => !!o)
    .map(([n, o]) => ({ value: n, label: objectLabel(n, o ?? undefined, lang) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const ownerOptions = [
    { value: '', label: t('webFormsDesigner.ownerDefault') },
    ...(users.data ?? [])
      .filter((u) => u.active || u.id === draft.owner)
      .map((u) => ({ value: u.id, label: u.name }))
      .sort((a, b) => a.label.localeCompare(b.label)),
  ];
  const snippetLang = lang.startsWith('zh') ? 'zh-CN' : 'en';
  const snippets = embedSnippets(
    window.location.origin,
    session.tenant,
    name,
    formLabel(definition, lang),
    snippetLang,
  );

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      toast({ tone: 'success', title: t('webFormsDesigner.copied') });
    } catch {
      toast({ tone: 'error', title: t('webFormsDesigner.copyFailed') });
    }
  }

  const moveField = (i: number, by: number) => {
    const next = [...draft.fields];
    const [f] = next.splice(i, 1);
    if (f) next.splice(i + by, 0, f);
    update({ fields: next });
  };

  return (
    <Page wide>
      {flow.guard}
      <ItemEditorHeader
        {...flow.header}
        back={'/designer/web-forms'}
        icon={<FileInput size={22} aria-hidden="true" />}
        title={formLabel(definition, lang) || t('webFormsDesigner.untitled')}
        subtitle={t('webFormsDesigner.editorSubtitle', { object: objectLabel(draft.object, schema, lang) })}
      />
      {at('/') && (
        <p className="f-field__error" role="alert">
          {at('/')}
        </p>
      )}
      <div className="f-item-editor__layout f-wf-layout">
        <div className="f-item-editor__main">
          <Card title={t('webFormsDesigner.basics')}>
            <div className="f-item-editor__form">
              <div className="f-item-editor__inline">
                <TextField
                  label={t('webFormsDesigner.labelEn')}
                  value={draft.label}
                  onChange={(e) => update({ label: e.target.value })}
                  error={under('/label')}
                  required
                />
                <TextField
                  label={t('webFormsDesigner.labelZh')}
                  value={draft.labelZh}
                  onChange={(e) => update({ labelZh: e.target.value })}
                  error={under('/x-i18n')}
                />
              </div>
              <AtField error={under('/object')}>
                <SelectField
                  label={t('webFormsDesigner.object')}
                  value={draft.object}
                  options={objectOptions}
                  // Fields and hidden values belong to the object: another object starts them afresh.
                  onChange={(object) => update({ object, fields: [], hidden: [] })}
                />
              </AtField>
              <div className="f-item-editor__inline">
                <CheckField
                  label={t('webFormsDesigner.activeLabel')}
                  hint={t('webFormsDesigner.activeHint')}
                  checked={draft.active}
                  onChange={(active) => update({ active })}
                />
                <CheckField
                  label={t('webFormsDesigner.proofOfWork')}
                  hint={t('webFormsDesigner.proofOfWorkHint')}
                  checked={draft.proofOfWork}
                  onChange={(proofOfWork) => update({ proofOfWork })}
                />
              </div>
            </div>
          </Card>

          <Card title={t('webFormsDesigner.fields')}>
            <p className="f-item-editor__muted">{t('webFormsDesigner.fieldsHint')}</p>
            {at('/fields') && (
              <p className="f-field__error f-wf-fields-error" role="alert">
                {at('/fields')}
              </p>
            )}
            <ol className="f-wf-rows" aria-label={t('webFormsDesigner.fields')}>
              {draft.fields.map((f, i) => (
                <li key={f.field} className="f-wf-row" data-field={f.field}>
                  <AtField error={under(`/fields/${i}`)}>
                    <div className="f-wf-row__line">
                      <span className="f-wf-row__name">
                        {label(f.field)}
                        {required.has(f.field) && (
                          <span className="f-item-editor__muted"> · {t('webFormsDesigner.requiredByObject')}</span>
                        )}
                      </span>
                      <div className="f-wf-row__controls">
                        <CheckField
                          label={t('webFormsDesigner.required')}
                          checked={f.required || required.has(f.field)}
                          disabled={required.has(f.field)}
                          onChange={(r) =>
                            update({ fields: draft.fields.map((x, j) => (j === i ? { ...x, required: r } : x)) })
                          }
                        />
                        <IconButton
                          label={t('webFormsDesigner.moveUp', { field: label(f.field) })}
                          icon={<ArrowUp size={16} aria-hidden="true" />}
                          disabled={i === 0}
                          onClick={() => moveField(i, -1)}
                        />
                        <IconButton
                          label={t('webFormsDesigner.moveDown', { field: label(f.field) })}
                          icon={<ArrowDown size={16} aria-hidden="true" />}
                          disabled={i === draft.fields.length - 1}
                          onClick={() => moveField(i, 1)}
                        />
                        <IconButton
                          label={t('webFormsDesigner.removeField', { field: label(f.field) })}
                          icon={<X size={16} aria-hidden="true" />}
                          onClick={() => update({ fields: draft.fields.filter((_, j) => j !== i) })}
                        />
                      </div>
                    </div>
                  </AtField>
                </li>
              ))}
            </ol>
            {addable.length > 0 && (
              <div className="f-wf-add">
                <SelectField
                  label={t('webFormsDesigner.addField')}
                  value=""
                  options={[{ value: '', label: t('webFormsDesigner.chooseField') }, ...addable]}
                  onChange={(field) => field && update({ fields: [...draft.fields, { field, required: false }] })}
                />
              </div>
            )}
          </Card>

          <Card title={t('webFormsDesigner.hidden')}>
            <p className="f-item-editor__muted">{t('webFormsDesigner.hiddenHint')}</p>
            <ul className="f-wf-rows" aria-label={t('webFormsDesigner.hidden')}>
              {draft.hidden.map((h, i) => {
                const def = schema?.properties?.[h.field];
                const choices = Array.isArray(def?.enum) ? def.enum.map(String) : undefined;
                const options = [
                  ...(h.field
                    ? [{ value: h.field, label: label(h.field) }]
                    : [{ value: '', label: t('webFormsDesigner.chooseField') }]),
                  ...addable,
                ];
                const valueLabel = t('webFormsDesigner.hiddenValue', { field: h.field ? label(h.field) : '' });
                const setRow = (patch: Partial<{ field: string; value: string }>) =>
                  update({ hidden: draft.hidden.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a row may not have its field yet.
                  <li key={i} className="f-wf-row">
                    <AtField error={(h.field && under(`/hidden/${h.field}`)) || at(`/hiddenRow/${i}`)}>
                      <div className="f-wf-row__line f-wf-row__line--hidden">
                        <SelectField
                          label={t('webFormsDesigner.hiddenField')}
                          value={h.field}
                          options={options}
                          onChange={(field) => setRow({ field, value: '' })}
                        />
                        {choices ? (
                          <SelectField
                            label={valueLabel}
                            value={h.value}
                            options={[
                              { value: '', label: '—' },
                              ...choices.map((c) => ({ value: c, label: enumLabel(def, c, lang) })),
                            ]}
                            onChange={(value) => setRow({ value })}
                          />
                        ) : (
                          <TextField
                            label={valueLabel}
                            value={h.value}
                            onChange={(e) => setRow({ value: e.target.value })}
                          />
                        )}
                        <IconButton
                          label={t('webFormsDesigner.removeHidden', { field: h.field ? label(h.field) : '' })}
                          icon={<X size={16} aria-hidden="true" />}
                          onClick={() => update({ hidden: draft.hidden.filter((_, j) => j !== i) })}
                        />
                      </div>
                    </AtField>
                  </li>
                );
              })}
            </ul>
            <Button
              icon={<Plus size={16} aria-hidden="true" />}
              onClick={() => update({ hidden: [...draft.hidden, { field: '', value: '' }] })}
            >
              {t('webFormsDesigner.addHidden')}
            </Button>
          </Card>

          <Card title={t('webFormsDesigner.afterSubmit')}>
            <div className="f-item-editor__form">
              <AtField error={under('/owner')}>
                <SelectField
                  label={t('webFormsDesigner.owner')}
                  hint={t('webFormsDesigner.ownerHint')}
                  value={draft.owner}
                  options={ownerOptions}
                  onChange={(owner) => update({ owner })}
                />
              </AtField>
              <TextAreaField
                label={t('webFormsDesigner.thankYouEn')}
                value={draft.thankYou}
                onChange={(thankYou) => update({ thankYou })}
                error={under('/thankYou')}
              />
              <TextAreaField
                label={t('webFormsDesigner.thankYouZh')}
                value={draft.thankYouZh}
                onChange={(thankYouZh) => update({ thankYouZh })}
              />
              <TextField
                label={t('webFormsDesigner.redirectUrl')}
                hint={t('webFormsDesigner.redirectHint')}
                type="url"
                value={draft.redirectUrl}
                onChange={(e) => update({ redirectUrl: e.target.value })}
                error={under('/redirectUrl')}
              />
            </div>
          </Card>
        </div>

        <div className="f-item-editor__side">
          <Card title={t('webFormsDesigner.embed')}>
            {stored ? (
              <div className="f-item-editor__form">
                <p className="f-item-editor__muted">{t('webFormsDesigner.embedHint')}</p>
                <Snippet title={t('webFormsDesigner.pageLink')} text={snippets.url} onCopy={copy} />
                <Snippet title={t('webFormsDesigner.iframe')} text={snippets.iframe} onCopy={copy} />
                <Snippet title={t('webFormsDesigner.link')} text={snippets.link} onCopy={copy} />
                <a className="f-wf-open" href={`${snippets.url}?lang=${snippetLang}`} target="_blank" rel="noreferrer">
                  <ExternalLink size={14} aria-hidden="true" /> {t('webFormsDesigner.openPage')}
                </a>
              </div>
            ) : (
              <p className="f-item-editor__muted">{t('webFormsDesigner.embedAfterPublish')}</p>
            )}
          </Card>
        </div>
      </div>

      {flow.dialog}
    </Page>
  );
}

function Snippet({ title, text, onCopy }: { title: string; text: string; onCopy: (text: string) => void }) {
  const { t } = useTranslation();
  return (
    <section className="f-wf-snippet" aria-label={title}>
      <div className="f-wf-snippet__head">
        <h3>{title}</h3>
        <Button size="sm" icon={<Copy size={14} aria-hidden="true" />} onClick={() => onCopy(text)}>
          {t('webFormsDesigner.copy')}
        </Button>
      </div>
      <pre className="f-wf-snippet__code">{text}</pre>
    </section>
  );
}
