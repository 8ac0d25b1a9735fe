import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { History } from 'lucide-react';
import { fieldLabel } from '../i18n/pick-label';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { EmptyState, ErrorState, LoadingState } from '../ui';
import { nameOf } from '../approvals/approvals-api';
import { formatValue } from './format-value';
import { LookupValue } from './lookup-value';
import { historyItems, historyLabels } from './records-api';
import { isEndpointMissing, recordKeys, useRecordsApi } from './use-records-api';
import './history-timeline.css';

const SYSTEM_LABELS = new Set(['owner', 'approval_status', 'created_at', 'updated_at']);
const MORE_SYSTEM_LABELS = new Set(['id', 'created_by', 'updated_by', 'version', 'deleted_at']);
const APPROVAL_STATES = new Set(['none', 'pending', 'approved', 'rejected']);

/** Audit actions may be spelled `create` or `created`, `insert`…: the timeline says one of four verbs. */
function actionKey(action: string): 'created' | 'updated' | 'deleted' | 'restored' {
  const a = action.toLowerCase();
  if (a.startsWith('creat') || a.startsWith('insert') || a.startsWith('import')) return 'created';
  if (a.startsWith('delet')) return 'deleted';
  if (a.startsWith('restor')) return 'restored';
  return 'updated';
}

/** The audit trail, newest first: who changed which field from what to what. */
export function HistoryTimeline({
  object,
  id,
  schema,
  lang,
}: {
  object: string;
  id: string;
  schema: ObjectSchema;
  lang: string;
}) {
  const { t } = useTranslation();
  const records = useRecordsApi();
  const { tenant } = useSession();
  const history = useQuery({
    queryKey: [...recordKeys.one(tenant, object, id), 'history'],
    queryFn: ({ signal }) => records.history(object, id, signal),
  });
  if (history.isPending) return <LoadingState compact label={t('common.loading')} />;
  if (history.isError)
    return isEndpointMissing(history.error) ? (
      <EmptyState compact icon={<History size={18} aria-hidden="true" />} title={t('record.historyUnavailable')} />
    ) : (
      <ErrorState compact title={t('errors.title')} body={history.error.message} />
    );
  const items = [...historyItems(history.data)].sort((a, b) => String(b.at).localeCompare(String(a.at)));
  if (items.length === 0)
    return <EmptyState compact icon={<History size={18} aria-hidden="true" />} title={t('record.historyEmpty')} />;
  const when = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const labels = historyLabels(history.data);
  const labelOf = (field: string): string =>
    SYSTEM_LABELS.has(field)
      ? t(`system.${field}` as 'system.owner')
      : MORE_SYSTEM_LABELS.has(field) && !schema.properties?.[field]
        ? t(`i18nContent.field_${field}` as 'i18nContent.field_id')
        : fieldLabel(schema, field, lang);
  // Lookup values (and the owner) read as their records' names, linked; system fields and approval
  // states are the app's words; everything else formatted in the user's language.
  const show = (field: string, v: unknown) => {
    const f: FieldSchema | undefined = schema.properties?.[field];
    const ref = field === 'owner' ? 'user' : f?.['x-ref'];
    if (typeof ref === 'string' && typeof v === 'string')
      return <LookupValue target={ref} value={v} known={labels[v]} />;
    if (field === 'approval_status' && typeof v === 'string' && APPROVAL_STATES.has(v))
      return t(`record.status_${v}` as 'record.status_pending');
    if ((field === 'created_at' || field === 'updated_at') && typeof v === 'string' && !Number.isNaN(Date.parse(v)))
      return when.format(new Date(v));
    if (typeof v === 'boolean' && f)
      return formatValue(f, v, lang, { yes: t('i18nContent.yes'), no: t('i18nContent.no') });
    return formatValue(f, v, lang);
  };
  return (
    <ol className="f-history">
      {items.map((h, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: audit entries have no id of their own in the contract
        <li key={i} className="f-history__item">
          <div className="f-history__head">
            <strong>{h.userName || nameOf(h.user, t('record.someone'))}</strong>{' '}
            {t(`record.${actionKey(h.action)}_action`)}
            <time className="f-history__time" dateTime={h.at}>
              {Number.isNaN(Date.parse(h.at)) ? h.at : when.format(new Date(h.at))}
            </time>
          </div>
          {h.changes && Object.keys(h.changes).length > 0 && (
            <dl className="f-history__changes">
              {Object.entries(h.changes)
                // The record's own id is no news to the reader.
                .filter(([field]) => field !== 'id')
                .map(([field, pair]) => {
                  const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
                  return (
                    <div key={field} className="f-history__change">
                      <dt>{labelOf(field)}</dt>
                      <dd>
                        {before !== undefined && before !== null && before !== '' && (
                          <>
                            <del>{show(field, before)}</del> →{' '}
                          </>
                        )}
                        <ins>{after === null || after === undefined || after === '' ? '—' : show(field, after)}</ins>
                      </dd>
                    </div>
                  );
                })}
            </dl>
          )}
        </li>
      ))}
    </ol>
  );
}
