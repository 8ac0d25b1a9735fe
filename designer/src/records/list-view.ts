import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { itemLabel } from '../i18n/pick-label';
import type { ApiFilter } from './filter-model';
import { labelFieldOf, listableFields, valueKind } from './field-kind';

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
}

export interface ViewDoc {
  object?: string;
  label?: string;
  columns?: unknown;
  filter?: unknown;
  sort?: unknown;
  pageSize?: unknown;
  default?: unknown;
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
    const pageSize = typeof v.pageSize === 'number' && v.pageSize > 0 ? Math.min(500, v.pageSize) : DEFAULT_PAGE_SIZE;
    views.push({
      key: `view:${name}`,
      label: itemLabel(v, lang, name),
      columns: columns.length ? columns : defaultView(schema, fallbackLabel).columns,
      filter: v.filter && typeof v.filter === 'object' ? (v.filter as ApiFilter) : undefined,
      sort: stringList(v.sort),
      pageSize,
      isDefault: v.default === true,
    });
  }
  views.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.label.localeCompare(b.label));
  const list = views.map(({ isDefault: _d, ...rest }) => rest);
  return list.length ? list : [defaultView(schema, fallbackLabel)];
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
