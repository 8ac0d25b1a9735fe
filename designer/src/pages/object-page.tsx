import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { SearchX } from 'lucide-react';
import { RecordList } from '../records/record-list';
import { objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import { useAppMeta } from '../meta/use-app-meta';
import { NavIcon } from '../shell/nav-icon';
import { objectIcon } from '../meta/nav-items';
import { Button, EmptyState, ErrorState, LoadingState, Page, PageHeader } from '../ui';

/** `/o/:object`: the object's list view. */
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
    <Page wide>
      <PageHeader title={label} icon={<NavIcon name={objectIcon(object, schema)} size={22} />} />
      <RecordList object={object} schema={schema} meta={meta.data!} label={label} lang={locale} />
    </Page>
  );
}
