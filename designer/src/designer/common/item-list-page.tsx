import { Plus } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { objectLabel } from '../../i18n/pick-label';
import { Button, Page, PageHeader } from '../../ui';
import { useMetaDocument } from '../objects/use-meta-document';
import { MetaDocumentGate } from './meta-document-gate';
import type { FullMetaDocument } from './meta-write-api';
import { NewObjectItemDialog, type NewObjectItemDialogProps } from './new-object-item-dialog';
import './item-list-page.css';

type ObjectOption = { value: string; label: string };

/**
 * The list page of one kind of metadata item that belongs to an object (segments, web forms,
 * automation rules, reports): its header with "New …", the list once the metadata document is in,
 * and the dialog that names a new item and its object before its editor opens.
 */
export function ItemListPage(props: {
  icon: ReactNode;
  title: string;
  subtitle: string;
  /** The page's own "could not load" title. */
  loadFailed: string;
  newItem: {
    /** The header button's text and the dialog's title. */
    label: string;
    texts: NewObjectItemDialogProps['texts'];
    formId: string;
    /** API names already in use. */
    taken: string[];
    initialObject?: string;
    disabled?: boolean;
    /** Where the editor of the named new item opens. */
    editorPath: (name: string, label: string, object: string) => string;
  };
  /** The list, given the document, the objects as options and `openNew` (an empty list may offer it). */
  children: (list: { doc: FullMetaDocument; objectOptions: ObjectOption[]; openNew: () => void }) => ReactNode;
}) {
  const { i18n } = useTranslation();
  const meta = useMetaDocument();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const { newItem } = props;
  const objectOptions: ObjectOption[] = Object.entries(meta.data?.objects ?? {})
    .filter(([, o]) => !!o)
    .map(([n, o]) => ({ value: n, label: objectLabel(n, o ?? undefined, i18n.language) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const openNew = () => setCreating(true);
  return (
    <Page>
      <PageHeader
        icon={props.icon}
        title={props.title}
        subtitle={props.subtitle}
        actions={
          <Button
            variant="primary"
            icon={<Plus size={16} aria-hidden="true" />}
            disabled={newItem.disabled}
            onClick={openNew}
          >
            {newItem.label}
          </Button>
        }
      />
      <MetaDocumentGate loadFailed={props.loadFailed}>
        {(doc) => props.children({ doc, objectOptions, openNew })}
      </MetaDocumentGate>
      <NewObjectItemDialog
        texts={newItem.texts}
        title={newItem.label}
        formId={newItem.formId}
        open={creating}
        onOpenChange={setCreating}
        taken={newItem.taken}
        objects={objectOptions}
        initialObject={newItem.initialObject}
        onCreate={(name, label, object) => navigate(newItem.editorPath(name, label, object))}
      />
    </Page>
  );
}
