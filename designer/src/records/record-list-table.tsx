import { Plus, Rows3, SearchX } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { isApiError } from '../api/api-error';
import { Button, type Column, DataTable, EmptyState, ErrorState, LoadingState } from '../ui';
import { type CardSpec, parseSort, sortParam } from './list-view';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { RecordCards } from './record-cards';
import { MAX_URL_PAGES } from './list-url-state';
import type { RecordRow } from './records-api';
import type { useListState } from './use-list-state';
import type { useRecordList } from './use-record-list';
import { isEndpointMissing } from './use-records-api';

interface TableProps {
  object: string;
  label: string;
  ls: ReturnType<typeof useListState>;
  list: ReturnType<typeof useRecordList>;
  items: RecordRow[];
  columns: Array<Column<RecordRow>>;
  /** A search or filter is on: an empty answer means "no match", not "no records yet". */
  narrowed: boolean;
  /** On a phone: cards instead of the table (record-cards.tsx). */
  cards?:
    | {
        schema: ObjectSchema;
        meta: AppMeta;
        lang: string;
        spec: CardSpec;
        selected: Set<string>;
        toggle: (id: string) => void;
      }
    | undefined;
}

/** The table view of a list: loading, errors, the rows, their count and "load more". */
export function RecordListTable({ object, label, ls, list, items, columns, narrowed, cards }: TableProps) {
  const { t } = useTranslation();
  if (list.isPending) return <LoadingState label={t('common.loading')} />;
  if (list.isError && isEndpointMissing(list.error))
    return (
      <EmptyState
        icon={<Rows3 size={22} aria-hidden="true" />}
        headingLevel={2}
        title={t('list.unavailableTitle')}
        body={t('list.unavailableBody')}
      />
    );
  if (list.isError) {
    const e = list.error;
    const body =
      isApiError(e, 'BAD_REQUEST') || isApiError(e, 'VALIDATION_FAILED')
        ? t('list.badFilter', { message: e.message })
        : e.message;
    return (
      <ErrorState
        headingLevel={2}
        title={t('errors.title')}
        body={body}
        action={<Button onClick={() => void list.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  const empty = narrowed ? (
    <EmptyState
      compact
      icon={<SearchX size={20} aria-hidden="true" />}
      title={t('list.noMatchTitle')}
      body={t('list.noMatchBody')}
    />
  ) : (
    <EmptyState
      compact
      icon={<Rows3 size={20} aria-hidden="true" />}
      title={t('list.emptyTitle', { label })}
      body={t('list.emptyBody')}
      action={
        <Link className="f-btn f-btn--primary f-btn--md" to={`/o/${object}/new`}>
          <Plus size={16} aria-hidden="true" />
          <span className="f-btn__label">{t('list.newRecord')}</span>
        </Link>
      }
    />
  );
  const total = list.data?.pages[0]?.total;
  const loadedPages = list.data?.pages.length ?? 0;
  return (
    <>
      {cards ? (
        items.length ? (
          <RecordCards object={object} label={label} items={items} {...cards} />
        ) : (
          empty
        )
      ) : (
        <DataTable
          caption={label}
          columns={columns}
          rows={items}
          rowKey={(r) => r.id}
          sort={parseSort(ls.sort)}
          onSortChange={(s) => ls.update({ sort: sortParam(s), pages: 1 })}
          empty={empty}
        />
      )}
      <div className="f-list__footer">
        <span className="f-list__count" aria-live="polite">
          {total !== undefined
            ? t('list.total', { shown: items.length, total })
            : t('list.shown', { count: items.length })}
        </span>
        {list.hasNextPage && (
          <Button
            loading={list.isFetchingNextPage}
            onClick={() => {
              ls.update({ pages: Math.min(loadedPages + 1, MAX_URL_PAGES) }, { replace: true });
              void list.fetchNextPage();
            }}
          >
            {list.isFetchingNextPage ? t('list.loadingMore') : t('list.loadMore')}
          </Button>
        )}
      </div>
    </>
  );
}
