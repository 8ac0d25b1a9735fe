import { useTranslation } from 'react-i18next';
import { Button, ErrorState } from '../ui';
import './full-page.css';

/** Last line of defence for a screen that throws while rendering: explain, offer a reload. */
export function RouteErrorPage() {
  const { t } = useTranslation();
  return (
    <div className="f-full-page">
      <ErrorState
        headingLevel={1}
        title={t('errors.title')}
        body={t('errors.body')}
        action={
          <Button variant="primary" onClick={() => window.location.reload()}>
            {t('common.retry')}
          </Button>
        }
      />
    </div>
  );
}
