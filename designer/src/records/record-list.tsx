import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  Bookmark,
  CalendarDays,
  ChevronDown,
  Columns3,
  Filter,
  Plus,
  Rows3,
  Search,
  SearchX,
  Table2,
  Trash2,
  TriangleAlert,
  Upload,
} from 'lucide-react';
import { isApiError } from '../api/api-error';
import { fieldLabel } from '../i18n/pick-label';
import type { AppMeta, FieldSchema, ObjectSchema } from '../meta/meta-types';
import { ApprovalBadge } from './approval-badge';
import {
  Button,
  type Column,
  DataTable,
  Dialog,
  EmptyState,
  ErrorState,
  LoadingState,
  Menu,
  MenuItem,
  MenuLabel,
  MenuSeparator,
  TextField,
  useToast,
} from '../ui';
import { BulkActions } from './bulk-actions';
import { CalendarView } from './calendar-view';
import { ExportMenu } from './export-menu';
import { labelFieldOf } from './field-kind';
import { FilterBuilder } from './filter-builder';
import { LookupValue } from './lookup-value';
import { andFilters, toApiFilter } from './filter-model';
import { formatValue, isNumericField } from './format-value';
import { KanbanBoard } from './kanban-board';
import { datedFields, groupableFields, parseSort, sortParam, type ViewType } from './list-view';
import type { RecordRow } from './records-api';
import { MAX_URL_PAGES } from './list-url-state';
import { useListState } from './use-list-state';
import { useRecordList } from './use-record-list';
import { isEndpointMissing } from './use-records-api';
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

/**
 * The generated list: views, quick search, filters, sort, keyset paging, bulk actions, export, shown
 * as a table, a kanban board or a calendar. Its state lives in the address (use-list-state.ts).
 */
export function RecordList({ object, schema, meta, label, lang }: RecordListProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const ls = useListState(object, schema, meta, label, lang);
  const { view, sort, type } = ls;
  const rows = ls.url.filters;
  const [search, setSearch] = useState(ls.url.q);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [saveOpen, setSaveOpen] = useState(false);
  const [viewName, setViewName] = useState('');
  const q = useDebounced(search, 300);

  // Typing writes the address (replacing, not pushing: one Back step per list, not per letter);
  // an address that changes otherwise (Back, a link) puts its search in the box.
  const written = useRef(ls.url.q);
  useEffect(() => {
    if (q === written.current) return;
    written.current = q;
    ls.update({ q, pages: 1 }, { replace: true });
  }, [q, ls.update]);
  useEffect(() => {
    if (ls.url.q !== written.current) {
      written.current = ls.url.q;
      setSearch(ls.url.q);
    }
  }, [ls.url.q]);
  // Another object or view: nothing stays selected.
  // biome-ignore lint/correctness/useExhaustiveDependencies: resetting on these changes is the point
  useEffect(() => setSelected(new Set()), [object, view.key, type]);

  // The views are read in the current language on every render: the label follows a language switch.
  const viewLabel = view.label;
  const userFilter = toApiFilter(rows, schema).filter;
  const filter = andFilters(view.filter, userFilter);
  // Lookups come back as their target records, so a list shows "Acme" instead of an id.
  const refOf = (c: string) => {
    const ref = c === 'owner' ? 'user' : schema.properties?.[c]?.['x-ref'];
    return typeof ref === 'string' && (ref === 'user' || meta.objects[ref]) ? ref : undefined;
  };
  const expand = view.columns.filter((c) => refOf(c));
  const query = { filter, sort, q: ls.url.q, pageSize: view.pageSize, fields: [] as string[], expand };
  const list = useRecordList(object, query, type === 'table');
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const labelField = labelFieldOf(schema);
  // Back or a shared link with `pages=3`: load as many pages as the address says.
  const loadedPages = list.data?.pages.length ?? 0;
  useEffect(() => {
    if (type !== 'table' || !loadedPages || list.isFetching) return;
    if (loadedPages < ls.url.pages && list.hasNextPage) void list.fetchNextPage();
  }, [type, loadedPages, ls.url.pages, list.isFetching, list.hasNextPage, list.fetchNextPage]);

  const saveView = () => {
    const name = viewName.trim();
    if (!name) return;
    ls.saveView(name);
    setSaveOpen(false);
    setViewName('');
    toast({ tone: 'success', title: t('list.viewSaved', { name }) });
  };
  const setType = (next: ViewType) => ls.update({ type: next === (view.type ?? 'table') ? undefined : next });
  const groupChoices = groupableFields(schema);
  const dateChoices = datedFields(schema);

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
  if (type === 'kanban' && ls.groupBy)
    body = (
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
    );
  else if (type === 'calendar' && ls.dateField)
    body = (
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
    );
  else if (list.isPending) body = <LoadingState label={t('common.loading')} />;
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
          onSortChange={(s) => ls.update({ sort: sortParam(s), pages: 1 })}
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
            <Button icon={<Bookmark size={16} aria-hidden="true" />} aria-label={`${t('list.views')}: ${viewLabel}`}>
              {viewLabel}
              <ChevronDown size={14} aria-hidden="true" />
            </Button>
          }
        >
          <MenuLabel>{t('list.sharedViews')}</MenuLabel>
          {ls.metaViews.map((v) => (
            <MenuItem key={v.key} onSelect={() => ls.pickView(v)}>
              {v.label}
            </MenuItem>
          ))}
          {ls.saved.length > 0 && (
            <>
              <MenuSeparator />
              <MenuLabel>{t('list.myViews')}</MenuLabel>
              {ls.saved.map((s) => (
                <MenuItem
                  key={s.id}
                  onSelect={() => ls.pickView({ ...ls.metaViews[0]!, key: `saved:${s.id}`, label: s.label })}
                >
                  {s.label}
                </MenuItem>
              ))}
            </>
          )}
          <MenuSeparator />
          <MenuItem onSelect={() => setSaveOpen(true)}>{t('list.saveView')}</MenuItem>
          {view.key.startsWith('saved:') && (
            <MenuItem onSelect={() => ls.removeSaved(view.key.slice('saved:'.length))}>
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
        {(groupChoices.length > 0 || dateChoices.length > 0) && (
          <fieldset className="f-list__types">
            <legend className="f-sr-only">{t('viewType.label')}</legend>
            {(
              [
                ['table', Table2, true],
                ['kanban', Columns3, groupChoices.length > 0],
                ['calendar', CalendarDays, dateChoices.length > 0],
              ] as const
            )
              .filter(([, , ok]) => ok)
              .map(([k, Icon]) => (
                <Button
                  key={k}
                  size="sm"
                  variant={type === k ? 'primary' : 'ghost'}
                  aria-pressed={type === k}
                  icon={<Icon size={16} aria-hidden="true" />}
                  onClick={() => setType(k)}
                >
                  {t(`viewType.${k}`)}
                </Button>
              ))}
          </fieldset>
        )}
        {type === 'kanban' && groupChoices.length > 1 && (
          <label className="f-list__type-field">
            <span>{t('viewType.groupBy')}</span>
            <select
              className="f-input__control"
              value={ls.groupBy}
              onChange={(e) => ls.update({ group: e.target.value })}
            >
              {groupChoices.map((g) => (
                <option key={g} value={g}>
                  {fieldLabel(schema, g, lang)}
                </option>
              ))}
            </select>
          </label>
        )}
        {type === 'calendar' && dateChoices.length > 1 && (
          <label className="f-list__type-field">
            <span>{t('viewType.dateField')}</span>
            <select
              className="f-input__control"
              value={ls.dateField}
              onChange={(e) => ls.update({ date: e.target.value })}
            >
              {dateChoices.map((g) => (
                <option key={g} value={g}>
                  {fieldLabel(schema, g, lang)}
                </option>
              ))}
            </select>
          </label>
        )}
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
      {ls.problems.length > 0 && (
        <div className="f-list__problems" role="alert">
          <TriangleAlert size={18} aria-hidden="true" />
          <div>
            <strong>{t('listUrl.title')}</strong>
            <ul>
              {ls.problems.map((p) => (
                <li key={`${p.kind}:${p.value}`}>{t(`listUrl.${p.kind}`, { value: p.value })}</li>
              ))}
            </ul>
          </div>
          <Button size="sm" onClick={ls.clearProblems}>
            {t('listUrl.reset')}
          </Button>
        </div>
      )}
      {filtersOpen && (
        <FilterBuilder
          key={`${view.key}:${JSON.stringify(rows)}`}
          schema={schema}
          fields={Object.keys(schema.properties ?? {})}
          lang={lang}
          initial={rows}
          onApply={(next) => {
            ls.update({ filters: next, pages: 1 });
            setSelected(new Set());
          }}
        />
      )}
      {selected.size > 0 && type === 'table' && (
        <BulkActions
          object={object}
          schema={schema}
          lang={lang}
          selected={[...selected]}
          listFilter={filter}
          sort={sort}
          onClear={() => setSelected(new Set())}
        />
      )}
      {body}
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
