import { CheckCircle2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ImportReport } from '../../records/records-api';
import { Button } from '../../ui';

/** Step 4: how many records were created and updated, and what did not make it. */
export function DoneStep({
  object,
  result,
  onRestart,
}: {
  object: string;
  result: ImportReport;
  onRestart: () => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <p className="f-wizard__ok" role="status">
        <CheckCircle2 size={18} aria-hidden="true" />{' '}
        {t('imports.done', { inserted: result.inserted, updated: result.updated })}
      </p>
      {result.failed.length > 0 && <p>{t('imports.doneFailed', { count: result.failed.length })}</p>}
      <div className="f-wizard__actions">
        <Button onClick={onRestart}>{t('imports.again')}</Button>
        <Link className="f-btn f-btn--primary f-btn--md" to={`/o/${object}`}>
          <span className="f-btn__label">{t('imports.viewRecords')}</span>
        </Link>
      </div>
    </>
  );
}
