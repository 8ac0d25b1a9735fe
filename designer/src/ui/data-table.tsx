import type { ReactNode } from 'react';
import { ArrowDown, ArrowUp } from 'lucide-react';
import { cx } from './cx';
import './data-table.css';

export interface Column<T> {
  key: string;
  header: ReactNode;
  render?: (row: T) => ReactNode;
  align?: 'start' | 'end';
  sortable?: boolean;
  width?: number | string;
}

export interface SortState {
  key: string;
  direction: 'asc' | 'desc';
}

export interface DataTableProps<T> {
  /** Announced to screen readers; the visible title usually sits above the table. */
  caption: string;
  columns: Array<Column<T>>;
  rows: T[];
  rowKey: (row: T) => string;
  sort?: SortState | undefined;
  onSortChange?: (sort: SortState) => void;
  /** Rendered in place of the body when there are no rows. */
  empty?: ReactNode;
  onRowClick?: (row: T) => void;
}

function cellOf<T>(row: T, col: Column<T>): ReactNode {
  if (col.render) return col.render(row);
  const v = (row as Record<string, unknown>)[col.key];
  return v === null || v === undefined ? '' : String(v);
}

/** A semantic table: sortable headers are buttons with aria-sort, so it works from the keyboard. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  sort,
  onSortChange,
  empty,
  onRowClick,
}: DataTableProps<T>) {
  return (
    <div className="f-table-wrap">
      <table className="f-table">
        <caption className="f-sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((col) => {
              const active = sort?.key === col.key;
              const ariaSort = active ? (sort?.direction === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th
                  key={col.key}
                  scope="col"
                  aria-sort={ariaSort}
                  className={cx(col.align === 'end' && 'f-table__cell--end')}
                  style={col.width !== undefined ? { width: col.width } : undefined}
                >
                  {col.sortable && onSortChange ? (
                    <button
                      type="button"
                      className="f-table__sort"
                      onClick={() =>
                        onSortChange({ key: col.key, direction: active && sort?.direction === 'asc' ? 'desc' : 'asc' })
                      }
                    >
                      {col.header}
                      {active &&
                        (sort?.direction === 'asc' ? (
                          <ArrowUp size={14} aria-hidden="true" />
                        ) : (
                          <ArrowDown size={14} aria-hidden="true" />
                        ))}
                    </button>
                  ) : (
                    col.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && empty !== undefined ? (
            <tr>
              <td colSpan={columns.length} className="f-table__empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr
                key={rowKey(row)}
                className={cx(onRowClick && 'f-table__row--clickable')}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
              >
                {columns.map((col) => (
                  <td key={col.key} className={cx(col.align === 'end' && 'f-table__cell--end')}>
                    {cellOf(row, col)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
