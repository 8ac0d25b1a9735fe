import { CheckCircle2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { rowProblems } from '../../records/import-mapping';
import type { ImportReport } from '../../records/records-api';
import { Button } from '../../ui';
import type { ImportWizardState } from './use-import-wizard';

/** Step 3: the dry run's answer, the rows that would fail, and import all or only the good rows. */
export function CheckStep({ wizard, dry }: { wizard: ImportWizardState; dry: ImportReport }) {
  const { t } = useTranslation();
  const { busy, rowsCount } = wizard;
  const failed = dry.failed ?? [];
  return (
    <>
      {failed.length === 0 ? (
        <p className="f-wizard__ok" role="status">
          <CheckCircle2 size={18} aria-hidden="true" /> {t('imports.dryRunOk', { count: rowsCount })}
        </p>
      ) : (
        <>
          <p role="status">{t('imports.dryRunErrors', { failed: failed.length })}</p>
          <table className="f-table">
            <thead>
              <tr>
                <th scope="col">{t('imports.row')}</th>
                <th scope="col">{t('imports.problems')}</th>
              </tr>
            </thead>
            <tbody>
              {failed.slice(0, 200).map((f) => (
                <tr key={f.row}>
                  <td>{f.row}</td>
                  <td>
                    {rowProblems(f.errors).map((p) => (
                      <div key={p}>{p}</div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div className="f-wizard__actions">
        <Button onClick={() => wizard.setStep('map')}>{t('imports.back')}</Button>
        {failed.length === 0 ? (
          <Button variant="primary" loading={busy} onClick={() => void wizard.commit(false)}>
            {busy ? t('imports.importing') : t('imports.commit', { count: rowsCount })}
          </Button>
        ) : (
          failed.length < rowsCount && (
            <Button variant="primary" loading={busy} onClick={() => void wizard.commit(true)}>
              {busy ? t('imports.importing') : t('imports.commitGood')}
            </Button>
          )
        )}
      </div>
    </>
  );
}
