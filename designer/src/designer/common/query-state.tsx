import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, ErrorState, LoadingState } from '../../ui';

/** A designer screen's query while loading, after failing (with a retry), or its content once in. */
export function QueryState<T>({
  query,
  failed,
  children,
}: {
  query: UseQueryResult<T, Error>;
  /** The failure's title (the error's message goes under it); the generic one, as a section heading, by default. */
  failed?: { title: string; headingLevel?: 1 | 2 | 3 };
  children: (data: T) => ReactNode;
}) {
  const { t } = useTranslation();
  const failure = failed ?? { title: t('errors.title'), headingLevel: 2 };
  if (query.isPending) return <LoadingState label={t('common.loading')} />;
  if (query.isError)
    return (
      <ErrorState
        headingLevel={failure.headingLevel}
        title={failure.title}
        body={query.error.message}
        action={<Button onClick={() => void query.refetch()}>{t('common.retry')}</Button>}
      />
    );
  return <>{children(query.data)}</>;
}

/** A metadata section without its deleted (`null`) entries. */
export function presentEntries<T>(section: Record<string, T | null> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(section ?? {}).filter((e): e is [string, T] => e[1] !== null));
}
