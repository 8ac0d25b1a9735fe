import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FilePlus2, FileText, FileUp, Printer } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { isApiError } from '../../api/api-error';
import { documentsApi, type PrintTemplate, type WordTagList } from '../../documents/documents-api';
import { objectLabel } from '../../i18n/pick-label';
import { useAppMeta } from '../../meta/use-app-meta';
import { useSession } from '../../session/session-context';
import {
  Badge,
  Button,
  DataTable,
  Dialog,
  EmptyState,
  ErrorState,
  LoadingState,
  Page,
  PageHeader,
  TextField,
} from '../../ui';
import { suggestName, templateNameProblem } from './template-draft';
import './documents.css';

export const templateKeys = {
  list: (tenant: string, object: string) => ['print-templates', tenant, object] as const,
};

/** `/designer/documents?object=`: one object's print (HTML → PDF) and Word templates. */
export function DocumentsPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const api = useApi();
  const session = useSession();
  const meta = useAppMeta();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const objects = useMemo(
    () =>
      Object.entries(meta.data?.objects ?? {})
        .map(([name, schema]) => ({ name, label: objectLabel(name, schema, lang) }))
        .sort((a, b) => a.label.localeCompare(b.label)),
    [meta.data, lang],
  );
  const object = params.get('object') ?? objects[0]?.name ?? '';
  const templates = useQuery({
    queryKey: templateKeys.list(session.tenant, object),
    queryFn: () => documentsApi(api).list(object),
    enabled: !!object,
  });
  const [dialog, setDialog] = useState<'new' | 'word' | undefined>();

  return (
    <Page>
      <PageHeader
        icon={<Printer size={22} aria-hidden="true" />}
        title={t('documents.title')}
        subtitle={t('documents.subtitle')}
        actions={
          object && (
            <>
              <Button icon={<FileUp size={16} aria-hidden="true" />} onClick={() => setDialog('word')}>
                {t('documents.uploadWord')}
              </Button>
              <Button
                variant="primary"
                icon={<FilePlus2 size={16} aria-hidden="true" />}
                onClick={() => setDialog('new')}
              >
                {t('documents.newTemplate')}
              </Button>
            </>
          )
        }
      />
      <div className="f-doc-toolbar">
        <label className="f-field__label" htmlFor="f-doc-object">
          {t('documents.object')}
        </label>
        <select
          id="f-doc-object"
          className="f-select"
          value={object}
          onChange={(e) => setParams({ object: e.target.value }, { replace: true })}
        >
          {objects.map((o) => (
            <option key={o.name} value={o.name}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      {meta.isPending || templates.isPending ? (
        <LoadingState label={t('common.loading')} />
      ) : templates.isError ? (
        <ErrorState
          title={t('documents.loadFailed')}
          body={templates.error.message}
          action={<Button onClick={() => templates.refetch()}>{t('common.retry')}</Button>}
        />
      ) : (
        <DataTable<PrintTemplate>
          caption={t('documents.title')}
          rows={templates.data}
          rowKey={(r) => r.name}
          onRowClick={(r) => r.kind === 'html' && navigate(editorPath(r.object, r.name))}
          empty={<EmptyState title={t('documents.none')} body={t('documents.noneBody')} />}
          columns={[
            {
              key: 'label',
              header: t('documents.label'),
              render: (r) =>
                r.kind === 'html' ? (
                  <Link className="f-doc-link" to={editorPath(r.object, r.name)}>
                    {r.label}
                  </Link>
                ) : (
                  <span className="f-doc-link">{r.label}</span>
                ),
            },
            {
              key: 'kind',
              header: t('documents.kind'),
              render: (r) => <Badge>{r.kind === 'html' ? t('documents.kindHtml') : t('documents.kindWord')}</Badge>,
            },
            {
              key: 'updated',
              header: t('documents.updated'),
              render: (r) =>
                r.updatedAt
                  ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(
                      new Date(r.updatedAt),
                    )
                  : '',
            },
          ]}
        />
      )}
      <NewTemplateDialog
        open={dialog === 'new'}
        onClose={() => setDialog(undefined)}
        taken={(templates.data ?? []).map((x) => x.name)}
        onCreate={(name, label) => navigate(`${editorPath(object, name)}?new=1&label=${encodeURIComponent(label)}`)}
      />
      <WordUploadDialog
        open={dialog === 'word'}
        object={object}
        // A Word template is replaced by uploading under its name again; a print template's name is taken.
        taken={(templates.data ?? []).filter((x) => x.kind === 'html').map((x) => x.name)}
        onClose={() => setDialog(undefined)}
      />
    </Page>
  );
}

export const editorPath = (object: string, name: string) =>
  `/designer/documents/${encodeURIComponent(object)}/${encodeURIComponent(name)}`;

function NameFields({
  label,
  name,
  setLabel,
  setName,
  errors,
}: {
  label: string;
  name: string;
  setLabel(v: string): void;
  setName(v: string): void;
  errors: { label?: string | undefined; name?: string | undefined };
}) {
  const { t } = useTranslation();
  return (
    <>
      <TextField
        label={t('documents.label')}
        value={label}
        required
        error={errors.label}
        onChange={(e) => setLabel(e.target.value)}
      />
      <TextField
        label={t('documents.apiName')}
        value={name}
        required
        hint={t('documents.apiNameHint')}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
    </>
  );
}

function useNameDraft(taken: string[]) {
  const { t } = useTranslation();
  const [label, setLabelRaw] = useState('');
  const [name, setNameRaw] = useState('');
  const [typedName, setTypedName] = useState(false);
  const [checked, setChecked] = useState(false);
  const problem = templateNameProblem(name, taken);
  const errors = {
    label: checked && !label.trim() ? t('documents.required') : undefined,
    name: checked && problem ? t(`documents.name_${problem}`) : undefined,
  };
  return {
    label,
    name,
    errors,
    valid: !problem && !!label.trim(),
    check: () => setChecked(true),
    reset: () => {
      setLabelRaw('');
      setNameRaw('');
      setTypedName(false);
      setChecked(false);
    },
    setLabel: (v: string) => {
      setLabelRaw(v);
      if (!typedName) setNameRaw(suggestName(v));
    },
    setName: (v: string) => {
      setTypedName(true);
      setNameRaw(v);
    },
  };
}

function NewTemplateDialog({
  open,
  onClose,
  taken,
  onCreate,
}: {
  open: boolean;
  onClose(): void;
  taken: string[];
  onCreate(name: string, label: string): void;
}) {
  const { t } = useTranslation();
  const draft = useNameDraft(taken);
  const close = () => {
    draft.reset();
    onClose();
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title={t('documents.newTemplate')}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button
            variant="primary"
            onClick={() => {
              draft.check();
              if (draft.valid) onCreate(draft.name, draft.label.trim());
            }}
          >
            {t('documents.create')}
          </Button>
        </>
      }
    >
      <div className="f-doc-form">
        <NameFields {...draft} />
      </div>
    </Dialog>
  );
}

function WordUploadDialog({
  open,
  object,
  taken,
  onClose,
}: {
  open: boolean;
  object: string;
  taken: string[];
  onClose(): void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const draft = useNameDraft(taken);
  const [file, setFile] = useState<File | undefined>();
  const [tags, setTags] = useState<WordTagList | undefined>();
  const [fileError, setFileError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    draft.reset();
    setFile(undefined);
    setTags(undefined);
    setFileError(undefined);
    onClose();
  };
  const pick = async (f: File | undefined) => {
    setFile(f);
    setTags(undefined);
    setFileError(undefined);
    if (!f) return;
    try {
      setTags(await documentsApi(api).wordTags(object, f));
    } catch (e) {
      setFileError(fileProblem(e));
    }
  };
  const save = async () => {
    draft.check();
    if (!file) setFileError(t('documents.required'));
    if (!draft.valid || !file || (tags?.unknown.length ?? 0) > 0) return;
    setBusy(true);
    try {
      await documentsApi(api).uploadWord(object, draft.name, file, draft.label.trim());
      await queryClient.invalidateQueries({ queryKey: templateKeys.list(session.tenant, object) });
      close();
    } catch (e) {
      setFileError(fileProblem(e));
    } finally {
      setBusy(false);
    }
  };
  const unknown = new Set(tags?.unknown ?? []);
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title={t('documents.uploadWord')}
      closeLabel={t('common.close')}
      width={560}
      footer={
        <>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button variant="primary" loading={busy} disabled={unknown.size > 0} onClick={() => void save()}>
            {t('documents.saveWord')}
          </Button>
        </>
      }
    >
      <div className="f-doc-form">
        <NameFields {...draft} />
        <div className={`f-field${fileError ? ' f-field--invalid' : ''}`}>
          <label className="f-field__label" htmlFor="f-doc-docx">
            {t('documents.wordFile')}
          </label>
          <input
            id="f-doc-docx"
            type="file"
            accept=".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            onChange={(e) => void pick(e.target.files?.[0])}
          />
          {fileError && (
            <p className="f-field__error" role="alert">
              {fileError}
            </p>
          )}
        </div>
        {tags && (
          <section aria-label={t('documents.wordTags')}>
            <h3 className="f-doc-subtitle">{t('documents.wordTags')}</h3>
            {unknown.size > 0 && (
              <p className="f-field__error" role="alert">
                {t('documents.wordUnknown', { count: unknown.size, tags: [...unknown].join(', ') })}
              </p>
            )}
            <ul className="f-doc-tags">
              {tags.tags.map((tag) => (
                <li
                  key={`${tag.inside ?? ''}/${tag.tag}`}
                  className={unknown.has(tag.tag) ? 'f-doc-tag f-doc-tag--unknown' : 'f-doc-tag'}
                >
                  <FileText size={14} aria-hidden="true" />
                  <code>{tag.inside ? `{#${tag.inside}} {${tag.tag}}` : `{${tag.tag}}`}</code>
                  {unknown.has(tag.tag) && <span>{t('documents.unknownField')}</span>}
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </Dialog>
  );
}

function fileProblem(e: unknown): string {
  if (isApiError(e) && e.fields)
    return Object.entries(e.fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
  return e instanceof Error ? e.message : String(e);
}
