import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Compass } from 'lucide-react';
import { EmptyState, Page } from '../ui';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Page>
      <EmptyState
        icon={<Compass size={22} aria-hidden="true" />}
        headingLevel={1}
        title={t('errors.notFoundTitle')}
        body={t('errors.notFoundBody')}
        action={
          <Link className="f-btn f-btn--secondary" to="/">
            {t('errors.goHome')}
          </Link>
        }
      />
    </Page>
  );
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return (
    <Page>
      <EmptyState
        headingLevel={1}
        title={t('errors.forbiddenTitle')}
        body={t('errors.forbiddenBody')}
        action={
          <Link className="f-btn f-btn--secondary" to="/">
            {t('errors.goHome')}
          </Link>
        }
      />
    </Page>
  );
}
