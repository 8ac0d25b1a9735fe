import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { type CalendarMode, datedFields, groupableFields, type ListView, type ViewType, viewsFor } from './list-view';
import { type ListUrlProblem, type ListUrlState, readListUrl, writeListUrl } from './list-url-state';
import { loadSavedViews, type SavedView, storeSavedViews } from './saved-views';

/** A saved view of this device as a list view: the first shared view's settings, overridden by its own. */
function savedAsView(base: ListView, s: SavedView): ListView {
  return {
    ...base,
    key: `saved:${s.id}`,
    label: s.label,
    columns: s.columns,
    filter: undefined,
    sort: s.sort,
    type: s.type,
    groupBy: s.groupBy,
    dateField: s.dateField,
    calendarMode: s.calendarMode,
  };
}

export interface ListState {
  /** The view in use, resolved (metadata view, saved view or the default). */
  view: ListView;
  metaViews: ListView[];
  saved: SavedView[];
  url: ListUrlState;
  problems: ListUrlProblem[];
  sort: string[];
  type: ViewType;
  /** Kanban column field and calendar date field in use (undefined when the object has none). */
  groupBy: string | undefined;
  dateField: string | undefined;
  calendarMode: CalendarMode;
  /**
   * Changes the address. `replace` for what should not make its own Back step (typing a search,
   * loading more); everything else (view, filters, sort, type) pushes, so Back undoes it.
   */
  update(patch: Partial<ListUrlState>, opts?: { replace?: boolean }): void;
  pickView(v: ListView): void;
  saveView(label: string): SavedView;
  removeSaved(id: string): void;
  /** Drops the parts of the address that could not be used. */
  clearProblems(): void;
}

/**
 * The list's state: the address holds it (list-url-state.ts), the views come from the metadata and
 * this device. Every screen of a list (table, kanban, calendar) reads the same state.
 */
export function useListState(
  object: string,
  schema: ObjectSchema,
  meta: AppMeta,
  label: string,
  lang: string,
): ListState {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const metaViews = useMemo(() => viewsFor(meta, object, label, lang), [meta, object, label, lang]);
  const [savedFor, setSavedFor] = useState<{ key: string; views: SavedView[] } | undefined>();
  const storageKey = `${session.tenant}/${session.user.id}/${object}`;
  const saved = useMemo(
    () => (savedFor?.key === storageKey ? savedFor.views : loadSavedViews(session.tenant, session.user.id, object)),
    [savedFor, storageKey, session.tenant, session.user.id, object],
  );
  const allViews = useMemo(
    () => [...metaViews, ...saved.map((s) => savedAsView(metaViews[0]!, s))],
    [metaViews, saved],
  );
  const { state: url, problems } = useMemo(
    () => readListUrl(params, { schema, views: allViews }),
    [params, schema, allViews],
  );
  const view = allViews.find((v) => v.key === url.view) ?? metaViews[0]!;
  const type = url.type ?? view.type ?? 'table';
  const groupBy = url.group ?? view.groupBy ?? groupableFields(schema)[0];
  const dateField = url.date ?? view.dateField ?? datedFields(schema)[0];

  const update = useCallback(
    (patch: Partial<ListUrlState>, opts: { replace?: boolean } = {}) => {
      // The base is the address as it is now, not as last rendered: the router applies an address in
      // a transition, so the rendered one can lag a change behind, and two quick updates (a sort, then
      // the board) would undo each other (use-dashboard-filters.ts met the same).
      const now = new URLSearchParams(window.location.search);
      const base = readListUrl(now, { schema, views: allViews }).state;
      setParams(writeListUrl({ ...base, ...patch }), { replace: opts.replace === true });
    },
    [setParams, schema, allViews],
  );

  const store = (next: SavedView[]) => {
    setSavedFor({ key: storageKey, views: next });
    storeSavedViews(session.tenant, session.user.id, object, next);
  };

  return {
    view,
    metaViews,
    saved,
    url,
    problems,
    sort: url.sort ?? view.sort,
    type,
    groupBy,
    dateField,
    calendarMode: url.cal ?? view.calendarMode ?? 'month',
    update,
    pickView: (v) => {
      const s = saved.find((x) => `saved:${x.id}` === v.key);
      setParams(
        writeListUrl({
          view: v.key === metaViews[0]?.key ? undefined : v.key,
          q: s?.q ?? '',
          filters: s?.filters ?? [],
          pages: 1,
        }),
      );
    },
    saveView: (name) => {
      const entry: SavedView = {
        id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
        label: name,
        columns: view.columns,
        filters: url.filters,
        sort: url.sort ?? view.sort,
        q: url.q,
        ...(type !== 'table' ? { type } : {}),
        ...(type === 'kanban' && groupBy ? { groupBy } : {}),
        ...(type === 'calendar' && dateField
          ? { dateField, calendarMode: url.cal ?? view.calendarMode ?? 'month' }
          : {}),
      };
      const next = [...saved.filter((s) => s.label !== name), entry];
      store(next);
      // The saved view now carries type, sort and search: the address only names it.
      setParams(writeListUrl({ view: `saved:${entry.id}`, q: url.q, filters: url.filters, pages: 1 }), {
        replace: true,
      });
      return entry;
    },
    removeSaved: (id) => {
      store(saved.filter((s) => s.id !== id));
      if (view.key === `saved:${id}`) setParams(writeListUrl({ q: '', filters: [], pages: 1 }));
    },
    clearProblems: () => setParams(writeListUrl(url), { replace: true }),
  };
}
