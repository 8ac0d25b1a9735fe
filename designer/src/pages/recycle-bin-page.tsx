import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ArchiveRestore, Trash, Trash2 } from 'lucide-react';
import { objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { ObjectSchema } from '../meta/meta-types';
import { labelFieldOf } from '../records/field-kind';
import type { RecordRow } from '../records/records-api';
import { recordKeys, useRecordsApi } from '../records/use-records-api';
import { useSession } from '../session/session-context';
import {
  Button,
  type Column,
  DataTable,
  Dialog,
  EmptyState,
  ErrorState,
  LoadingState,
  Page,
  PageHeader,
  useToast,
} from '../ui';
import { ObjectMetaGate } from './object-meta-gate';
import './recycle-bin-page.css';

const PAGE_SIZE = 50;

/** `/o/:object/bin`: the object's deleted records; anyone who may restore them restores, admins purge. */
export function RecycleBinPage() {
  const { object = '' } = useParams();
  return (
    <ObjectMetaGate object={object}>{(_meta, schema) => <RecycleBin object={object} schema={schema} />}</ObjectMetaGate>
  );
}

function RecycleBin({ object, schema }: { object: string; schema: ObjectSchema }) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const records = useRecordsApi();
  const session = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<string | undefined>();
  const [purging, setPurging] = useState<RecordRow | undefined>();
  const label = objectLabel(object, schema, locale);
  const labelField = labelFieldOf(schema);
  const nameOf = (r: RecordRow) => String((labelField && r[labelField]) || t('list.untitled'));
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const key = [...recordKeys.object(session.tenant, object), 'bin'];
  const bin = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ signal, pageParam }) =>
      records.listDeleted(object, { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const act = async (row: RecordRow, kind: 'restore' | 'purge') => {
    setBusy(row.id);
    const name = nameOf(row);
    try {
      if (kind === 'restore') await records.restore(object, row.id);
      else await records.purge(object, row.id);
      toast({ tone: 'success', title: t(kind === 'restore' ? 'webApp.restored' : 'webApp.purged', { name }) });
    } catch (e) {
      toast({ tone: 'error', title: t('webApp.failed', { message: (e as Error).message }) });
    } finally {
      setBusy(undefined);
      setPurging(undefined);
      // Either way the row moved (or someone else moved it): lists and the bin show the truth again.
      await queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, object) });
    }
  };

  const columns: Array<Column<RecordRow>> = [
    {
      key: labelField ?? 'id',
      header: schema.properties?.[labelField ?? '']?.title ?? label,
      render: (r) => <span className="f-bin__name">{nameOf(r)}</span>,
    },
    {
      key: 'deleted_at',
      header: t('webApp.deletedAt'),
      render: (r) => (typeof r.deleted_at === 'string' ? when.format(new Date(r.deleted_at)) : ''),
    },
    {
      key: 'actions',
      header: <span className="f-sr-only">{t('webApp.restore')}</span>,
      align: 'end',
      render: (r) => (
        <div className="f-bin__actions">
          <Button
            size="sm"
            icon={<ArchiveRestore size={16} aria-hidden="true" />}
            aria-label={t('webApp.restoreNamed', { name: nameOf(r) })}
            loading={busy === r.id}
            disabled={busy !== undefined && busy !== r.id}
            onClick={() => void act(r, 'restore')}
          >
            {t('webApp.restore')}
          </Button>
          {session.isAdmin && (
            <Button
              size="sm"
              variant="ghost"
              icon={<Trash size={16} aria-hidden="true" />}
              aria-label={t('webApp.purgeNamed', { name: nameOf(r) })}
              disabled={busy !== undefined}
              onClick={() => setPurging(r)}
            >
              {t('webApp.purge')}
            </Button>
          )}
        </div>
      ),
    },
  ];

  let body: React.ReactNode;
  if (bin.isPending) body = <LoadingState label={t('common.loading')} />;
  else if (bin.isError)
    body = (
      <ErrorState
        title={t('errors.title')}
        body={bin.error.message}
        action={<Button onClick={() => void bin.refetch()}>{t('common.retry')}</Button>}
      />
    );
  else {
    const rows = bin.data.pages.flatMap((p) => p.items);
    body = (
      <>
        <DataTable
          caption={t('webApp.binTitle', { label })}
          columns={columns}
          rows={rows}
          rowKey={(r) => r.id}
          empty={
            <EmptyState
              icon={<Trash2 size={22} aria-hidden="true" />}
              title={t('webApp.binEmptyTitle')}
              body={t('webApp.binEmptyBody', { label })}
            />
          }
        />
        {bin.hasNextPage && (
          <div className="f-bin__more">
            <Button loading={bin.isFetchingNextPage} onClick={() => void bin.fetchNextPage()}>
              {t('webApp.loadMore')}
            </Button>
          </div>
        )}
      </>
    );
  }

  return (
    <Page>
      <nav className="f-record__crumbs" aria-label={label}>
        <Link to={`/o/${object}`}>{label}</Link>
      </nav>
      <PageHeader
        title={t('webApp.binTitle', { label })}
        subtitle={
          session.isAdmin ? t('webApp.binSubtitle') : `${t('webApp.binSubtitle')} ${t('webApp.purgeAdminsOnly')}`
        }
        icon={<Trash2 size={22} aria-hidden="true" />}
      />
      {body}
      <Dialog
        open={purging !== undefined}
        onOpenChange={(o) => !o && setPurging(undefined)}
        title={purging ? t('webApp.purgeTitle', { name: nameOf(purging) }) : ''}
        description={t('webApp.purgeBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setPurging(undefined)}>{t('common.cancel')}</Button>
            <Button
              variant="danger"
              loading={purging !== undefined && busy === purging.id}
              onClick={() => purging && void act(purging, 'purge')}
            >
              {t('webApp.purge')}
            </Button>
          </>
        }
      />
    </Page>
  );
}
