import { CalendarDays, Columns3, Table2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { fieldLabel } from '../i18n/pick-label';
import type { ObjectSchema } from '../meta/meta-types';
import { Button } from '../ui';
import { type ViewType, datedFields, groupableFields } from './list-view';
import type { useListState } from './use-list-state';

/** Table, kanban or calendar (when the object has fields for them), and what the board groups by or the calendar dates by. */
export function RecordListTypeSwitch({
  ls,
  schema,
  lang,
}: {
  ls: ReturnType<typeof useListState>;
  schema: ObjectSchema;
  lang: string;
}) {
  const { t } = useTranslation();
  const { type, view } = ls;
  const groupChoices = groupableFields(schema);
  const dateChoices = datedFields(schema);
  const setType = (next: ViewType) => ls.update({ type: next === (view.type ?? 'table') ? undefined : next });
  const fieldSelect = (label: string, value: string | undefined, choices: string[], on: (v: string) => void) => (
    <label className="f-list__type-field">
      <span>{label}</span>
      <select className="f-input__control" value={value} onChange={(e) => on(e.target.value)}>
        {choices.map((g) => (
          <option key={g} value={g}>
            {fieldLabel(schema, g, lang)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <>
      {(groupChoices.length > 0 || dateChoices.length > 0) && (
        <fieldset className="f-list__types">
          <legend className="f-sr-only">{t('viewType.label')}</legend>
          {(
            [
              ['table', Table2, true],
              ['kanban', Columns3, groupChoices.length > 0],
              ['calendar', CalendarDays, dateChoices.length > 0],
            ] as const
          )
            .filter(([, , ok]) => ok)
            .map(([k, Icon]) => (
              <Button
                key={k}
                size="sm"
                variant={type === k ? 'primary' : 'ghost'}
                aria-pressed={type === k}
                icon={<Icon size={16} aria-hidden="true" />}
                onClick={() => setType(k)}
              >
                {t(`viewType.${k}`)}
              </Button>
            ))}
        </fieldset>
      )}
      {type === 'kanban' &&
        groupChoices.length > 1 &&
        fieldSelect(t('viewType.groupBy'), ls.groupBy, groupChoices, (group) => ls.update({ group }))}
      {type === 'calendar' &&
        dateChoices.length > 1 &&
        fieldSelect(t('viewType.dateField'), ls.dateField, dateChoices, (date) => ls.update({ date }))}
    </>
  );
}
