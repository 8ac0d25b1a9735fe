import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ArrowRightLeft } from 'lucide-react';
import { useRef, useState } from 'react';
import { enumLabel, fieldLabel } from '../i18n/pick-label';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { Button, ErrorState, IconButton, LoadingState, Menu, MenuItem, MenuLabel } from '../ui';
import { labelFieldOf } from './field-kind';
import { andFilters, type ApiFilter } from './filter-model';
import { formatValue } from './format-value';
import type { RecordRow } from './records-api';
import { useRecordList } from './use-record-list';
import { type PendingMove, useRecordMove } from './use-record-move';
import './kanban-board.css';

/** Cards per column page: a column of thousands loads a page at a time ("Load more"). */
export const KANBAN_PAGE = 25;
const CARD_FIELDS = 3;
const NONE = '__none';

interface KanbanProps {
  object: string;
  schema: ObjectSchema;
  meta: AppMeta;
  lang: string;
  /** The picklist whose options are the columns. */
  field: string;
  /** The list's filter (view and user), AND-ed with each column's option. */
  filter: ApiFilter | undefined;
  q: string;
  sort: string[];
  /** The view's columns: the card shows the first few besides the label. */
  columns: string[];
}

/** A board: one column per option of a picklist, cards dragged (or moved by menu) between them. */
export function KanbanBoard({ object, schema, meta, lang, field, filter, q, sort, columns }: KanbanProps) {
  const { t } = useTranslation();
  const def = schema.properties?.[field];
  const options = (def?.enum ?? []).filter((v): v is string => typeof v === 'string');
  const required = (schema.required ?? []).includes(field);
  const keys = required ? options : [...options, NONE];
  const { pending, errors, move } = useRecordMove(object, schema, lang);
  const [dragging, setDragging] = useState<string | undefined>();
  const [over, setOver] = useState<string | undefined>();
  const labelOf = (k: string) =>
    k === NONE ? t('board.none', { field: fieldLabel(schema, field, lang) }) : enumLabel(def, k, lang);
  const cardFields = columns.filter((c) => c !== field && c !== labelFieldOf(schema)).slice(0, CARD_FIELDS);
  // Every card loaded in any column, so a drop (which carries only an id) finds its record.
  const rowsById = useRef(new Map<string, RecordRow>()).current;

  const dropOn = (key: string, id: string) => {
    const row = rowsById.get(id);
    if (row) void move(row, field, key === NONE ? null : key);
  };

  return (
    <section className="f-kanban" aria-label={t('board.title', { field: fieldLabel(schema, field, lang) })}>
      {keys.map((key) => (
        <KanbanColumn
          key={key}
          object={object}
          schema={schema}
          meta={meta}
          lang={lang}
          field={field}
          value={key === NONE ? null : key}
          title={labelOf(key)}
          filter={andFilters(filter, { [field]: key === NONE ? { isNull: true } : { eq: key } })}
          q={q}
          sort={sort}
          cardFields={cardFields}
          pending={pending}
          errors={errors}
          hideWhenEmpty={key === NONE}
          register={(r) => rowsById.set(r.id, r)}
          moveTargets={keys.map((k) => ({ key: k, label: labelOf(k) }))}
          onMove={(row, k) => void move(row, field, k === NONE ? null : k)}
          dragging={dragging}
          setDragging={setDragging}
          over={over === key}
          onDragOver={(on) => setOver(on ? key : undefined)}
          onDrop={(id) => {
            setOver(undefined);
            dropOn(key, id);
          }}
        />
      ))}
    </section>
  );
}

interface ColumnProps {
  object: string;
  schema: ObjectSchema;
  meta: AppMeta;
  lang: string;
  field: string;
  value: string | null;
  title: string;
  filter: ApiFilter | undefined;
  q: string;
  sort: string[];
  cardFields: string[];
  pending: Map<string, PendingMove>;
  errors: Map<string, string>;
  hideWhenEmpty: boolean;
  register(row: RecordRow): void;
  moveTargets: Array<{ key: string; label: string }>;
  onMove(row: RecordRow, key: string): void;
  dragging: string | undefined;
  setDragging(id: string | undefined): void;
  over: boolean;
  onDragOver(on: boolean): void;
  onDrop(id: string): void;
}

function KanbanColumn(p: ColumnProps) {
  const { t } = useTranslation();
  const expand = p.cardFields.filter((c) => {
    const ref = p.schema.properties?.[c]?.['x-ref'];
    return typeof ref === 'string' && ref !== 'user' && p.meta.objects[ref];
  });
  const list = useRecordList(p.object, {
    filter: p.filter,
    sort: p.sort,
    q: p.q,
    pageSize: KANBAN_PAGE,
    fields: [],
    expand,
  });
  const loaded = list.data?.pages.flatMap((pg) => pg.items) ?? [];
  for (const r of loaded) p.register(r);
  const here = (v: unknown) => (v ?? null) === p.value;
  // While a move saves, the card shows where it was dropped; the counts follow it.
  const leaving = loaded.filter((r) => {
    const m = p.pending.get(r.id);
    return m && !here(m.to);
  });
  // Once the refetch has the card here, it is no longer "arriving": never list one record twice.
  const loadedIds = new Set(loaded.map((r) => r.id));
  const arriving = [...p.pending.values()]
    .filter((m) => here(m.to) && !here(m.row[p.field]) && !loadedIds.has(m.row.id))
    .map((m) => m.row);
  const cards = [...arriving, ...loaded.filter((r) => !leaving.includes(r))];
  const total = list.data?.pages[0]?.total;
  const count = total === undefined ? undefined : total - leaving.length + arriving.length;
  if (p.hideWhenEmpty && count === 0 && !p.dragging) return null;
  const labelField = labelFieldOf(p.schema);
  const nameOf = (r: RecordRow) => {
    const v = labelField ? r[labelField] : undefined;
    return v === null || v === undefined || v === '' ? t('list.untitled') : String(v);
  };
  const headingId = `f-kanban-${p.field}-${p.value ?? 'none'}`;

  return (
    <section
      className={`f-kanban__column${p.over ? ' f-kanban__column--over' : ''}`}
      aria-labelledby={headingId}
      onDragOver={(e) => {
        if (!p.dragging) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        p.onDragOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) p.onDragOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        const id = e.dataTransfer.getData('text/plain') || p.dragging;
        p.setDragging(undefined);
        if (id) p.onDrop(id);
      }}
    >
      <header className="f-kanban__head">
        <h2 id={headingId} className="f-kanban__title">
          {p.title}
        </h2>
        <span className="f-kanban__count">
          <span aria-hidden="true">{count ?? '…'}</span>
          <span className="f-sr-only">{t('board.count', { count: count ?? cards.length })}</span>
        </span>
      </header>
      {list.isPending ? (
        <LoadingState label={t('common.loading')} />
      ) : list.isError ? (
        <ErrorState
          headingLevel={3}
          title={t('errors.title')}
          body={list.error.message}
          action={<Button onClick={() => void list.refetch()}>{t('common.retry')}</Button>}
        />
      ) : (
        <ul className="f-kanban__cards">
          {cards.map((r) => {
            const error = p.errors.get(r.id);
            const saving = p.pending.has(r.id);
            return (
              <li
                key={r.id}
                className={`f-kanban__card${error ? ' f-kanban__card--error' : ''}${saving ? ' f-kanban__card--saving' : ''}`}
                draggable={!saving}
                aria-busy={saving || undefined}
                data-record={r.id}
                onDragStart={(e) => {
                  e.dataTransfer.setData('text/plain', r.id);
                  e.dataTransfer.effectAllowed = 'move';
                  p.setDragging(r.id);
                }}
                onDragEnd={() => {
                  p.setDragging(undefined);
                  p.onDragOver(false);
                }}
              >
                <div className="f-kanban__card-top">
                  <Link className="f-list__open" to={`/o/${p.object}/${r.id}`} draggable={false}>
                    {nameOf(r)}
                  </Link>
                  <Menu
                    label={t('board.moveTo', { name: nameOf(r) })}
                    trigger={
                      <IconButton
                        className="f-kanban__move"
                        label={t('board.moveTo', { name: nameOf(r) })}
                        icon={<ArrowRightLeft size={14} aria-hidden="true" />}
                      />
                    }
                  >
                    <MenuLabel>{t('board.moveToLabel')}</MenuLabel>
                    {p.moveTargets
                      .filter((m) => m.key !== (p.value ?? '__none'))
                      .map((m) => (
                        <MenuItem key={m.key} onSelect={() => p.onMove(r, m.key)}>
                          {m.label}
                        </MenuItem>
                      ))}
                  </Menu>
                </div>
                {p.cardFields.length > 0 && (
                  <dl className="f-kanban__fields">
                    {p.cardFields.map((c) => {
                      const f = p.schema.properties?.[c];
                      const ref = f?.['x-ref'];
                      const text = formatValue(f, r[c], p.lang, {
                        labelField: typeof ref === 'string' ? labelFieldOf(p.meta.objects[ref]) : undefined,
                      });
                      if (!text) return null;
                      return (
                        <div key={c} className="f-kanban__field">
                          <dt>{fieldLabel(p.schema, c, p.lang)}</dt>
                          <dd>{text}</dd>
                        </div>
                      );
                    })}
                  </dl>
                )}
                {error && (
                  <p className="f-kanban__error" role="alert">
                    {error}
                  </p>
                )}
              </li>
            );
          })}
          {cards.length === 0 && <li className="f-kanban__empty">{t('board.empty')}</li>}
        </ul>
      )}
      {list.hasNextPage && (
        <Button size="sm" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('list.loadMore')}
        </Button>
      )}
    </section>
  );
}
