import type { ObjectSchema } from '../../meta/meta-types';
import { type FilterOp, listableFields } from '../../records/field-kind';
import type { FilterRow } from '../../records/filter-model';
import type { ViewDefinition } from '../common/meta-write-api';

/** A new view shows the label field and the next few fields, newest first. */
export function newView(object: string, schema: ObjectSchema, label: string): ViewDefinition {
  const columns = listableFields(schema).slice(0, 5);
  return { object, label, columns: columns.length ? columns : ['id'], sort: ['-created_at'] };
}

/** A view's saved filter as filter-builder rows; only the AND-ed `{field: {op: value}}` form is editable here. */
export function rowsFromFilter(filter: unknown): FilterRow[] | null {
  if (filter === undefined || filter === null) return [];
  if (typeof filter !== 'object' || Array.isArray(filter)) return null;
  const rows: FilterRow[] = [];
  for (const [field, cond] of Object.entries(filter as Record<string, unknown>)) {
    if (field === 'or') return null;
    if (field === 'and') {
      if (!Array.isArray(cond)) return null;
      for (const c of cond) {
        const sub = rowsFromFilter(c);
        if (!sub) return null;
        rows.push(...sub);
      }
      continue;
    }
    if (!cond || typeof cond !== 'object' || Array.isArray(cond)) return null;
    for (const [op, value] of Object.entries(cond as Record<string, unknown>)) {
      const text = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
      rows.push({ field, op: op as FilterOp, value: text });
    }
  }
  return rows;
}

/** `-amount` → {field: amount, descending}; the view's first sort key is its default sort. */
export function sortOf(view: ViewDefinition): { field: string; descending: boolean } | null {
  const first = view.sort?.[0];
  if (!first) return null;
  return { field: first.replace(/^-/, ''), descending: first.startsWith('-') };
}

export function withSort(view: ViewDefinition, field: string, descending: boolean): ViewDefinition {
  const next = { ...view };
  if (!field) delete next.sort;
  else next.sort = [`${descending ? '-' : ''}${field}`];
  return next;
}

/** Moves a column one step; columns are shown in this order. */
export function moveColumn(view: ViewDefinition, column: string, delta: number): ViewDefinition {
  const columns = [...view.columns];
  const i = columns.indexOf(column);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= columns.length) return view;
  [columns[i], columns[j]] = [columns[j]!, columns[i]!];
  return { ...view, columns };
}

export function toggleColumn(view: ViewDefinition, column: string, on: boolean): ViewDefinition {
  const has = view.columns.includes(column);
  if (on && !has) return { ...view, columns: [...view.columns, column] };
  if (!on && has && view.columns.length > 1) return { ...view, columns: view.columns.filter((c) => c !== column) };
  return view;
}
