import { useQuery } from '@tanstack/react-query';
import { SearchX } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/api-error';
import type { AppMeta, ObjectSchema } from '../../meta/meta-types';
import { recordKeys, useRecordsApi } from '../../records/use-records-api';
import { useSession } from '../../session/session-context';
import { Button, EmptyState, ErrorState, LoadingState, Page } from '../../ui';
import { BackToList } from './back-to-list';
import { RecordEditor } from './record-editor';

/** `/o/:object/:id`: loads the record, then its editor; a missing record is "not found", not an error. */
export function ExistingRecord({
  meta,
  object,
  schema,
  id,
}: {
  meta: AppMeta;
  object: string;
  schema: ObjectSchema;
  id: string;
}) {
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
