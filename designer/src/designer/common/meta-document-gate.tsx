import type { ReactNode } from 'react';
import { useMetaDocument } from '../objects/use-meta-document';
import type { FullMetaDocument } from './meta-write-api';
import { QueryState } from './query-state';

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
  const meta = useMetaDocument();
  return (
    <QueryState query={meta} failed={{ title: loadFailed }}>
      {children}
    </QueryState>
  );
}
