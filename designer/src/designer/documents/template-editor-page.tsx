import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowLeft, Eye, FileDown, Trash2, Upload } from 'lucide-react';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { isApiError } from '../../api/api-error';
import { deliverFile, documentsApi, type PrintTemplate } from '../../documents/documents-api';
import { insertAt, pickerGroups } from '../../documents/placeholders';
import { objectLabel } from '../../i18n/pick-label';
import type { AppMeta } from '../../meta/meta-types';
import { useAppMeta } from '../../meta/use-app-meta';
import { labelFieldOf } from '../../records/field-kind';
import { useRecordsApi } from '../../records/use-records-api';
import { useSession } from '../../session/session-context';
import {
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  LoadingState,
  Page,
  PageHeader,
  TextField,
  useToast,
} from '../../ui';
import { useUnsavedChangesGuard } from '../common';
import { editorPath } from './documents-page';
import {
  changedParts,
  type DraftPart,
  draftOf,
  draftProblems,
  inputOf,
  type PartProblem,
  problemsOf,
  type TemplateDraft,
} from './template-draft';
import { LogoPicker } from './logo-picker';
import './documents.css';

/** `/designer/documents/:object/:name` (`?new=1&label=` for a new one): one print template. */
export function TemplateEditorPage() {
  const { t } = useTranslation();
  const { object = '', name = '' } = useParams();
  const [params] = useSearchParams();
  const isNew = params.get('new') === '1';
  const api = useApi();
  const session = useSession();
  const meta = useAppMeta();
  const stored = useQuery({
    queryKey: ['print-templates', session.tenant, object, name],
    queryFn: async () => {
      try {
        return await documentsApi(api).get(object, name);
      } catch (e) {
        if (isApiError(e, 'NOT_FOUND')) return null;
        throw e;
      }
    },
  });
  if (meta.isPending || stored.isPending) return <LoadingState label={t('common.loading')} />;
  if (meta.isError || stored.isError)
    return (
      <ErrorState
        title={t('documents.loadFailed')}
        body={(meta.error ?? stored.error)?.message}
        action={<Button onClick={() => void stored.refetch()}>{t('common.retry')}</Button>}
      />
    );
  if (!meta.data?.objects[object] || (!stored.data && !isNew) || stored.data?.kind === 'docx')
    return (
      <Page>
        <BackLink object={object} />
        <EmptyState title={t('documents.notFound')} body={t('documents.notFoundBody')} />
      </Page>
    );
  return (
    <Editor
      key={`${object}/${name}/${stored.data?.version ?? 0}`}
      meta={meta.data as AppMeta}
      object={object}
      name={name}
      stored={stored.data ?? undefined}
      newLabel={params.get('label') ?? ''}
    />
  );
}

function BackLink({ object }: { object: string }) {
  const { t } = useTranslation();
  return (
    <Link className="f-doc-back" to={`/designer/documents?object=${encodeURIComponent(object)}`}>
      <ArrowLeft size={16} aria-hidden="true" /> {t('documents.back')}
    </Link>
  );
}

type Target = 'html' | 'header' | 'footer';

function Editor({
  meta,
  object,
  name,
  stored,
  newLabel,
}: {
  meta: AppMeta;
  object: string;
  name: string;
  stored: PrintTemplate | undefined;
  newLabel: string;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const published = useMemo(() => (stored ? draftOf(stored) : undefined), [stored]);
  const [draft, setDraft] = useState<TemplateDraft>(() => draftOf(stored, newLabel));
  const [target, setTarget] = useState<Target>('html');
  const refs = {
    html: useRef<HTMLTextAreaElement>(null),
    header: useRef<HTMLTextAreaElement>(null),
    footer: useRef<HTMLTextAreaElement>(null),
  };
  const [checked, setChecked] = useState(false);
  const [serverProblems, setServerProblems] = useState<Partial<Record<DraftPart, PartProblem>>>({});
  const [publishing, setPublishing] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const changes = changedParts(published, draft);
  const dirty = changes.length > 0;
  const guard = useUnsavedChangesGuard(dirty && !publishing);
  const local = draftProblems(draft);
  const groups = useMemo(() => pickerGroups(meta, object, lang), [meta, object, lang]);

  const set = (patch: Partial<TemplateDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    const parts = Object.keys(patch) as (keyof TemplateDraft)[];
    setServerProblems((p) => {
      const next = { ...p };
      for (const k of parts)
        delete next[k === 'size' || k === 'orientation' || k === 'margin' ? 'page' : (k as DraftPart)];
      return next;
    });
  };

  const insert = (text: string, into: Target = target) => {
    const el = refs[into].current;
    const value = draft[into];
    const { value: next, caret } = insertAt(
      value,
      el?.selectionStart ?? value.length,
      el?.selectionEnd ?? value.length,
      text,
    );
    set({ [into]: next } as Partial<TemplateDraft>);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(caret, caret);
    });
  };

  const problemText = (part: DraftPart): string | undefined => {
    const server = serverProblems[part];
    if (server)
      return server.kind === 'unknown'
        ? t('documents.unknownPlaceholders', { names: (server.names ?? []).map((n) => `{{${n}}}`).join(', ') })
        : server.line !== undefined
          ? t('documents.syntaxAt', { line: server.line, message: server.message })
          : (server.message ?? '');
    const mine = local[part];
    if (!mine || !checked) return undefined;
    return mine === 'margin' ? t('documents.marginRange') : t('documents.required');
  };

  /** The browser's checks first; the server's own (placeholders, syntax) answer the publish at their field. */
  const review = () => {
    setChecked(true);
    if (Object.keys(local).length > 0 || Object.keys(serverProblems).length > 0) return;
    setReviewing(true);
  };

  const publish = async () => {
    setPublishing(true);
    try {
      const current = stored
        ? await documentsApi(api)
            .get(object, name)
            .catch(() => undefined)
        : undefined;
      if (stored && current && current.version !== stored.version) {
        toast({ tone: 'error', title: t('documents.stale') });
        return;
      }
      await documentsApi(api).save(object, name, inputOf(draft));
      setReviewing(false);
      await queryClient.invalidateQueries({ queryKey: ['print-templates', session.tenant] });
      toast({ tone: 'success', title: t('documents.published', { label: draft.label.trim() }) });
      navigate(editorPath(object, name), { replace: true });
    } catch (e) {
      setReviewing(false);
      if (isApiError(e, 'VALIDATION_FAILED') || isApiError(e, 'BAD_REQUEST')) setServerProblems(problemsOf(e));
      else toast({ tone: 'error', title: e instanceof Error ? e.message : String(e) });
    } finally {
      setPublishing(false);
    }
  };

  const remove = async () => {
    try {
      await documentsApi(api).remove(object, name);
      await queryClient.invalidateQueries({ queryKey: ['print-templates', session.tenant] });
      navigate(`/designer/documents?object=${encodeURIComponent(object)}`);
    } catch (e) {
      toast({ tone: 'error', title: e instanceof Error ? e.message : String(e) });
    }
  };

  const area = (part: Target, label: string, rows: number, hint?: ReactNode) => {
    const error = problemText(part);
    const id = `f-doc-${part}`;
    return (
      <div className={`f-field${error ? ' f-field--invalid' : ''}`}>
        <label className="f-field__label" htmlFor={id}>
          {label}
        </label>
        <textarea
          id={id}
          ref={refs[part]}
          className="f-doc-code"
          rows={rows}
          spellCheck={false}
          value={draft[part]}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onFocus={() => setTarget(part)}
          onChange={(e) => set({ [part]: e.target.value } as Partial<TemplateDraft>)}
        />
        {error && (
          <p id={`${id}-error`} className="f-field__error" role="alert">
            {error}
          </p>
        )}
        {hint && <p className="f-field__hint">{hint}</p>}
      </div>
    );
  };

  return (
    <Page>
      {guard}
      <BackLink object={object} />
      <PageHeader
        title={draft.label.trim() || name}
        subtitle={t('documents.editorSubtitle', { object: objectLabel(object, meta.objects[object], lang), name })}
        actions={
          <>
            {stored && (
              <Button
                variant="ghost"
                icon={<Trash2 size={16} aria-hidden="true" />}
                onClick={() => setConfirmDelete(true)}
              >
                {t('documents.delete')}
              </Button>
            )}
            <Button variant="primary" icon={<Upload size={16} aria-hidden="true" />} onClick={review}>
              {t('documents.publish')}
            </Button>
          </>
        }
      />
      {!stored && <p className="f-doc-hint">{t('documents.unpublished')}</p>}
      <div className="f-doc-editor">
        <div className="f-doc-main">
          <Card>
            <div className="f-doc-form">
              <TextField
                label={t('documents.label')}
                value={draft.label}
                required
                error={problemText('label')}
                onChange={(e) => set({ label: e.target.value })}
              />
              {area('html', t('documents.body'), 14, t('documents.bodyHint'))}
              <div className="f-doc-row">
                {area(
                  'header',
                  t('documents.header'),
                  2,
                  t('documents.pageHint', { pageTag: '{{page}}', pagesTag: '{{pages}}' }),
                )}
                {area('footer', t('documents.footer'), 2)}
              </div>
              <fieldset className="f-doc-page">
                <legend className="f-field__label">{t('documents.page')}</legend>
                <label>
                  {t('documents.size')}{' '}
                  <select
                    className="f-select"
                    value={draft.size}
                    onChange={(e) => set({ size: e.target.value as TemplateDraft['size'] })}
                  >
                    {(['A4', 'A5', 'LETTER', 'LEGAL'] as const).map((s) => (
                      <option key={s} value={s}>
                        {t(`documents.size_${s}`)}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {t('documents.orientation')}{' '}
                  <select
                    className="f-select"
                    value={draft.orientation}
                    onChange={(e) => set({ orientation: e.target.value as TemplateDraft['orientation'] })}
                  >
                    <option value="portrait">{t('documents.portrait')}</option>
                    <option value="landscape">{t('documents.landscape')}</option>
                  </select>
                </label>
                <label>
                  {t('documents.margin')}{' '}
                  <input
                    className="f-doc-margin"
                    type="number"
                    min={0}
                    max={144}
                    value={Number.isFinite(draft.margin) ? draft.margin : ''}
                    onChange={(e) => set({ margin: e.target.value === '' ? Number.NaN : Number(e.target.value) })}
                  />
                </label>
                {problemText('page') && (
                  <p className="f-field__error" role="alert">
                    {problemText('page')}
                  </p>
                )}
              </fieldset>
            </div>
          </Card>
          <PreviewPanel meta={meta} object={object} draft={draft} onRefused={setServerProblems} />
        </div>
        <aside className="f-doc-picker" aria-label={t('documents.fieldPicker')}>
          {/* Header and footer are drawn as text: the logo always goes into the body. */}
          <LogoPicker onInsert={(tag) => insert(tag, 'html')} />
          <h2 className="f-doc-subtitle">{t('documents.fieldPicker')}</h2>
          <p className="f-doc-hint">{t('documents.pickerHint', { part: t(`documents.part_${target}`) })}</p>
          {groups.map((g) => (
            <details key={`${g.kind}:${g.field}`} className="f-doc-group" open={g.kind === 'fields'}>
              <summary>{g.kind === 'lines' ? t('documents.lineItems', { title: g.title }) : g.title}</summary>
              <ul>
                {g.items.map((item) => (
                  <li key={item.insert}>
                    <button
                      type="button"
                      className="f-doc-pick"
                      title={item.insert}
                      onClick={() => insert(item.insert)}
                    >
                      <span>{item.label}</span>
                      <code>{item.insert.split('\n')[0]}</code>
                    </button>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </aside>
      </div>
      <Dialog
        open={reviewing}
        onOpenChange={(o) => !publishing && setReviewing(o)}
        title={t('documents.reviewTitle', { label: draft.label.trim() })}
        description={stored ? t('documents.reviewBody') : t('documents.reviewNew')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setReviewing(false)} disabled={publishing}>
              {t('common.cancel')}
            </Button>
            <Button variant="primary" loading={publishing} onClick={() => void publish()}>
              {t('documents.publishNow')}
            </Button>
          </>
        }
      >
        {changes.length === 0 ? (
          <p>{t('documents.noChanges')}</p>
        ) : (
          <ul className="f-doc-changes">
            {changes.map((c) => (
              <li key={c}>{t(`documents.change_${c}`)}</li>
            ))}
          </ul>
        )}
      </Dialog>
      <Dialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={t('documents.deleteTitle', { label: stored?.label ?? name })}
        description={t('documents.deleteBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" onClick={() => void remove()}>
              {t('documents.delete')}
            </Button>
          </>
        }
      />
    </Page>
  );
}

interface Pick {
  id: string;
  label: string;
}

/** Live preview of the draft against a record chosen by its name; the PDF is the printed layout. */
function PreviewPanel({
  meta,
  object,
  draft,
  onRefused,
}: {
  meta: AppMeta;
  object: string;
  draft: TemplateDraft;
  onRefused(p: Partial<Record<DraftPart, PartProblem>>): void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const records = useRecordsApi();
  const toast = useToast();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<Pick | undefined>();
  const [html, setHtml] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const labelField = labelFieldOf(meta.objects[object]);
  const found = useQuery({
    queryKey: ['print-preview-records', object, q],
    queryFn: ({ signal }) => records.list(object, { q: q || undefined, limit: 8 }, signal),
  });
  const labelOf = (r: Record<string, unknown>) => String((labelField && r[labelField]) ?? r.id);
  const run = async (pdf: boolean) => {
    if (!picked) return;
    setBusy(true);
    try {
      if (pdf) deliverFile(await documentsApi(api).previewPdf(object, picked.id, inputOf(draft)), 'preview.pdf');
      else setHtml((await documentsApi(api).preview(object, picked.id, inputOf(draft))).html);
      onRefused({});
    } catch (e) {
      if (isApiError(e, 'VALIDATION_FAILED') || isApiError(e, 'BAD_REQUEST')) onRefused(problemsOf(e));
      else toast({ tone: 'error', title: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  // Once shown, the preview follows the draft: re-rendered a moment after typing stops.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a change of the draft re-renders
  useEffect(() => {
    if (!picked || html === undefined) return;
    const timer = setTimeout(() => void run(false), 800);
    return () => clearTimeout(timer);
  }, [draft]);
  return (
    <Card>
      <section className="f-doc-preview" aria-label={t('documents.preview')}>
        <h2 className="f-doc-subtitle">{t('documents.preview')}</h2>
        <div className="f-doc-row">
          <TextField
            label={t('documents.previewRecord')}
            value={q}
            placeholder={t('documents.previewSearch')}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        <ul className="f-doc-records" aria-label={t('documents.previewRecord')}>
          {(found.data?.items ?? []).map((r) => (
            <li key={r.id}>
              <button
                type="button"
                className={picked?.id === r.id ? 'f-doc-record f-doc-record--on' : 'f-doc-record'}
                aria-pressed={picked?.id === r.id}
                onClick={() => setPicked({ id: r.id, label: labelOf(r) })}
              >
                {labelOf(r)}
              </button>
            </li>
          ))}
        </ul>
        <div className="f-doc-actions">
          <Button
            icon={<Eye size={16} aria-hidden="true" />}
            disabled={!picked}
            loading={busy}
            onClick={() => void run(false)}
          >
            {picked ? t('documents.previewWith', { label: picked.label }) : t('documents.pickRecord')}
          </Button>
          <Button
            icon={<FileDown size={16} aria-hidden="true" />}
            disabled={!picked || busy}
            onClick={() => void run(true)}
          >
            {t('documents.previewPdf')}
          </Button>
        </div>
        {html !== undefined && (
          // Sandboxed without scripts: the HTML is the template's, escaped record values inside.
          <iframe className="f-doc-frame" title={t('documents.preview')} sandbox="" srcDoc={previewDocument(html)} />
        )}
      </section>
    </Card>
  );
}

const previewDocument = (html: string) =>
  `<!doctype html><meta charset="utf-8"><style>body{font-family:"Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#1f2937}table{border-collapse:collapse;width:100%}td,th{border:1px solid #d1d5db;padding:4px 8px;text-align:left}</style>${html}`;
