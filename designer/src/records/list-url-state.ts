/**
 * A list's state in its address (`/o/deal?view=…&q=…&f=…&sort=…&type=kanban&group=stage`), so Back
 * restores it and a link shows a colleague the same list. Only what differs from the view's own
 * defaults is written. An address that cannot be used as a whole (typed by hand, from an older
 * version, a field renamed since) is never fatal: every part that does not fit is dropped and
 * reported as a problem the list shows above itself.
 */
import type { ObjectSchema } from '../meta/meta-types';
import { type FilterOp, operatorsFor } from './field-kind';
import type { FilterRow } from './filter-model';
import {
  CALENDAR_MODES,
  type CalendarMode,
  datedFields,
  groupableFields,
  type ListView,
  VIEW_TYPES,
  type ViewType,
} from './list-view';

export interface ListUrlState {
  /** The view's key (`view:<name>`, `saved:<id>`, `default`); absent: the first view. */
  view?: string | undefined;
  q: string;
  filters: FilterRow[];
  /** Absent: the view's sort. */
  sort?: string[] | undefined;
  /** Absent: the view's type. */
  type?: ViewType | undefined;
  group?: string | undefined;
  date?: string | undefined;
  cal?: CalendarMode | undefined;
  /** The day the calendar shows (`YYYY-MM-DD`); absent: today. */
  at?: string | undefined;
  /** How many pages of the table are loaded (Back and a shared link load as many again). */
  pages: number;
}

export type ListUrlProblemKind =
  | 'unknownView'
  | 'badFilters'
  | 'badFilterField'
  | 'badSort'
  | 'badType'
  | 'noPicklist'
  | 'noDateField'
  | 'badGroup'
  | 'badDate'
  | 'badCalendar'
  | 'badDay'
  | 'badPages';

export interface ListUrlProblem {
  kind: ListUrlProblemKind;
  /** The part of the address at fault, for the message (a field name, a value). */
  value: string;
}

export const MAX_URL_PAGES = 20;
const MAX_URL_FILTERS = 20;
const SYSTEM_SORTABLE = ['created_at', 'updated_at', 'owner', 'approval_status'];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface ListUrlContext {
  schema: ObjectSchema;
  /** Every view the user can pick: the metadata's and their own. */
  views: ListView[];
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 59)}…` : s);

export function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Reads the address; what does not fit the object is left out and reported. */
export function readListUrl(
  params: URLSearchParams,
  ctx: ListUrlContext,
): { state: ListUrlState; problems: ListUrlProblem[] } {
  const problems: ListUrlProblem[] = [];
  const problem = (kind: ListUrlProblemKind, value: string) => problems.push({ kind, value: clip(value) });
  const props = ctx.schema.properties ?? {};
  const state: ListUrlState = { q: (params.get('q') ?? '').slice(0, 200), filters: [], pages: 1 };

  const view = params.get('view');
  if (view !== null) {
    if (ctx.views.some((v) => v.key === view)) state.view = view;
    else problem('unknownView', view);
  }

  const f = params.get('f');
  if (f !== null && f !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(f);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.length > MAX_URL_FILTERS) problem('badFilters', f);
    else
      for (const row of parsed) {
        const [field, op, value] = Array.isArray(row) ? row : [];
        const def = typeof field === 'string' ? props[field] : undefined;
        if (
          !def ||
          typeof op !== 'string' ||
          typeof value !== 'string' ||
          !operatorsFor(def).includes(op as FilterOp) ||
          def['x-access'] === 'none'
        )
          problem('badFilterField', typeof field === 'string' ? field : JSON.stringify(row));
        else state.filters.push({ field: field as string, op: op as FilterOp, value });
      }
  }

  const sort = params.get('sort');
  if (sort !== null && sort !== '') {
    const keys = sort.split(',');
    const ok = keys.every((k) => {
      const name = k.replace(/^-/, '');
      return SYSTEM_SORTABLE.includes(name) || (props[name] && props[name]['x-access'] !== 'none');
    });
    if (ok && keys.length <= 3) state.sort = keys;
    else problem('badSort', sort);
  }

  const type = params.get('type');
  if (type !== null) {
    const t = VIEW_TYPES.find((v) => v === type);
    if (!t) problem('badType', type);
    else if (t === 'kanban' && !groupableFields(ctx.schema).length) problem('noPicklist', type);
    else if (t === 'calendar' && !datedFields(ctx.schema).length) problem('noDateField', type);
    else state.type = t;
  }
  const group = params.get('group');
  if (group !== null) {
    if (groupableFields(ctx.schema).includes(group)) state.group = group;
    else problem('badGroup', group);
  }
  const date = params.get('date');
  if (date !== null) {
    if (datedFields(ctx.schema).includes(date)) state.date = date;
    else problem('badDate', date);
  }
  const cal = params.get('cal');
  if (cal !== null) {
    const m = CALENDAR_MODES.find((c) => c === cal);
    if (m) state.cal = m;
    else problem('badCalendar', cal);
  }
  const at = params.get('at');
  if (at !== null) {
    if (isDay(at)) state.at = at;
    else problem('badDay', at);
  }
  const pages = params.get('pages');
  if (pages !== null) {
    const n = Number(pages);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_URL_PAGES) state.pages = n;
    else problem('badPages', pages);
  }
  return { state, problems };
}

/** The address of a state: only what differs from the defaults, in a stable order. */
export function writeListUrl(state: ListUrlState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.view) p.set('view', state.view);
  if (state.q) p.set('q', state.q);
  if (state.filters.length) p.set('f', JSON.stringify(state.filters.map((r) => [r.field, r.op, r.value])));
  if (state.sort) p.set('sort', state.sort.join(','));
  if (state.type) p.set('type', state.type);
  if (state.group) p.set('group', state.group);
  if (state.date) p.set('date', state.date);
  if (state.cal) p.set('cal', state.cal);
  if (state.at) p.set('at', state.at);
  if (state.pages > 1) p.set('pages', String(state.pages));
  return p;
}
