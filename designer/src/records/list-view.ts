import type { AppMeta, FieldSchema, ObjectSchema } from '../meta/meta-types';
import { itemLabel } from '../i18n/pick-label';
import type { ApiFilter } from './filter-model';
import { fieldKind, labelFieldOf, listableFields, valueKind } from './field-kind';

/** A list view, resolved: what a list screen needs to query and draw. */
export interface ListView {
  /** `view:<name>` for metadata views, `saved:<id>` for the user's own, `default` otherwise. */
  key: string;
  label: string;
  columns: string[];
  filter?: ApiFilter | undefined;
  /** API sort keys, e.g. `["-amount", "name"]`. */
  sort: string[];
  pageSize: number;
  /** How the records are shown (docs/metadata.md, views): a table unless the view says otherwise. */
  type?: ViewType | undefined;
  /** Kanban: the picklist whose options are the columns. */
  groupBy?: string | undefined;
  /** Calendar: the date or date-time field placing records on days. */
  dateField?: string | undefined;
  calendarMode?: CalendarMode | undefined;
  /** Phone cards: the fields under the label and the picklist shown as a chip (see `cardSpec`). */
  cardFields?: string[] | undefined;
  statusField?: string | undefined;
}

export type ViewType = 'table' | 'kanban' | 'calendar';
export type CalendarMode = 'month' | 'week' | 'day';
export const VIEW_TYPES: readonly ViewType[] = ['table', 'kanban', 'calendar'];
export const CALENDAR_MODES: readonly CalendarMode[] = ['month', 'week', 'day'];

/** Picklists a kanban can group by: single-choice, writable, readable. */
export function groupableFields(schema: ObjectSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, f]) => fieldKind(f) === 'select' && !isLocked(f))
    .map(([n]) => n);
}

/** Date and date-time fields a calendar can place records by (and move them along). */
export function datedFields(schema: ObjectSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, f]) => (fieldKind(f) === 'date' || fieldKind(f) === 'datetime') && !isLocked(f))
    .map(([n]) => n);
}

function isLocked(f: FieldSchema): boolean {
  return f['x-access'] === 'none' || f['x-access'] === 'read' || f.readOnly === true;
}

export interface ViewDoc {
  object?: string;
  label?: string;
  columns?: unknown;
  filter?: unknown;
  sort?: unknown;
  pageSize?: unknown;
  default?: unknown;
  type?: unknown;
  groupBy?: unknown;
  dateField?: unknown;
  calendarMode?: unknown;
  cardFields?: unknown;
  statusField?: unknown;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_DEFAULT_COLUMNS = 6;

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** Without a view: the label field first, then the other plain fields, at most six; newest first. */
export function defaultView(schema: ObjectSchema, label: string): ListView {
  const fields = listableFields(schema).filter((f) => valueKind(schema.properties![f]!) !== 'textarea');
  const first = labelFieldOf(schema);
  const columns = [...(first && fields.includes(first) ? [first] : []), ...fields.filter((f) => f !== first)].slice(
    0,
    MAX_DEFAULT_COLUMNS,
  );
  return { key: 'default', label, columns, sort: ['-created_at'], pageSize: DEFAULT_PAGE_SIZE };
}

/** The metadata views of one object, the `default: true` one first; unknown columns are dropped. */
export function viewsFor(meta: AppMeta, object: string, fallbackLabel: string, lang = 'en'): ListView[] {
  const schema = meta.objects[object];
  if (!schema) return [];
  const known = new Set([...listableFields(schema), 'created_at', 'updated_at', 'owner', 'approval_status']);
  const docs = (meta.views ?? {}) as Record<string, ViewDoc>;
  const views: Array<ListView & { isDefault: boolean }> = [];
  for (const [name, v] of Object.entries(docs)) {
    if (!v || typeof v !== 'object' || v.object !== object) continue;
    const columns = stringList(v.columns).filter((c) => known.has(c));
    const cardFields = stringList(v.cardFields).filter((c) => known.has(c));
    const statusField = typeof v.statusField === 'string' && known.has(v.statusField) ? v.statusField : undefined;
    const pageSize = typeof v.pageSize === 'number' && v.pageSize > 0 ? Math.min(500, v.pageSize) : DEFAULT_PAGE_SIZE;
    views.push({
      key: `view:${name}`,
      label: itemLabel(v, lang, name),
      columns: columns.length ? columns : defaultView(schema, fallbackLabel).columns,
      filter: v.filter && typeof v.filter === 'object' ? (v.filter as ApiFilter) : undefined,
      sort: stringList(v.sort),
      pageSize,
      ...viewTypeOf(schema, v),
      ...(cardFields.length ? { cardFields } : {}),
      ...(statusField ? { statusField } : {}),
      isDefault: v.default === true,
    });
  }
  views.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.label.localeCompare(b.label));
  const list = views.map(({ isDefault: _d, ...rest }) => rest);
  return list.length ? list : [defaultView(schema, fallbackLabel)];
}

/** A view document's type and its field, kept only when they fit the object (else a table). */
function viewTypeOf(
  schema: ObjectSchema,
  v: ViewDoc,
): Pick<ListView, 'type' | 'groupBy' | 'dateField' | 'calendarMode'> {
  const mode = CALENDAR_MODES.find((m) => m === v.calendarMode);
  if (v.type === 'kanban' && typeof v.groupBy === 'string' && groupableFields(schema).includes(v.groupBy))
    return { type: 'kanban', groupBy: v.groupBy };
  if (v.type === 'calendar' && typeof v.dateField === 'string' && datedFields(schema).includes(v.dateField))
    return { type: 'calendar', dateField: v.dateField, ...(mode ? { calendarMode: mode } : {}) };
  return {};
}

/** `-amount` ↔ {key: amount, direction: desc}: the list's single-column sort state. */
export function parseSort(sort: string[]): { key: string; direction: 'asc' | 'desc' } | undefined {
  const first = sort[0];
  if (!first) return undefined;
  return first.startsWith('-') ? { key: first.slice(1), direction: 'desc' } : { key: first, direction: 'asc' };
}

export function sortParam(s: { key: string; direction: 'asc' | 'desc' } | undefined): string[] {
  return s ? [s.direction === 'desc' ? `-${s.key}` : s.key] : [];
}

/** What a record's card shows on a phone: its label, two or three fields and a status chip. */
export interface CardSpec {
  fields: string[];
  status?: string | undefined;
}

const MAX_CARD_FIELDS = 3;

/**
 * A view's phone card. The view may name its `cardFields` and `statusField`; otherwise the chip is
 * the object's stage or status picklist (else its first picklist) and the fields are the view's
 * first columns after the label, leaving out the chip's field (it would say the same twice).
 */
export function cardSpec(view: ListView, schema: ObjectSchema): CardSpec {
  const props = schema.properties ?? {};
  const picklists = Object.entries(props)
    .filter(([, f]) => fieldKind(f) === 'select' && f['x-access'] !== 'none')
    .map(([n]) => n);
  const named = picklists.find((n) => n === 'stage' || n === 'status');
  const status = view.statusField && picklists.includes(view.statusField) ? view.statusField : (named ?? picklists[0]);
  const label = labelFieldOf(schema);
  const fields = (view.cardFields?.length ? view.cardFields : view.columns)
    .filter((c) => c !== label && c !== status)
    .slice(0, MAX_CARD_FIELDS);
  return { fields, status };
}
