import type { FilterRow } from './filter-model';
import type { CalendarMode, ViewType } from './list-view';

/**
 * A user's own list views live on the device (localStorage), keyed by tenant, user and object, until
 * the server offers per-user views: nothing else in the API stores user preferences yet.
 */
export interface SavedView {
  id: string;
  label: string;
  columns: string[];
  filters: FilterRow[];
  sort: string[];
  q: string;
  /** Table (when absent), kanban grouped by `groupBy`, or calendar of `dateField`. */
  type?: ViewType;
  groupBy?: string;
  dateField?: string;
  calendarMode?: CalendarMode;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

const keyOf = (tenant: string, userId: string, object: string) => `forma.views.${tenant}.${userId}.${object}`;

function isSavedView(v: unknown): v is SavedView {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.id === 'string' &&
    typeof s.label === 'string' &&
    Array.isArray(s.columns) &&
    Array.isArray(s.filters) &&
    Array.isArray(s.sort) &&
    typeof s.q === 'string' &&
    (s.type === undefined || s.type === 'table' || s.type === 'kanban' || s.type === 'calendar') &&
    (s.groupBy === undefined || typeof s.groupBy === 'string') &&
    (s.dateField === undefined || typeof s.dateField === 'string')
  );
}

function defaultStorage(): StorageLike | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    // Storage can be disabled by the browser's privacy settings: saved views then simply don't persist.
    return undefined;
  }
}

export function loadSavedViews(
  tenant: string,
  userId: string,
  object: string,
  storage: StorageLike | undefined = defaultStorage(),
): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(keyOf(tenant, userId, object)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isSavedView) : [];
  } catch {
    return [];
  }
}

export function storeSavedViews(
  tenant: string,
  userId: string,
  object: string,
  views: SavedView[],
  storage: StorageLike | undefined = defaultStorage(),
): void {
  try {
    storage?.setItem(keyOf(tenant, userId, object), JSON.stringify(views));
  } catch {
    // Quota exceeded or storage disabled: the view still applies for this visit.
  }
}
