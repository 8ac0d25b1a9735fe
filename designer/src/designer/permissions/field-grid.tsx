import { useTranslation } from 'react-i18next';
import { fieldLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { FIELD_ACCESS, type FieldAccess } from './role-model';

interface FieldGridProps {
  object: string;
  schema: ObjectSchema;
  lang: string;
  accessOf: (field: string) => FieldAccess;
  /** Without it the grid is read-only. */
  onChange?: (field: string, access: FieldAccess) => void;
}

/** `id` can never be hidden (the server refuses it), so it is not offered. */
const LOCKED = new Set(['id']);

/** One object's fields × none/read/edit, as a radio group per field (arrow keys move inside it). */
export function FieldGrid({ object, schema, lang, accessOf, onChange }: FieldGridProps) {
  const { t } = useTranslation();
  const fields = Object.keys(schema.properties ?? {}).filter((f) => !LOCKED.has(f));
  return (
    <table className="f-perm-fields">
      <caption className="f-sr-only">{t('permissions.fieldsOf', { object })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('permissions.field')}</th>
          {FIELD_ACCESS.map((a) => (
            <th scope="col" key={a}>
              {t(`permissions.access_${a}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => {
          const label = fieldLabel(schema, field, lang);
          const current = accessOf(field);
          return (
            <tr key={field} data-field={field}>
              <th scope="row">
                {label}
                <span className="f-perm-fields__name">{field}</span>
              </th>
              {FIELD_ACCESS.map((a) => (
                <td key={a} className="f-perm-fields__cell">
                  {onChange ? (
                    <input
                      type="radio"
                      name={`${object}.${field}`}
                      value={a}
                      checked={current === a}
                      aria-label={`${label}: ${t(`permissions.access_${a}`)}`}
                      onChange={() => onChange(field, a)}
                    />
                  ) : current === a ? (
                    <span className={`f-perm-fields__mark f-perm-access--${a}`}>{t(`permissions.access_${a}`)}</span>
                  ) : null}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
