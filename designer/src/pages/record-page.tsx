import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { Tabs } from 'radix-ui';
import { Lock, Pencil, SearchX, Trash2 } from 'lucide-react';
import { type ApiError, isApiError } from '../api/api-error';
import { ApprovalPanel } from '../approvals/approval-panel';
import { enumLabel, fieldLabel, objectLabel } from '../i18n/pick-label';
import { apiErrorText, translatedFieldErrors } from '../i18n/error-text';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { objectIcon } from '../meta/nav-items';
import { ApprovalBadge } from '../records/approval-badge';
import { labelFieldOf } from '../records/field-kind';
import {
  buildRecordForm,
  clearChangedFieldErrors,
  extraErrorsOf,
  type FormDoc,
  payloadOf,
  toFormData,
} from '../records/form-schema';
import { ActivityTimeline } from '../records/activity-timeline';
import { HistoryTimeline } from '../records/history-timeline';
import { RecordActionButtons } from '../records/record-action-buttons';
import { actionsOf } from '../records/record-actions';
import { RecordFormView } from '../records/record-form';
import { RecordReadView } from '../records/record-read-view';
import { useLookupFill } from '../records/use-lookup-fill';
import { withLineItemsGrid } from '../records/line-items-field';
import type { RecordRow } from '../records/records-api';
import { RelatedLists } from '../records/related-lists';
import { formBaseline, formDataDiffers, useUnsavedChangesGuard } from '../records/unsaved-changes';
import { recordKeys, useRecordsApi } from '../records/use-records-api';
import { useSession } from '../session/session-context';
import { NavIcon } from '../shell/nav-icon';
import { Button, Dialog, EmptyState, ErrorState, LoadingState, Page, PageHeader, useToast } from '../ui';
import { ObjectMetaGate } from './object-meta-gate';
import './record-page.css';

/** `/o/:object/new` and `/o/:object/:id`: the generated form, related lists, history and approvals. */
export function RecordPage() {
  const { object = '', id } = useParams();
  return (
    <ObjectMetaGate object={object}>
      {(meta, schema) =>
        id ? (
          <ExistingRecord key={`${object}/${id}`} meta={meta} object={object} schema={schema} id={id} />
        ) : (
          <RecordEditor key={`${object}/new`} meta={meta} object={object} schema={schema} />
        )
      }
    </ObjectMetaGate>
  );
}

function BackToList({ object, schema }: { object: string; schema: ObjectSchema }) {
  const { locale } = useLocale();
  return (
    <Link className="f-btn f-btn--secondary f-btn--md" to={`/o/${object}`}>
      <span className="f-btn__label">{objectLabel(object, schema, locale)}</span>
    </Link>
  );
}

interface EditorProps {
  meta: AppMeta;
  object: string;
  schema: ObjectSchema;
  record?: RecordRow;
  onConflict?: () => void;
}

function ExistingRecord({ meta, object, schema, id }: Omit<EditorProps, 'record'> & { id: string }) {
  const { t } = useTranslation();
  const records = useRecordsApi();
  const { tenant } = useSession();
  const record = useQuery({
    queryKey: recordKeys.one(tenant, object, id),
    queryFn: ({ signal }) => records.get(object, id, signal),
  });
  if (record.isPending) return <LoadingState label={t('common.loading')} />;
  if (record.isError) {
    // A malformed id in the address bar (400) is as absent as a missing record.
    if (isApiError(record.error, 'NOT_FOUND') || isApiError(record.error, 'BAD_REQUEST'))
      return (
        <Page>
          <EmptyState
            icon={<SearchX size={22} aria-hidden="true" />}
            headingLevel={1}
            title={t('record.notFoundTitle')}
            body={t('record.notFoundBody')}
            action={<BackToList object={object} schema={schema} />}
          />
        </Page>
      );
    return (
      <ErrorState
        headingLevel={1}
        title={t('errors.title')}
        body={record.error.message}
        action={<Button onClick={() => void record.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  // A new version from the server (after save or reload) restarts the editor from it.
  return (
    <RecordEditor
      key={String(record.data.version ?? '')}
      meta={meta}
      object={object}
      schema={schema}
      record={record.data}
    />
  );
}

function RecordEditor({ meta, object, schema, record }: EditorProps) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const navigate = useNavigate();
  const toast = useToast();
  const records = useRecordsApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const formDoc = ((meta.forms ?? {}) as Record<string, FormDoc>)[object];
  const form = useMemo(
    () => withLineItemsGrid(buildRecordForm(schema, formDoc, locale, meta.objects, record)),
    [schema, formDoc, locale, meta.objects, record],
  );
  // `/o/deal/new?account=<id>` (from a related list) starts the new record linked to its parent.
  const [params, setParams] = useSearchParams();
  // The open tab lives in the address: a save or reload that remounts the editor keeps it.
  const tab = ['details', 'related', 'timeline', 'approvals', 'history'].includes(params.get('tab') ?? '')
    ? (params.get('tab') as string)
    : 'details';
  // An existing record opens in its read view; `?edit=1` is the full form (it survives a remount).
  const editing = !record || params.get('edit') === '1';
  const setEditing = (on: boolean) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (on) next.set('edit', '1');
        else next.delete('edit');
        return next;
      },
      { replace: true },
    );
  const [data, setData] = useState(() =>
    record
      ? toFormData(record, form)
      : Object.fromEntries(
          form.writable
            .filter((f) => params.get(f) && schema.properties?.[f]?.['x-ref'])
            .map((f) => [f, params.get(f)]),
        ),
  );
  // What the form showed before any edit (defaults filled in): leaving is guarded once data differs.
  const [baseline, setBaseline] = useState(() => formBaseline(form.schema, data));
  const dirty = formDataDiffers(data, baseline);
  const guard = useUnsavedChangesGuard(dirty);
  const fillLookups = useLookupFill(schema, form, meta, setData);
  const [serverErrors, setServerErrors] = useState<Record<string, string> | undefined>();
  const onChange = (next: Record<string, unknown>) => {
    setServerErrors((errors) => clearChangedFieldErrors(errors, data, next));
    setData(next);
  };
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [locked, setLocked] = useState(record?.approval_status === 'pending');
  const label = objectLabel(object, schema, locale);
  const labelField = labelFieldOf(schema);
  const title = record
    ? String((labelField && record[labelField]) || t('list.untitled'))
    : t('record.newTitle', { label });

  useEffect(() => setLocked(record?.approval_status === 'pending'), [record?.approval_status]);

  const save = async (formData: Record<string, unknown>) => {
    setSaving(true);
    setServerErrors(undefined);
    try {
      if (!record) {
        const created = await records.create(object, payloadOf(formData, form));
        await queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, object) });
        toast({ tone: 'success', title: t('record.created', { label }) });
        guard.allowNextNavigation();
        // A record just created stays in its form (line items, the remaining fields); opened later, it reads.
        navigate(`/o/${object}/${created.id}?edit=1`, { replace: true });
        return;
      }
      const patch = payloadOf(formData, form, record);
      const updated = await records.update(object, record.id, record.version, patch);
      // Saved: what is on screen is the record now (the new version remounts the editor anyway).
      setBaseline(formData);
      queryClient.setQueryData(recordKeys.one(session.tenant, object, record.id), updated);
      await queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, object) });
      toast({ tone: 'success', title: t('record.saved') });
    } catch (e) {
      handleError(e);
    } finally {
      setSaving(false);
    }
  };

  // Coded errors in the user's language; a picklist's allowed values by their labels.
  const fieldErrorsOf = (err: ApiError) =>
    translatedFieldErrors(t, err, {
      locale,
      enumLabel: (field, value) => {
        const path = field.split('.');
        const f =
          path.length === 3
            ? meta.objects[form.lineItems[path[0]!]?.object ?? '']?.properties?.[path[2]!]
            : schema?.properties?.[field];
        return f ? enumLabel(f, value, locale) : value;
      },
    });

  const handleError = (e: unknown) => {
    if (!isApiError(e)) {
      toast({ tone: 'error', title: t('record.saveFailed', { message: String(e) }) });
      return;
    }
    const err: ApiError = e;
    switch (err.code) {
      case 'VALIDATION_FAILED':
      case 'BAD_REQUEST':
        setServerErrors(fieldErrorsOf(err) ?? { '': err.message });
        toast({ tone: 'error', title: t('record.fixErrors'), ...(err.fields ? {} : { description: err.message }) });
        return;
      case 'RECORD_LOCKED':
        setLocked(true);
        return;
      case 'CONFLICT':
        setConflict(true);
        return;
      default:
        if (err.fields) setServerErrors(fieldErrorsOf(err) ?? err.fields);
        toast({ tone: 'error', title: t('record.saveFailed', { message: apiErrorText(t, err) }) });
    }
  };

  const reload = async () => {
    setConflict(false);
    if (record) await queryClient.invalidateQueries({ queryKey: recordKeys.one(session.tenant, object, record.id) });
  };

  const remove = async () => {
    if (!record) return;
    try {
      await records.remove(object, record.id);
      await queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, object) });
      toast({ tone: 'success', title: t('record.deletedToast') });
      guard.allowNextNavigation();
      navigate(`/o/${object}`);
    } catch (e) {
      setConfirmDelete(false);
      handleError(e);
    }
  };

  const extraErrors = extraErrorsOf(serverErrors, form, (field, row, column, message) => {
    const child = meta.objects[form.lineItems[field]?.object ?? ''];
    return t('webApp.linesError', { n: row + 1, field: fieldLabel(child, column, locale), message });
  });
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const details = (
    <>
      {locked && (
        <div className="f-record__banner" role="status">
          <Lock size={16} aria-hidden="true" />
          <div>
            <strong>{t('record.lockedTitle')}</strong>
            <p>{t('record.lockedBody')}</p>
          </div>
        </div>
      )}
      {record && !editing ? (
        <>
          <div className="f-readview__toolbar">
            <Button icon={<Pencil size={16} aria-hidden="true" />} onClick={() => setEditing(true)} disabled={locked}>
              {t('readView.edit')}
            </Button>
          </div>
          <RecordReadView
            meta={meta}
            object={object}
            schema={schema}
            form={form}
            formDoc={formDoc}
            record={record}
            locked={locked}
            lang={locale}
            onLocked={() => setLocked(true)}
            onConflict={() => setConflict(true)}
          />
        </>
      ) : (
        <>
          {record && (
            <div className="f-readview__toolbar">
              <Button variant="ghost" onClick={() => setEditing(false)}>
                {t('readView.backToView')}
              </Button>
            </div>
          )}
          <RecordFormView
            form={form}
            data={data}
            onChange={(d) => {
              fillLookups(data, d);
              onChange(d);
            }}
            onSubmit={(d) => void save(d)}
            extraErrors={extraErrors}
            disabled={locked}
          >
            <div className="f-record__actions">
              <Link className="f-btn f-btn--secondary f-btn--md" to={`/o/${object}`}>
                <span className="f-btn__label">{t('record.cancel')}</span>
              </Link>
              <Button type="submit" variant="primary" loading={saving} disabled={locked}>
                {record ? t('record.save') : t('record.create')}
              </Button>
            </div>
          </RecordFormView>
        </>
      )}
    </>
  );

  return (
    <Page>
      <nav className="f-record__crumbs" aria-label={label}>
        <Link to={`/o/${object}`}>{label}</Link>
      </nav>
      <PageHeader
        title={title}
        icon={<NavIcon name={objectIcon(object, schema)} size={22} />}
        subtitle={
          record?.created_at
            ? t('record.systemInfo', {
                created: when.format(new Date(record.created_at)),
                updated: when.format(new Date(record.updated_at ?? record.created_at)),
              })
            : undefined
        }
        actions={
          record && (
            <>
              <ApprovalBadge status={record.approval_status ?? 'none'} />
              <RecordActionButtons
                meta={meta}
                object={object}
                record={record}
                actions={actionsOf(meta, object)}
                disabled={locked}
              />
              <Button
                variant="ghost"
                icon={<Trash2 size={16} aria-hidden="true" />}
                onClick={() => setConfirmDelete(true)}
                disabled={locked}
              >
                {t('record.delete')}
              </Button>
            </>
          )
        }
      />
      {record ? (
        <Tabs.Root
          value={tab}
          onValueChange={(v) =>
            setParams((p) => new URLSearchParams({ ...Object.fromEntries(p), tab: v }), { replace: true })
          }
          className="f-tabs"
        >
          <Tabs.List className="f-tabs__list" aria-label={title}>
            <Tabs.Trigger value="details" className="f-tabs__tab">
              {t('record.details')}
            </Tabs.Trigger>
            <Tabs.Trigger value="related" className="f-tabs__tab">
              {t('record.related')}
            </Tabs.Trigger>
            <Tabs.Trigger value="timeline" className="f-tabs__tab">
              {t('timeline.tab')}
            </Tabs.Trigger>
            <Tabs.Trigger value="approvals" className="f-tabs__tab">
              {t('record.approvals')}
            </Tabs.Trigger>
            <Tabs.Trigger value="history" className="f-tabs__tab">
              {t('record.history')}
            </Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content value="details" className="f-tabs__panel">
            {details}
          </Tabs.Content>
          <Tabs.Content value="timeline" className="f-tabs__panel">
            <ActivityTimeline meta={meta} object={object} id={record.id} schema={schema} lang={locale} />
          </Tabs.Content>
          <Tabs.Content value="related" className="f-tabs__panel">
            <RelatedLists meta={meta} object={object} id={record.id} lang={locale} />
          </Tabs.Content>
          <Tabs.Content value="approvals" className="f-tabs__panel">
            <ApprovalPanel object={object} id={record.id} status={record.approval_status} lang={locale} />
          </Tabs.Content>
          <Tabs.Content value="history" className="f-tabs__panel">
            <HistoryTimeline object={object} id={record.id} schema={schema} lang={locale} />
          </Tabs.Content>
        </Tabs.Root>
      ) : (
        <div className="f-tabs__panel">{details}</div>
      )}
      {guard.dialog}
      <Dialog
        open={conflict}
        onOpenChange={setConflict}
        title={t('record.conflictTitle')}
        description={t('record.conflictBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setConflict(false)}>{t('record.keepEditing')}</Button>
            <Button variant="primary" onClick={() => void reload()}>
              {t('record.reload')}
            </Button>
          </>
        }
      />
      <Dialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={t('record.deleteConfirmTitle', { label })}
        description={t('record.deleteConfirmBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" onClick={() => void remove()}>
              {t('record.delete')}
            </Button>
          </>
        }
      />
    </Page>
  );
}
