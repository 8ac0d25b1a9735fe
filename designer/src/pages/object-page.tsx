import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { Rows3, SearchX } from 'lucide-react';
import { objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import { useAppMeta } from '../meta/use-app-meta';
import { NavIcon } from '../shell/nav-icon';
import { objectIcon } from '../meta/nav-items';
import { Button, EmptyState, ErrorState, LoadingState, Page, PageHeader } from '../ui';

/** `/o/:object`: the object's page. The list view lands here with the records API. */
export function ObjectPage() {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const { object = '' } = useParams();
  const meta = useAppMeta();
  if (meta.isPending) return <LoadingState label={t('common.loading')} />;
  if (meta.isError) {
    return (
      <ErrorState
        headingLevel={1}
        title={t('errors.title')}
        body={meta.error.message}
        action={<Button onClick={() => void meta.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  const schema = meta.data?.objects[object];
  if (!schema) {
    return (
      <Page>
        <EmptyState
          icon={<SearchX size={22} aria-hidden="true" />}
          headingLevel={1}
          title={t('object.unknownTitle')}
          body={t('object.unknownBody')}
        />
      </Page>
    );
  }
  const label = objectLabel(object, schema, locale);
  return (
    <Page>
      <PageHeader title={label} icon={<NavIcon name={objectIcon(object, schema)} size={22} />} />
      <EmptyState
        icon={<Rows3 size={22} aria-hidden="true" />}
        headingLevel={2}
        title={t('object.emptyTitle', { label })}
        body={t('object.emptyBody')}
      />
    </Page>
  );
}
