import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/api-error';
import { translatedFieldErrors } from '../i18n/error-text';
import { fieldLabel } from '../i18n/pick-label';
import type { ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import type { RecordRow } from './records-api';
import { recordKeys, useRecordsApi } from './use-records-api';

export interface PendingMove {
  row: RecordRow;
  field: string;
  to: unknown;
}

/**
 * Moving a record on a board or a calendar: one field changes through the ordinary update (with
 * If-Match, so someone else's newer save is a conflict, not an overwrite). The card shows at its
 * destination while saving; a refusal puts it back and keeps the server's reason on it until the
 * next move.
 */
export function useRecordMove(object: string, schema: ObjectSchema, lang: string) {
  const { t } = useTranslation();
  const records = useRecordsApi();
  const queryClient = useQueryClient();
  const { tenant } = useSession();
  const [pending, setPending] = useState<Map<string, PendingMove>>(new Map());
  const [errors, setErrors] = useState<Map<string, string>>(new Map());

  const reason = (e: unknown): string => {
    if (isApiError(e, 'RECORD_LOCKED')) return t('board.locked');
    if (isApiError(e, 'CONFLICT')) return t('board.conflict');
    const fields = isApiError(e) ? translatedFieldErrors(t, e, { locale: lang }) : undefined;
    if (fields && Object.keys(fields).length)
      return Object.entries(fields)
        .map(([f, m]) => `${fieldLabel(schema, f, lang)}: ${m}`)
        .join(' · ');
    return (e as Error).message;
  };

  const move = async (row: RecordRow, field: string, to: unknown) => {
    if (row[field] === to) return;
    setErrors((m) => {
      const n = new Map(m);
      n.delete(row.id);
      return n;
    });
    setPending((m) => new Map(m).set(row.id, { row, field, to }));
    try {
      await records.update(object, row.id, row.version, { [field]: to });
      await queryClient.invalidateQueries({ queryKey: recordKeys.object(tenant, object) });
    } catch (e) {
      setErrors((m) => new Map(m).set(row.id, reason(e)));
    } finally {
      setPending((m) => {
        const n = new Map(m);
        n.delete(row.id);
        return n;
      });
    }
  };

  return { pending, errors, move };
}
