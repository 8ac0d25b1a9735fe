import type { FieldProps, WidgetProps } from '@rjsf/utils';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Plus, Trash2 } from 'lucide-react';
import { enumLabel, fieldLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { useAppMeta } from '../meta/use-app-meta';
import { Button, IconButton } from '../ui';
import { isComputed, valueKind } from './field-kind';
import type { LineItemsSpec, RecordForm } from './form-schema';
import { formatValue } from './format-value';
import { fieldsFedBy, lineDefaults } from './line-defaults';
import { LineItemsExport } from './line-items-export';
import { LookupValue } from './lookup-value';
import { useRecordsApi } from './use-records-api';
import { LookupWidget } from './widgets/lookup-widget';
import './line-items-field.css';

type Row = Record<string, unknown>;

/** New rows get a browser-only key so React keeps each row's inputs while rows come and go. */
const ROW_KEY = '_key';
let nextKey = 0;

function newRow(child: ObjectSchema, spec: LineItemsSpec): Row {
  const row: Row = { [ROW_KEY]: `new-${++nextKey}` };
  for (const f of spec.writable) {
    const d = child.properties?.[f]?.default;
    if (d !== undefined) row[f] = d;
  }
  return row;
}

function numberOrUndefined(raw: string): number | undefined {
  if (raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

interface CellProps {
  id: string;
  label: string;
  field: FieldSchema;
  value: unknown;
  editable: boolean;
  onChange: (v: unknown) => void;
  lang: string;
}

/** One cell: an input per field kind, or the formatted value for computed and read-only fields. */
function Cell({ id, label, field, value, editable, onChange, lang }: CellProps) {
  if (!editable) {
    const ref = field['x-ref'];
    // A locked product reads as its name (linked), not its id.
    if (typeof ref === 'string' && value)
      return (
        <output id={id} aria-label={label} className="f-lines__value">
          <LookupValue target={ref} value={value} />
        </output>
      );
    return (
      <output id={id} aria-label={label} className="f-lines__value">
        {formatValue(field, value, lang) || '—'}
      </output>
    );
  }
  const kind = valueKind(field);
  switch (kind) {
    case 'lookup': {
      const props = {
        id,
        value,
        onChange,
        onBlur: () => undefined,
        onFocus: () => undefined,
        options: { ref: field['x-ref'] },
        label,
        required: false,
        rawErrors: [],
      } as unknown as WidgetProps;
      return <LookupWidget {...props} />;
    }
    case 'select':
      return (
        <select
          id={id}
          aria-label={label}
          className="f-lines__input"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || undefined)}
        >
          <option value="" />
          {(field.enum ?? []).map((v) => (
            <option key={String(v)} value={String(v)}>
              {enumLabel(field, String(v), lang)}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return (
        <input
          id={id}
          aria-label={label}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
    case 'number':
    case 'integer':
    case 'currency':
    case 'percent':
      return (
        <input
          id={id}
          aria-label={label}
          className="f-lines__input f-lines__input--number"
          type="number"
          inputMode="decimal"
          step={kind === 'integer' ? 1 : 'any'}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(numberOrUndefined(e.target.value))}
        />
      );
    case 'date':
      return (
        <input
          id={id}
          aria-label={label}
          className="f-lines__input"
          type="date"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || undefined)}
        />
      );
    default:
      return (
        <input
          id={id}
          aria-label={label}
          className="f-lines__input"
          type="text"
          maxLength={typeof field.maxLength === 'number' ? field.maxLength : undefined}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || undefined)}
        />
      );
  }
}

/**
 * A line-items field (`x-children`, e.g. a quote's lines) as an editable grid inside the parent's
 * form: add and remove rows, a lookup picker per lookup column, numbers per kind. The whole set is
 * saved with the parent (the API replaces it); computed columns show the server's values after save.
 */
export function LineItemsField(props: FieldProps) {
  const { formData, onChange, fieldPathId, uiSchema, disabled, readonly, schema } = props;
  const { t } = useTranslation();
  const { locale } = useLocale();
  const meta = useAppMeta();
  const spec = uiSchema?.['ui:lineItems'] as LineItemsSpec | undefined;
  const child = spec ? meta.data?.objects[spec.object] : undefined;
  const title = typeof schema.title === 'string' ? schema.title : '';
  const records = useRecordsApi();
  // Prices arrive after the pick: they land on the rows as they are then, not as they were.
  const latest = useRef<Row[]>([]);
  if (!spec || !child) return <p className="f-lines__note">{t('webApp.linesUnavailable')}</p>;

  const rows: Row[] = Array.isArray(formData) ? (formData as Row[]) : [];
  latest.current = rows;
  const parentData = (props.registry?.formContext as { data?: Row } | undefined)?.data ?? {};
  // Saved lines carry their record's id: once there are some, they can be exported.
  const parentRef = child.properties?.[spec.parent]?.['x-ref'];
  const parentId = rows.map((r) => r[spec.parent]).find((v): v is string => typeof v === 'string');
  const savedParent = typeof parentRef === 'string' && parentId ? { object: parentRef, id: parentId } : undefined;
  const fieldName = String(fieldPathId.path[fieldPathId.path.length - 1] ?? props.name);
  const declared = (uiSchema?.['ui:options'] as { columns?: unknown } | undefined)?.columns;
  const columns = (
    Array.isArray(declared) ? declared.filter((c): c is string => typeof c === 'string') : spec.columns
  ).filter((c) => spec.columns.includes(c));
  const locked = disabled || readonly;
  const change = (next: Row[]) => onChange(next, fieldPathId.path);
  const rowKey = (r: Row, i: number) =>
    typeof r.id === 'string' ? r.id : typeof r[ROW_KEY] === 'string' ? r[ROW_KEY] : `row-${i}`;
  const setCell = (i: number, column: string, value: unknown) => {
    const next = rows.map((r, j) => (j === i ? { ...r, [column]: value } : r));
    change(next);
    // A picked product brings its price (x-default-from), as the server would fill it on save.
    const fed = fieldsFedBy(child, column, spec.writable);
    if (!fed.length || value === undefined) return;
    const key = rowKey(next[i]!, i);
    void lineDefaults(records, child, spec.parent, fed, next[i]!, parentData)
      .then((patch) => {
        if (!Object.keys(patch).length) return;
        change(latest.current.map((r, j) => (rowKey(r, j) === key && r[column] === value ? { ...r, ...patch } : r)));
      })
      // No price found (or the lookup failed): the user types one, and the server still checks it.
      .catch(() => undefined);
  };

  return (
    <fieldset className="f-lines">
      <legend className="f-sr-only">{title}</legend>
      <div className="f-lines__head" aria-hidden="true">
        <span className="f-lines__title">{title}</span>
        <span className="f-lines__count">{t('webApp.linesCount', { count: rows.length })}</span>
      </div>
      <div className="f-lines__scroll">
        <table className="f-lines__table">
          <thead>
            <tr>
              <th scope="col" className="f-lines__num">
                #
              </th>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {fieldLabel(child, c, locale)}
                </th>
              ))}
              <th scope="col" className="f-lines__tools">
                <span className="f-sr-only">{t('webApp.linesRemove', { n: '' })}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={rowKey(row, i)} className="f-lines__row">
                <td className="f-lines__num" data-line={t('mobile.line', { n: i + 1 })}>
                  {i + 1}
                </td>
                {columns.map((c) => {
                  const f = child.properties?.[c] ?? {};
                  const label = `${fieldLabel(child, c, locale)} · ${t('webApp.linesRow', { n: i + 1 })}`;
                  return (
                    <td
                      key={c}
                      className={isComputed(f) ? 'f-lines__computed' : undefined}
                      data-label={fieldLabel(child, c, locale)}
                    >
                      <Cell
                        id={`${fieldPathId.$id}_${i}_${c}`}
                        label={label}
                        field={f}
                        value={row[c]}
                        editable={!locked && spec.writable.includes(c)}
                        onChange={(v) => setCell(i, c, v)}
                        lang={locale}
                      />
                    </td>
                  );
                })}
                <td className="f-lines__tools">
                  {!locked && (
                    <IconButton
                      label={t('webApp.linesRemove', { n: i + 1 })}
                      icon={<Trash2 size={16} aria-hidden="true" />}
                      onClick={() => change(rows.filter((_, j) => j !== i))}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="f-lines__note">{t('webApp.linesEmpty')}</p>}
      </div>
      <div className="f-lines__foot">
        {!locked && (
          <Button
            size="sm"
            icon={<Plus size={16} aria-hidden="true" />}
            onClick={() => change([...rows, newRow(child, spec)])}
          >
            {t('webApp.linesAdd')}
          </Button>
        )}
        {savedParent && <LineItemsExport object={savedParent.object} id={savedParent.id} field={fieldName} />}
        <span className="f-lines__hint">{t(uiSchema?.['ui:live'] ? 'webApp.linesHintLive' : 'webApp.linesHint')}</span>
      </div>
    </fieldset>
  );
}

/** The form with its line-items fields rendered by the grid (rjsf takes a component as `ui:field`). */
export function withLineItemsGrid(form: RecordForm): RecordForm {
  const names = Object.keys(form.lineItems);
  if (names.length === 0) return form;
  const uiSchema = { ...form.uiSchema };
  for (const name of names)
    uiSchema[name] = { ...(uiSchema[name] as object), 'ui:field': LineItemsField, 'ui:live': Boolean(form.live) };
  return { ...form, uiSchema };
}
