import { ArrowLeft, ExternalLink, Redo2, Rocket, Undo2 } from 'lucide-react';
import { Tabs } from 'radix-ui';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { objectLabel } from '../../i18n/pick-label';
import { Button, EmptyState, IconButton, Page, PageHeader, useToast } from '../../ui';
import { MetaDocumentGate } from '../common/meta-document-gate';
import type { FullMetaDocument } from '../common/meta-write-api';
import { PublishDialog } from '../common/publish-dialog';
import { useUnsavedChangesGuard } from '../common/use-unsaved-changes-guard';
import { useUndoHistory, useUndoShortcuts } from '../common/use-undo-history';
import { FieldsTab } from './fields-tab';
import { FormLayoutTab } from './form-layout-tab';
import { FormLogicTab } from './form-logic-tab';
import { IDENTIFIER } from './identifier';
import { type EditorDraft, draftFromDocument, isDirty, newObjectDraft, publishPatch } from './object-draft';
import { ObjectSettingsTab } from './object-settings-tab';
import { ViewsTab } from './views-tab';
import './objects.css';

const TABS = ['fields', 'form', 'logic', 'views', 'settings'] as const;
type Tab = (typeof TABS)[number];

/** `/designer/objects/:object` (`?new=1&label=…` starts a new one): fields, form, views, settings. */
export function ObjectEditorPage() {
  const { t } = useTranslation();
  const { object = '' } = useParams();
  const [search] = useSearchParams();
  return (
    <MetaDocumentGate loadFailed={t('objectDesigner.loadFailed')}>
      {(doc) => {
        const original = draftFromDocument(doc, object);
        const isNew = !original && search.get('new') === '1' && IDENTIFIER.test(object);
        if (!original && !isNew) {
          return (
            <Page>
              <EmptyState
                headingLevel={1}
                title={t('objectDesigner.unknownObject', { name: object })}
                action={
                  <Link className="f-btn f-btn--secondary f-btn--md" to="/designer/objects">
                    <span className="f-btn__label">{t('objectDesigner.backToObjects')}</span>
                  </Link>
                }
              />
            </Page>
          );
        }
        const initial = original ?? newObjectDraft(object, search.get('label')?.trim() || object);
        // A new version (after publishing) starts a fresh editor with an empty undo history.
        return <ObjectEditor key={`${object}@${doc.version}`} doc={doc} original={original} initial={initial} />;
      }}
    </MetaDocumentGate>
  );
}

function ObjectEditor({
  doc,
  original,
  initial,
}: {
  doc: FullMetaDocument;
  original: EditorDraft | null;
  initial: EditorDraft;
}) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const history = useUndoHistory<EditorDraft>(initial);
  const draft = history.value;
  const dirty = isDirty(original, draft);
  const guard = useUnsavedChangesGuard(dirty);
  useUndoShortcuts(history);
  const [tab, setTab] = useState<Tab>('fields');
  const [publishing, setPublishing] = useState(false);
  const patch = useMemo(
    () => ({ ...publishPatch(original, draft), version: doc.version }),
    [original, draft, doc.version],
  );
  const label = objectLabel(draft.name, draft.object, i18n.language);

  return (
    <Page wide>
      {guard}
      <Link className="f-od-back" to="/designer/objects">
        <ArrowLeft size={16} aria-hidden="true" /> {t('objectDesigner.backToObjects')}
      </Link>
      <PageHeader
        title={label}
        subtitle={
          <span className="f-od-subtitle">
            <code className="f-od-code">{draft.name}</code>
            {original ? null : <span className="f-od-pill">{t('objectDesigner.notPublished')}</span>}
            {dirty && <span className="f-od-pill f-od-pill--warn">{t('objectDesigner.unpublishedChanges')}</span>}
          </span>
        }
        actions={
          <>
            <IconButton
              label={t('objectDesigner.undo')}
              icon={<Undo2 size={18} aria-hidden="true" />}
              onClick={history.undo}
              disabled={!history.canUndo}
              aria-keyshortcuts="Control+Z Meta+Z"
            />
            <IconButton
              label={t('objectDesigner.redo')}
              icon={<Redo2 size={18} aria-hidden="true" />}
              onClick={history.redo}
              disabled={!history.canRedo}
              aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z"
            />
            {original && (
              <Link className="f-btn f-btn--ghost f-btn--md" to={`/o/${draft.name}`}>
                <ExternalLink size={16} aria-hidden="true" />
                <span className="f-btn__label">{t('objectDesigner.openInApp')}</span>
              </Link>
            )}
            <Button
              variant="primary"
              icon={<Rocket size={16} aria-hidden="true" />}
              disabled={!dirty}
              onClick={() => setPublishing(true)}
            >
              {t('objectDesigner.publish')}
            </Button>
          </>
        }
      />
      <Tabs.Root value={tab} onValueChange={(v) => setTab(v as Tab)} className="f-od-tabs">
        <Tabs.List className="f-od-tabs__list" aria-label={label}>
          {TABS.map((k) => (
            <Tabs.Trigger key={k} value={k} className="f-od-tabs__trigger">
              {t(`objectDesigner.tab_${k}` as const)}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="fields" className="f-od-tabs__panel">
          <FieldsTab doc={doc} draft={draft} original={original} onChange={history.set} />
        </Tabs.Content>
        <Tabs.Content value="form" className="f-od-tabs__panel">
          <FormLayoutTab draft={draft} onChange={history.set} />
        </Tabs.Content>
        <Tabs.Content value="logic" className="f-od-tabs__panel">
          <FormLogicTab doc={doc} draft={draft} onChange={history.set} />
        </Tabs.Content>
        <Tabs.Content value="views" className="f-od-tabs__panel">
          <ViewsTab doc={doc} draft={draft} onChange={history.set} />
        </Tabs.Content>
        <Tabs.Content value="settings" className="f-od-tabs__panel">
          <ObjectSettingsTab draft={draft} onChange={history.set} />
        </Tabs.Content>
      </Tabs.Root>
      <PublishDialog
        open={publishing}
        onOpenChange={setPublishing}
        document={patch}
        onPublished={(version) => {
          toast({ title: t('objectDesigner.published', { version }), tone: 'success' });
          if (!original) navigate(`/designer/objects/${draft.name}`, { replace: true });
        }}
      />
    </Page>
  );
}
