import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiError, isApiError } from '../../api/api-error';
import { apiErrorText, translatedFieldErrors } from '../../i18n/error-text';
import { enumLabel } from '../../i18n/pick-label';
import type { AppMeta, ObjectSchema } from '../../meta/meta-types';
import type { buildRecordForm } from '../../records/form-schema';
import { useToast } from '../../ui';

/**
 * What a failed save or delete shows: field errors on the form (coded ones in the user's language,
 * a picklist's values by their labels), the approval lock, the version conflict dialog, or a toast.
 */
export function useSaveErrors(opts: {
  meta: AppMeta;
  schema: ObjectSchema;
  form: ReturnType<typeof buildRecordForm>;
  locale: string;
  onLocked: (error: unknown) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const { meta, schema, form, locale } = opts;
  const [serverErrors, setServerErrors] = useState<Record<string, string> | undefined>();
  const [conflict, setConflict] = useState(false);

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
        opts.onLocked(err);
        return;
      case 'CONFLICT':
        setConflict(true);
        return;
      default:
        if (err.fields) setServerErrors(fieldErrorsOf(err) ?? err.fields);
        toast({ tone: 'error', title: t('record.saveFailed', { message: apiErrorText(t, err) }) });
    }
  };
  return { serverErrors, setServerErrors, conflict, setConflict, handleError };
}
