import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Bookmark, ChevronDown, Filter, Plus, Rows3, Search, SearchX, Trash2, Upload, X } from 'lucide-react';
import { isApiError } from '../api/api-error';
import { fieldLabel } from '../i18n/pick-label';
import type { AppMeta, FieldSchema, ObjectSchema } from '../meta/meta-types';
import { ApprovalBadge } from './approval-badge';
import { useSession } from '../session/session-context';
import {
  Button,
  type Column,
  DataTable,
  Dialog,
  EmptyState,
  ErrorState,
  IconButton,
  LoadingState,
  Menu,
  MenuItem,
  MenuLabel,
  MenuSeparator,
  TextField,
  useToast,
} from '../ui';
import { ExportMenu } from './export-menu';
import { labelFieldOf } from './field-kind';
import { FilterBuilder } from './filter-builder';
import { LookupValue } from './lookup-value';
import { andFilters, type FilterRow, toApiFilter } from './filter-model';
import { formatValue, isNumericField } from './format-value';
import { type ListView, parseSort, sortParam, viewsFor } from './list-view';
import type { RecordRow } from './records-api';
import { loadSavedViews, type SavedView, storeSavedViews } from './saved-views';
import { useRecordList } from './use-record-list';
import { isEndpointMissing, recordKeys, useRecordsApi } from './use-records-api';
import './record-list.css';

interface RecordListProps {
  object: string;
  schema: ObjectSchema;
  meta: AppMeta;
  label: string;
  lang: string;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

/** System fields a view may show, described like fields so they format and sort the same way. */
const SYSTEM_COLUMNS: Record<string, FieldSchema> = {
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' },
  approval_status: { type: 'string', enum: ['none', 'pending', 'approved', 'rejected'] },
  owner: { type: 'string' },
};

/** The generated list: views, quick search, filters, sort, keyset paging, bulk delete, export. */
export function RecordList({ object, schema, meta, label, lang }: RecordListProps) {
  const { t } = useTranslation();
  const session = useSession();
  const toast = useToast();
  const records = useRecordsApi();
  const queryClient = useQueryClient();

  const metaViews = useMemo(() => viewsFor(meta, object, label), [meta, object, label]);
  const [saved, setSaved] = useState<SavedView[]>(() => loadSavedViews(session.tenant, session.user.id, object));
  const [view, setView] = useState<ListView>(metaViews[0]!);
  const [sort, setSort] = useState<string[]>(view.sort);
  const [rows, setRows] = useState<FilterRow[]>([]);
  const [search, setSearch] = useState('');
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);
  const [viewName, setViewName] = useState('');
  const q = useDebounced(search, 300);

  // Another object in the same component instance (navigation between lists): start over.
  useEffect(() => {
    const first = viewsFor(meta, object, label)[0]!;
    setView(first);
    setSort(first.sort);
    setRows([]);
    setSearch('');
    setSelected(new Set());
    setSaved(loadSavedViews(session.tenant, session.user.id, object));
  }, [object, meta, label, session.tenant, session.user.id]);

  const userFilter = toApiFilter(rows, schema).filter;
  const filter = andFilters(view.filter, userFilter);
  // Lookups come back as their target records, so a list shows "Acme" instead of an id.
  const refOf = (c: string) => {
    const ref = c === 'owner' ? 'user' : schema.properties?.[c]?.['x-ref'];
    return typeof ref === 'string' && (ref === 'user' || meta.objects[ref]) ? ref : undefined;
  };
  const expand = view.columns.filter((c) => refOf(c));
  const query = { filter, sort, q, pageSize: view.pageSize, fields: [] as string[], expand };
  const list = useRecordList(object, query);
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const labelField = labelFieldOf(schema);

  const pickView = (v: ListView, extra?: SavedView) => {
    setView(v);
    setSort(extra?.sort ?? v.sort);
    setRows(extra?.filters ?? []);
    setSearch(extra?.q ?? '');
    setSelected(new Set());
  };

  const saveView = () => {
    const name = viewName.trim();
    if (!name) return;
    const entry: SavedView = {
      id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      label: name,
      columns: view.columns,
      filters: rows,
      sort,
      q: search,
    };
    const next = [...saved.filter((s) => s.label !== name), entry];
    setSaved(next);
    storeSavedViews(session.tenant, session.user.id, object, next);
    setView({ ...view, key: `saved:${entry.id}`, label: name });
    setSaveOpen(false);
    setViewName('');
    toast({ tone: 'success', title: t('list.viewSaved', { name }) });
  };

  const removeSaved = (id: string) => {
    const next = saved.filter((s) => s.id !== id);
    setSaved(next);
    storeSavedViews(session.tenant, session.user.id, object, next);
    if (view.key === `saved:${id}`) pickView(metaViews[0]!);
  };

  const deleteSelected = async () => {
    setDeleting(true);
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((id) => records.remove(object, id)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    setDeleting(false);
    setConfirmDelete(false);
    setSelected(new Set());
    await queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, object) });
    if (failed.length === 0) toast({ tone: 'success', title: t('list.deleted', { count: ids.length }) });
    else
      toast({
        tone: 'error',
        title: t('list.deletePartly', {
          failed: failed.length,
          count: ids.length,
          message: (failed[0]!.reason as Error).message,
        }),
      });
  };

  const allOnScreen = items.length > 0 && items.every((r) => selected.has(r.id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const nameOf = (row: RecordRow) => {
    const v = labelField ? row[labelField] : undefined;
    return v === null || v === undefined || v === '' ? t('list.untitled') : String(v);
  };

  const columns: Array<Column<RecordRow>> = [
    {
      key: '__select',
      width: 44,
      header: (
        <input
          type="checkbox"
          className="f-check"
          aria-label={t('list.selectAll')}
          checked={allOnScreen}
          disabled={items.length === 0}
          onChange={() => setSelected(allOnScreen ? new Set() : new Set(items.map((r) => r.id)))}
        />
      ),
      render: (row) => (
        <input
          type="checkbox"
          className="f-check"
          aria-label={t('list.selectRow', { name: nameOf(row) })}
          checked={selected.has(row.id)}
          onChange={() => toggle(row.id)}
        />
      ),
    },
    ...view.columns.map((col, i): Column<RecordRow> => {
      const system = SYSTEM_COLUMNS[col];
      const f = system ?? schema.properties?.[col];
      const isFirst = i === 0;
      return {
        key: col,
        header: system
          ? t(`system.${col as keyof typeof SYSTEM_COLUMNS}` as 'system.owner')
          : fieldLabel(schema, col, lang),
        sortable: true,
        align: isNumericField(f) ? 'end' : 'start',
        render: (row) => {
          const ref = f?.['x-ref'];
          const text = formatValue(f, row[col], lang, {
            labelField: typeof ref === 'string' ? labelFieldOf(meta.objects[ref]) : undefined,
          });
          if (isFirst)
            return (
              <Link className="f-list__open" to={`/o/${object}/${row.id}`}>
                {text || nameOf(row)}
              </Link>
            );
          if (col === 'approval_status' && typeof row[col] === 'string') return <ApprovalBadge status={row[col]} />;
          // Lookups (and the owner) read as names linking to their records; unreadable ones as "hidden".
          const target = refOf(col);
          if (target && row[col]) return <LookupValue target={target} value={row[col]} expanded />;
          return text;
        },
      };
    }),
  ];

  const activeFilters = rows.length;
  const errorBody = list.error
    ? isApiError(list.error, 'BAD_REQUEST') || isApiError(list.error, 'VALIDATION_FAILED')
      ? t('list.badFilter', { message: list.error.message })
      : list.error.message
    : undefined;

  let body: React.ReactNode;
  if (list.isPending) body = <LoadingState label={t('common.loading')} />;
  else if (list.isError && isEndpointMissing(list.error))
    body = (
      <EmptyState
        icon={<Rows3 size={22} aria-hidden="true" />}
        headingLevel={2}
        title={t('list.unavailableTitle')}
        body={t('list.unavailableBody')}
      />
    );
  else if (list.isError)
    body = (
      <ErrorState
        headingLevel={2}
        title={t('errors.title')}
        body={errorBody}
        action={<Button onClick={() => void list.refetch()}>{t('common.retry')}</Button>}
      />
    );
  else
    body = (
      <>
        <DataTable
          caption={label}
          columns={columns}
          rows={items}
          rowKey={(r) => r.id}
          sort={parseSort(sort)}
          onSortChange={(s) => setSort(sortParam(s))}
          empty={
            q || filter ? (
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
            )
          }
        />
        <div className="f-list__footer">
          <span className="f-list__count" aria-live="polite">
            {total !== undefined
              ? t('list.total', { shown: items.length, total })
              : t('list.shown', { count: items.length })}
          </span>
          {list.hasNextPage && (
            <Button loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              {list.isFetchingNextPage ? t('list.loadingMore') : t('list.loadMore')}
            </Button>
          )}
        </div>
      </>
    );

  return (
    <div className="f-list">
      <div className="f-list__toolbar">
        <div className="f-list__search">
          <Search size={16} aria-hidden="true" className="f-list__search-icon" />
          <input
            type="search"
            className="f-input__control"
            placeholder={t('list.searchPlaceholder')}
            aria-label={t('list.search', { label })}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <Menu
          align="start"
          label={t('list.viewsMenu')}
          trigger={
            <Button icon={<Bookmark size={16} aria-hidden="true" />} aria-label={`${t('list.views')}: ${view.label}`}>
              {view.label}
              <ChevronDown size={14} aria-hidden="true" />
            </Button>
          }
        >
          <MenuLabel>{t('list.sharedViews')}</MenuLabel>
          {metaViews.map((v) => (
            <MenuItem key={v.key} onSelect={() => pickView(v)}>
              {v.label}
            </MenuItem>
          ))}
          {saved.length > 0 && (
            <>
              <MenuSeparator />
              <MenuLabel>{t('list.myViews')}</MenuLabel>
              {saved.map((s) => (
                <MenuItem
                  key={s.id}
                  onSelect={() =>
                    pickView(
                      { ...metaViews[0]!, key: `saved:${s.id}`, label: s.label, columns: s.columns, filter: undefined },
                      s,
                    )
                  }
                >
                  {s.label}
                </MenuItem>
              ))}
            </>
          )}
          <MenuSeparator />
          <MenuItem onSelect={() => setSaveOpen(true)}>{t('list.saveView')}</MenuItem>
          {view.key.startsWith('saved:') && (
            <MenuItem onSelect={() => removeSaved(view.key.slice('saved:'.length))}>
              {t('list.deleteView', { name: view.label })}
            </MenuItem>
          )}
        </Menu>
        <Button
          icon={<Filter size={16} aria-hidden="true" />}
          aria-expanded={filtersOpen}
          onClick={() => setFiltersOpen((o) => !o)}
          variant={activeFilters ? 'primary' : 'secondary'}
        >
          {activeFilters ? t('list.filtersCount', { count: activeFilters }) : t('list.filters')}
        </Button>
        <span className="f-list__spacer" />
        <Link className="f-btn f-btn--secondary f-btn--md" to={`/o/${object}/import`}>
          <Upload size={16} aria-hidden="true" />
          <span className="f-btn__label">{t('list.import')}</span>
        </Link>
        <ExportMenu object={object} filter={filter} sort={sort} />
        <Link className="f-btn f-btn--ghost f-btn--md" to={`/o/${object}/bin`}>
          <Trash2 size={16} aria-hidden="true" />
          <span className="f-btn__label">{t('webApp.bin')}</span>
        </Link>
        <Link className="f-btn f-btn--primary f-btn--md" to={`/o/${object}/new`}>
          <Plus size={16} aria-hidden="true" />
          <span className="f-btn__label">{t('list.newRecord')}</span>
        </Link>
      </div>
      {filtersOpen && (
        <FilterBuilder
          key={view.key}
          schema={schema}
          fields={Object.keys(schema.properties ?? {})}
          lang={lang}
          initial={rows}
          onApply={(next) => {
            setRows(next);
            setSelected(new Set());
          }}
        />
      )}
      {selected.size > 0 && (
        <section className="f-list__bulk" aria-label={t('list.selected', { count: selected.size })}>
          <span>{t('list.selected', { count: selected.size })}</span>
          <Button
            variant="danger"
            size="sm"
            icon={<Trash2 size={16} aria-hidden="true" />}
            onClick={() => setConfirmDelete(true)}
          >
            {t('list.deleteSelected')}
          </Button>
          <IconButton
            label={t('common.close')}
            icon={<X size={16} aria-hidden="true" />}
            onClick={() => setSelected(new Set())}
          />
        </section>
      )}
      {body}
      <Dialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={t('list.deleteConfirmTitle', { count: selected.size })}
        description={t('list.deleteConfirmBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" loading={deleting} onClick={() => void deleteSelected()}>
              {t('list.delete')}
            </Button>
          </>
        }
      />
      <Dialog
        open={saveOpen}
        onOpenChange={setSaveOpen}
        title={t('list.saveViewTitle')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setSaveOpen(false)}>{t('common.cancel')}</Button>
            <Button variant="primary" type="submit" form="f-save-view" disabled={!viewName.trim()}>
              {t('list.save')}
            </Button>
          </>
        }
      >
        <form
          id="f-save-view"
          onSubmit={(e) => {
            e.preventDefault();
            saveView();
          }}
        >
          <TextField
            label={t('list.viewName')}
            value={viewName}
            maxLength={60}
            onChange={(e) => setViewName(e.target.value)}
            autoFocus
          />
        </form>
      </Dialog>
    </div>
  );
}
