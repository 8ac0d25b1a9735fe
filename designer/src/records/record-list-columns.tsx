import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fieldLabel } from '../i18n/pick-label';
import type { AppMeta, FieldSchema, ObjectSchema } from '../meta/meta-types';
import type { Column } from '../ui';
import { ApprovalBadge } from './approval-badge';
import { labelFieldOf } from './field-kind';
import { formatValue, isNumericField } from './format-value';
import { LookupValue } from './lookup-value';
import type { RecordRow } from './records-api';

/** System fields a view may show, described like fields so they format and sort the same way. */
const SYSTEM_COLUMNS: Record<string, FieldSchema> = {
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' },
  approval_status: { type: 'string', enum: ['none', 'pending', 'approved', 'rejected'] },
  owner: { type: 'string' },
};

/** The object a column's values point to (a lookup, the owner), when the user may open it. */
export function refTarget(schema: ObjectSchema, meta: AppMeta, column: string): string | undefined {
  const ref = column === 'owner' ? 'user' : schema.properties?.[column]?.['x-ref'];
  return typeof ref === 'string' && (ref === 'user' || meta.objects[ref]) ? ref : undefined;
}

interface ColumnsInput {
  object: string;
  schema: ObjectSchema;
  meta: AppMeta;
  lang: string;
  viewColumns: string[];
  items: RecordRow[];
  selected: Set<string>;
  setSelected: (s: Set<string>) => void;
  toggle: (id: string) => void;
}

/** The table's columns: a tick box, then the view's columns (the first opens the record). */
export function useRecordListColumns(input: ColumnsInput): Array<Column<RecordRow>> {
  const { object, schema, meta, lang, viewColumns, items, selected, setSelected, toggle } = input;
  const { t } = useTranslation();
  const labelField = labelFieldOf(schema);
  const allOnScreen = items.length > 0 && items.every((r) => selected.has(r.id));
  const nameOf = (row: RecordRow) => {
    const v = labelField ? row[labelField] : undefined;
    return v === null || v === undefined || v === '' ? t('list.untitled') : String(v);
  };
  return [
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
    ...viewColumns.map((col, i): Column<RecordRow> => {
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
          const target = refTarget(schema, meta, col);
          if (target && row[col]) return <LookupValue target={target} value={row[col]} expanded />;
          return text;
        },
      };
    }),
  ];
}
