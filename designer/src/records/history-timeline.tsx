import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { History } from 'lucide-react';
import { fieldLabel } from '../i18n/pick-label';
import type { ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { EmptyState, ErrorState, LoadingState } from '../ui';
import { nameOf } from '../approvals/approvals-api';
import { formatValue } from './format-value';
import { LookupValue } from './lookup-value';
import { historyItems, historyLabels } from './records-api';
import { isEndpointMissing, recordKeys, useRecordsApi } from './use-records-api';
import './history-timeline.css';

/** Audit actions may be spelled `create` or `created`, `insert`…: the timeline says one of four verbs. */
function actionKey(action: string): 'created' | 'updated' | 'deleted' | 'restored' {
  const a = action.toLowerCase();
  if (a.startsWith('creat') || a.startsWith('insert') || a.startsWith('import')) return 'created';
  if (a.startsWith('delet')) return 'deleted';
  if (a.startsWith('restor')) return 'restored';
  return 'updated';
}

const STATUSES = new Set(['none', 'pending', 'approved', 'rejected']);

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
  // Lookup values (and the owner) read as their records' names, linked; everything else formatted.
  const show = (field: string, value: unknown) => {
    const f = schema.properties?.[field];
    const ref = field === 'owner' ? 'user' : f?.['x-ref'];
    if (typeof ref === 'string' && typeof value === 'string')
      return <LookupValue target={ref} value={value} known={labels[value]} />;
    if (field === 'approval_status' && typeof value === 'string' && STATUSES.has(value))
      return t(`record.status_${value as 'none'}`);
    return formatValue(f, value, lang);
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
                      <dt>{fieldLabel(schema, field, lang)}</dt>
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
