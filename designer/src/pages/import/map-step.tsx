import { useTranslation } from 'react-i18next';
import { fieldLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { importableFields, type ParsedCsv } from '../../records/import-mapping';
import { Button } from '../../ui';
import type { ImportWizardState } from './use-import-wizard';

/** Step 2: each column of the file, a sample value, and the field it goes into (or skipped). */
export function MapStep({
  wizard,
  parsed,
  schema,
  locale,
}: {
  wizard: ImportWizardState;
  parsed: ParsedCsv;
  schema: ObjectSchema;
  locale: string;
}) {
  const { t } = useTranslation();
  const fields = importableFields(schema);
  const { mapping, setMapping, busy } = wizard;
  return (
    <>
      <p>{t('imports.rows', { count: wizard.rowsCount, file: wizard.fileName })}</p>
      <table className="f-table f-wizard__map">
        <thead>
          <tr>
            <th scope="col">{t('imports.column')}</th>
            <th scope="col">{t('imports.sample')}</th>
            <th scope="col">{t('imports.target')}</th>
          </tr>
        </thead>
        <tbody>
          {parsed.columns.map((c) => (
            <tr key={c}>
              <th scope="row">{c}</th>
              <td className="f-wizard__sample">{parsed.rows[0]?.[c] ?? ''}</td>
              <td>
                <select
                  className="f-select"
                  aria-label={`${t('imports.target')}: ${c}`}
                  value={mapping[c] ?? ''}
                  onChange={(e) => setMapping((m) => ({ ...m, [c]: e.target.value }))}
                >
                  <option value="">{t('imports.skip')}</option>
                  {fields.map((f) => (
                    <option key={f} value={f}>
                      {fieldLabel(schema, f, locale)}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="f-wizard__actions">
        <Button onClick={wizard.restart}>{t('imports.back')}</Button>
        <Button variant="primary" loading={busy} onClick={() => void wizard.check()}>
          {busy ? t('imports.checking') : t('imports.dryRun')}
        </Button>
      </div>
    </>
  );
}
