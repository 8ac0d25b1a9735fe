import { useEffect, useMemo, useState } from 'react';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { usePhone } from '../shell/use-phone';
import { BulkActions } from './bulk-actions';
import { CalendarView } from './calendar-view';
import { FilterBuilder } from './filter-builder';
import { andFilters, type FilterRow, toApiFilter } from './filter-model';
import { KanbanBoard } from './kanban-board';
import { cardSpec } from './list-view';
import { refTarget, useRecordListColumns } from './record-list-columns';
import { RecordListPhoneToolbar } from './record-list-phone';
import { RecordListProblems } from './record-list-problems';
import { RecordListTable } from './record-list-table';
import { RecordListToolbar } from './record-list-toolbar';
import { SaveViewDialog } from './save-view-dialog';
import { useListSearch } from './use-list-search';
import { useListState } from './use-list-state';
import { useRecordList } from './use-record-list';
import { useRowSelection } from './use-row-selection';
import './record-list.css';

interface RecordListProps {
  object: string;
  schema: ObjectSchema;
  meta: AppMeta;
  label: string;
  lang: string;
}

/**
 * The generated list: views, quick search, filters, sort, keyset paging, bulk actions, export, shown
 * as a table, a kanban board or a calendar. Its state lives in the address (use-list-state.ts); the
 * parts are the toolbar, the filter builder, bulk actions and one of the three views.
 */
export function RecordList({ object, schema, meta, label, lang }: RecordListProps) {
  const ls = useListState(object, schema, meta, label, lang);
  const { view, sort, type } = ls;
  const rows = ls.url.filters;
  const { search, setSearch, q } = useListSearch(ls);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);
  const selection = useRowSelection(`${object}|${view.key}|${type}`);
  const phone = usePhone();
  const applyFilters = (next: FilterRow[]) => {
    ls.update({ filters: next, pages: 1 });
    selection.clear();
  };

  const filter = andFilters(view.filter, toApiFilter(rows, schema).filter);
  // Lookups come back as their target records, so a list shows "Acme" instead of an id.
  const cards = phone ? cardSpec(view, schema) : undefined;
  const expand = [...new Set([...view.columns, ...(cards?.fields ?? [])])].filter((c) => refTarget(schema, meta, c));
  const query = { filter, sort, q: ls.url.q, pageSize: view.pageSize, fields: [] as string[], expand };
  const list = useRecordList(object, query, type === 'table');
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  // Back or a shared link with `pages=3`: load as many pages as the address says.
  const loadedPages = list.data?.pages.length ?? 0;
  useEffect(() => {
    if (type !== 'table' || !loadedPages || list.isFetching) return;
    if (loadedPages < ls.url.pages && list.hasNextPage) void list.fetchNextPage();
  }, [type, loadedPages, ls.url.pages, list.isFetching, list.hasNextPage, list.fetchNextPage]);
  const columns = useRecordListColumns({ object, schema, meta, lang, viewColumns: view.columns, items, ...selection });

  return (
    <div className="f-list">
      {phone ? (
        <RecordListPhoneToolbar
          object={object}
          schema={schema}
          label={label}
          lang={lang}
          ls={ls}
          search={search}
          onSearch={setSearch}
          sheetOpen={filtersOpen}
          onSheetOpen={setFiltersOpen}
          onSaveView={() => setSaveOpen(true)}
          onApplyFilters={applyFilters}
          filter={filter}
        />
      ) : (
        <RecordListToolbar
          object={object}
          schema={schema}
          label={label}
          lang={lang}
          ls={ls}
          search={search}
          onSearch={setSearch}
          filtersOpen={filtersOpen}
          onToggleFilters={() => setFiltersOpen((o) => !o)}
          onSaveView={() => setSaveOpen(true)}
          filter={filter}
        />
      )}
      <RecordListProblems ls={ls} />
      {filtersOpen && !phone && (
        <FilterBuilder
          key={`${view.key}:${JSON.stringify(rows)}`}
          schema={schema}
          fields={Object.keys(schema.properties ?? {})}
          lang={lang}
          initial={rows}
          onApply={applyFilters}
        />
      )}
      {selection.selected.size > 0 && type === 'table' && (
        <BulkActions
          object={object}
          schema={schema}
          lang={lang}
          selected={[...selection.selected]}
          listFilter={filter}
          sort={sort}
          onClear={selection.clear}
        />
      )}
      {type === 'kanban' && ls.groupBy ? (
        <KanbanBoard
          object={object}
          schema={schema}
          meta={meta}
          lang={lang}
          field={ls.groupBy}
          filter={filter}
          q={ls.url.q}
          sort={sort}
          columns={view.columns}
        />
      ) : type === 'calendar' && ls.dateField ? (
        <CalendarView
          object={object}
          schema={schema}
          lang={lang}
          field={ls.dateField}
          filter={filter}
          q={ls.url.q}
          mode={ls.calendarMode}
          at={ls.url.at}
          onNavigate={(cal, at) => ls.update({ cal, at })}
        />
      ) : (
        <RecordListTable
          object={object}
          label={label}
          ls={ls}
          list={list}
          items={items}
          columns={columns}
          narrowed={Boolean(q || filter)}
          cards={cards && { schema, meta, lang, spec: cards, selected: selection.selected, toggle: selection.toggle }}
        />
      )}
      <SaveViewDialog open={saveOpen} onOpenChange={setSaveOpen} onSave={ls.saveView} />
    </div>
  );
}
