import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { SearchX } from 'lucide-react';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { useAppMeta } from '../meta/use-app-meta';
import { Button, EmptyState, ErrorState, LoadingState, Page } from '../ui';

/**
 * The states every object page shares before it can render: metadata loading, failed (with retry),
 * or an object the user cannot see (unknown and hidden objects look the same on purpose).
 */
export function ObjectMetaGate({
  object,
  children,
}: {
  object: string;
  children: (meta: AppMeta, schema: ObjectSchema) => ReactNode;
}) {
  const { t } = useTranslation();
  const meta = useAppMeta();
  if (meta.isPending) return <LoadingState label={t('common.loading')} />;
  if (meta.isError)
    return (
      <ErrorState
        headingLevel={1}
        title={t('errors.title')}
        body={meta.error.message}
        action={<Button onClick={() => void meta.refetch()}>{t('common.retry')}</Button>}
      />
    );
  const schema = meta.data?.objects[object];
  if (!meta.data || !schema)
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
  return children(meta.data, schema);
}
