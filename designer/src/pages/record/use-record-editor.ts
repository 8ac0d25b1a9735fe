import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { fieldLabel, objectLabel } from '../../i18n/pick-label';
import { useLocale } from '../../i18n/use-locale';
import type { AppMeta, ObjectSchema } from '../../meta/meta-types';
import {
  buildRecordForm,
  clearChangedFieldErrors,
  extraErrorsOf,
  type FormDoc,
  payloadOf,
  toFormData,
} from '../../records/form-schema';
import { withLineItemsGrid } from '../../records/line-items-field';
import type { RecordRow } from '../../records/records-api';
import { formBaseline, formDataDiffers, useUnsavedChangesGuard } from '../../records/unsaved-changes';
import { useLookupFill } from '../../records/use-lookup-fill';
import { recordKeys, useRecordsApi } from '../../records/use-records-api';
import { useSession } from '../../session/session-context';
import { useToast } from '../../ui';
import { useApprovalLock } from './use-approval-lock';
import { useRecordUrl } from './use-record-url';
import { useSaveErrors } from './use-save-errors';

export interface EditorInput {
  meta: AppMeta;
  object: string;
  schema: ObjectSchema;
  record?: RecordRow;
}

/**
 * The state and commands of one record's page: the form built from the metadata, what is typed,
 * the unsaved-changes guard, the approval lock, and save / reload / delete with their errors.
 */
export function useRecordEditor({ meta, object, schema, record }: EditorInput) {
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
  const url = useRecordUrl(!record);
  // `/o/deal/new?account=<id>` (from a related list) starts the new record linked to its parent;
  // a picklist may be preset to one of its options (`&type=visit`: the phone's "Log visit").
  const [data, setData] = useState(() =>
    record
      ? toFormData(record, form)
      : Object.fromEntries(
          form.writable
            .filter((f) => {
              const given = url.params.get(f);
              const def = schema.properties?.[f];
              return given && (def?.['x-ref'] || (Array.isArray(def?.enum) && def.enum.includes(given)));
            })
            .map((f) => [f, url.params.get(f)]),
        ),
  );
  // What the form showed before any edit (defaults filled in): leaving is guarded once data differs.
  const [baseline, setBaseline] = useState(() => formBaseline(form.schema, data));
  const guard = useUnsavedChangesGuard(formDataDiffers(data, baseline));
  const fillLookups = useLookupFill(schema, form, meta, setData);
  // The parent given by a related list brings what it knows too (a quote started from a deal gets
  // the deal's account and contact); part of the starting point, so leaving is not guarded.
  const fillFromParent = useLookupFill(schema, form, meta, (update) => {
    setData(update);
    setBaseline(update);
  });
  const startedFromParent = useRef(record ? null : data);
  useEffect(() => {
    if (startedFromParent.current && Object.keys(startedFromParent.current).length)
      fillFromParent({}, startedFromParent.current);
    startedFromParent.current = null;
  }, [fillFromParent]);
  const [saving, setSaving] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const lock = useApprovalLock(object, record);
  const errors = useSaveErrors({ meta, schema, form, locale, onLocked: lock.onLocked });
  const label = objectLabel(object, schema, locale);

  const onChange = (next: Record<string, unknown>) => {
    fillLookups(data, next);
    errors.setServerErrors((current) => clearChangedFieldErrors(current, data, next));
    setData(next);
  };

  const save = async (formData: Record<string, unknown>) => {
    setSaving(true);
    errors.setServerErrors(undefined);
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
      // A change to a field the approval covered sends the record back (afterApproval: reapprove): say so.
      const sentBack = record.approval_status === 'approved' && updated.approval_status === 'pending';
      toast({ tone: 'success', title: t(sentBack ? 'record.sentBack' : 'record.saved') });
    } catch (e) {
      errors.handleError(e);
    } finally {
      setSaving(false);
    }
  };

  const reload = async () => {
    errors.setConflict(false);
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
      errors.handleError(e);
    }
  };

  const extraErrors = extraErrorsOf(errors.serverErrors, form, (field, row, column, message) => {
    const child = meta.objects[form.lineItems[field]?.object ?? ''];
    return t('webApp.linesError', { n: row + 1, field: fieldLabel(child, column, locale), message });
  });

  return {
    locale,
    label,
    form,
    formDoc,
    url,
    data,
    onChange,
    guard,
    saving,
    locked: lock.locked,
    lock,
    conflict: errors.conflict,
    setConflict: errors.setConflict,
    confirmDelete,
    setConfirmDelete,
    extraErrors,
    save,
    reload,
    remove,
  };
}

export type RecordEditorState = ReturnType<typeof useRecordEditor>;
