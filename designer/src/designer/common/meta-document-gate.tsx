import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, ErrorState, LoadingState } from '../../ui';
import { useMetaDocument } from '../objects/use-meta-document';
import type { FullMetaDocument } from './meta-write-api';

/**
 * A designer screen's content once the tenant's metadata document is in: "Loading…" until then, the
 * screen's own "could not load" with a retry when it fails. It reads the same cached query as any
 * `useMetaDocument()` of the page around it, so both see one document.
 */
export function MetaDocumentGate({
  loadFailed,
  children,
}: {
  /** The screen's own failure title (the error's message is shown under it). */
  loadFailed: string;
  children: (doc: FullMetaDocument) => ReactNode;
}) {
  const { t } = useTranslation();
  const meta = useMetaDocument();
  if (meta.isPending) return <LoadingState label={t('common.loading')} />;
  if (meta.isError)
    return (
      <ErrorState
        title={loadFailed}
        body={meta.error.message}
        action={<Button onClick={() => meta.refetch()}>{t('common.retry')}</Button>}
      />
    );
  return <>{children(meta.data)}</>;
}
