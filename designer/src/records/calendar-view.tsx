import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { fieldLabel } from '../i18n/pick-label';
import type { ObjectSchema } from '../meta/meta-types';
import { Button, ErrorState, IconButton, LoadingState } from '../ui';
import {
  addDays,
  addMonths,
  calendarRange,
  localDayOf,
  movedValue,
  rangeBounds,
  today,
  weekStartOf,
} from './calendar-range';
import { labelFieldOf, valueKind } from './field-kind';
import { andFilters, type ApiFilter } from './filter-model';
import { CALENDAR_MODES, type CalendarMode } from './list-view';
import type { RecordRow } from './records-api';
import { useRecordList } from './use-record-list';
import { useRecordMove } from './use-record-move';
import './calendar-view.css';

const MONTH_CHIPS = 3;
/** One period's records in one request (the API's page limit); more is said, not hidden. */
const MAX_PAGE = 500;

interface CalendarProps {
  object: string;
  schema: ObjectSchema;
  lang: string;
  field: string;
  filter: ApiFilter | undefined;
  q: string;
  mode: CalendarMode;
  /** The day shown (`YYYY-MM-DD`); undefined: today. */
  at: string | undefined;
  onNavigate(mode: CalendarMode, at: string | undefined): void;
}

/** Records on the days of a date field: month, week or day; drag a record to another day to move it. */
export function CalendarView({ object, schema, lang, field, filter, q, mode, at, onNavigate }: CalendarProps) {
  const { t } = useTranslation();
  const day = at ?? today();
  const dateTime = valueKind(schema.properties?.[field] ?? {}) === 'datetime';
  const weekStart = weekStartOf(lang);
  const { start, end, days } = calendarRange(mode, day, weekStart);
  const list = useRecordList(object, {
    filter: andFilters(filter, { [field]: rangeBounds(start, end, dateTime) }),
    sort: [field],
    q,
    pageSize: MAX_PAGE,
    fields: [],
    expand: [],
  });
  const { pending, errors, move } = useRecordMove(object, schema, lang);
  const [dragging, setDragging] = useState<string | undefined>();
  const [over, setOver] = useState<string | undefined>();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const byDay = new Map<string, RecordRow[]>();
  for (const r of items) {
    const m = pending.get(r.id);
    const d = localDayOf(m ? m.to : r[field], dateTime);
    if (!d) continue;
    byDay.set(d, [...(byDay.get(d) ?? []), r]);
  }
  const labelField = labelFieldOf(schema);
  const nameOf = (r: RecordRow) => {
    const v = labelField ? r[labelField] : undefined;
    return v === null || v === undefined || v === '' ? t('list.untitled') : String(v);
  };
  const dayTitle = (d: string, opts: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(lang, { ...opts, timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));
  const title =
    mode === 'month'
      ? dayTitle(day, { year: 'numeric', month: 'long' })
      : mode === 'week'
        ? `${dayTitle(days[0]!, { month: 'short', day: 'numeric' })} – ${dayTitle(days[6]!, { month: 'short', day: 'numeric', year: 'numeric' })}`
        : dayTitle(day, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  const step = (n: number) =>
    onNavigate(mode, mode === 'month' ? addMonths(day, n) : addDays(day, n * (mode === 'week' ? 7 : 1)));
  const byId = new Map(items.map((r) => [r.id, r]));
  const failed = [...errors.entries()].filter(([id]) => byId.has(id));

  const chip = (r: RecordRow) => (
    <li
      key={r.id}
      className={`f-cal__chip${errors.has(r.id) ? ' f-cal__chip--error' : ''}${pending.has(r.id) ? ' f-cal__chip--saving' : ''}`}
      draggable={!pending.has(r.id)}
      data-record={r.id}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/plain', r.id);
        e.dataTransfer.effectAllowed = 'move';
        setDragging(r.id);
      }}
      onDragEnd={() => {
        setDragging(undefined);
        setOver(undefined);
      }}
    >
      <Link to={`/o/${object}/${r.id}`} draggable={false} title={nameOf(r)}>
        {dateTime && (
          <span className="f-cal__time">
            {new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(
              new Date(String(pending.get(r.id)?.to ?? r[field])),
            )}
          </span>
        )}
        {nameOf(r)}
      </Link>
    </li>
  );

  const cell = (d: string) => {
    const rows = byDay.get(d) ?? [];
    const limited = mode === 'month' && rows.length > MONTH_CHIPS + 1;
    const shown = limited ? rows.slice(0, MONTH_CHIPS) : rows;
    const outside = mode === 'month' && d.slice(0, 7) !== day.slice(0, 7);
    const label = dayTitle(d, { weekday: 'long', month: 'long', day: 'numeric' });
    return (
      <section
        key={d}
        className={`f-cal__day${outside ? ' f-cal__day--outside' : ''}${d === today() ? ' f-cal__day--today' : ''}${over === d ? ' f-cal__day--over' : ''}`}
        aria-label={t('calendar.dayLabel', { day: label, count: rows.length })}
        data-day={d}
        onDragOver={(e) => {
          if (!dragging) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
          setOver(d);
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(undefined);
        }}
        onDrop={(e) => {
          e.preventDefault();
          const id = e.dataTransfer.getData('text/plain') || dragging;
          setDragging(undefined);
          setOver(undefined);
          const row = id ? byId.get(id) : undefined;
          if (row && localDayOf(row[field], dateTime) !== d) void move(row, field, movedValue(row[field], d, dateTime));
        }}
      >
        <header className="f-cal__day-head">
          {mode === 'month' ? (
            <button type="button" className="f-cal__day-num" onClick={() => onNavigate('day', d)} aria-label={label}>
              {Number(d.slice(8))}
            </button>
          ) : (
            <span className="f-cal__day-name">
              {dayTitle(d, { weekday: 'short', month: 'numeric', day: 'numeric' })}
            </span>
          )}
        </header>
        <ul className="f-cal__chips">{shown.map(chip)}</ul>
        {limited && (
          <button type="button" className="f-cal__more" onClick={() => onNavigate('day', d)}>
            {t('calendar.more', { count: rows.length - MONTH_CHIPS })}
          </button>
        )}
      </section>
    );
  };

  return (
    <section className="f-cal" aria-label={t('calendar.title', { field: fieldLabel(schema, field, lang) })}>
      <div className="f-cal__bar">
        <div className="f-cal__nav">
          <IconButton
            label={t('calendar.previous')}
            icon={<ChevronLeft size={18} aria-hidden="true" />}
            onClick={() => step(-1)}
          />
          <Button size="sm" onClick={() => onNavigate(mode, undefined)}>
            {t('calendar.today')}
          </Button>
          <IconButton
            label={t('calendar.next')}
            icon={<ChevronRight size={18} aria-hidden="true" />}
            onClick={() => step(1)}
          />
          <h2 className="f-cal__title" aria-live="polite">
            {title}
          </h2>
        </div>
        <fieldset className="f-cal__modes">
          <legend className="f-sr-only">{t('calendar.span')}</legend>
          {CALENDAR_MODES.map((m) => (
            <Button
              key={m}
              size="sm"
              variant={m === mode ? 'primary' : 'secondary'}
              aria-pressed={m === mode}
              onClick={() => onNavigate(m, at)}
            >
              {t(`calendar.${m}`)}
            </Button>
          ))}
        </fieldset>
      </div>
      {failed.length > 0 && (
        <ul className="f-cal__errors" role="alert">
          {failed.map(([id, message]) => (
            <li key={id}>{t('calendar.moveFailed', { name: nameOf(byId.get(id)!), message })}</li>
          ))}
        </ul>
      )}
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
        <>
          {mode === 'month' && (
            <div className="f-cal__weekdays" aria-hidden="true">
              {days.slice(0, 7).map((d) => (
                <span key={d}>{dayTitle(d, { weekday: 'short' })}</span>
              ))}
            </div>
          )}
          <div className={`f-cal__grid f-cal__grid--${mode}`}>{days.map(cell)}</div>
          {list.hasNextPage && <p className="f-cal__note">{t('calendar.truncated', { count: items.length })}</p>}
        </>
      )}
    </section>
  );
}
