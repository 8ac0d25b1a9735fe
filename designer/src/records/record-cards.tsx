import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fieldLabel } from '../i18n/pick-label';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { labelFieldOf } from './field-kind';
import { formatValue } from './format-value';
import type { CardSpec } from './list-view';
import type { RecordRow } from './records-api';

interface CardsProps {
  object: string;
  schema: ObjectSchema;
  meta: AppMeta;
  lang: string;
  label: string;
  items: RecordRow[];
  spec: CardSpec;
  /** Bulk actions work on a phone too: a tick box beside each card. */
  selected: Set<string>;
  toggle: (id: string) => void;
}

/**
 * A list on a phone: one card per record with its label, the view's two or three card fields and
 * its status chip. The whole card is one link to the record, so a tap anywhere opens it; lookups
 * read as names (plain text: a link inside the card's link would be a second, tiny target).
 */
export function RecordCards({ object, schema, meta, lang, label, items, spec, selected, toggle }: CardsProps) {
  const { t } = useTranslation();
  const labelField = labelFieldOf(schema);
  const text = (row: RecordRow, field: string) => {
    const f = schema.properties?.[field];
    const ref = f?.['x-ref'];
    const target = typeof ref === 'string' ? meta.objects[ref] : undefined;
    const value = row[field];
    // A lookup the reader may not see comes back as a bare id (expand left it): never show the id.
    if (typeof ref === 'string' && typeof value === 'string') return t('lookup.hidden');
    return formatValue(f, value, lang, { labelField: target ? labelFieldOf(target) : undefined });
  };
  const statusField = spec.status;
  return (
    <ul className="f-cards" aria-label={t('mobile.cards', { label, count: items.length })}>
      {items.map((row) => {
        const name = labelField && row[labelField] ? String(row[labelField]) : t('list.untitled');
        const status = statusField ? text(row, statusField) : '';
        return (
          <li key={row.id} className="f-cards__item">
            <label className="f-cards__select">
              <input
                type="checkbox"
                className="f-check"
                aria-label={t('list.selectRow', { name })}
                checked={selected.has(row.id)}
                onChange={() => toggle(row.id)}
              />
            </label>
            <Link className="f-cards__card" to={`/o/${object}/${row.id}`}>
              <span className="f-cards__head">
                <span className="f-cards__title">{name}</span>
                {status && (
                  <span className="f-cards__chip" data-value={String(row[statusField!])}>
                    {status}
                  </span>
                )}
              </span>
              {spec.fields.length > 0 && (
                <dl className="f-cards__fields">
                  {spec.fields.map((f) => {
                    const v = text(row, f);
                    return v ? (
                      <div key={f} className="f-cards__field">
                        <dt>{fieldLabel(schema, f, lang)}</dt>
                        <dd>{v}</dd>
                      </div>
                    ) : null;
                  })}
                </dl>
              )}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
