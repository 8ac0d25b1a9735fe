import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Code2, Plus, Trash2, Upload } from 'lucide-react';
import { useLocale } from '../../i18n/use-locale';
import type { ObjectSchema } from '../../meta/meta-types';
import { Button, Dialog, EmptyState, Page, PageHeader, useToast } from '../../ui';
import { type MetaDocument, PublishDialog, presentEntries, QueryState, useUnsavedChangesGuard } from '../common';
import { sameJson } from '../permissions/role-model';
import { useMetaDocument } from '../permissions/use-meta-document';
import { CodeEditor, type CodeEditorHandle } from './code-editor';
import { NewScriptDialog } from './new-script-dialog';
import { scriptLabel } from './script-label';
import { ScriptList } from './script-list';
import { ScriptProblems } from './script-problems';
import { ScriptSettings } from './script-settings';
import { sampleFor } from './sample-json';
import { type SourceProblem, sourceProblemsByScript } from './script-diagnostics';
import { ScriptTestPanel } from './script-test-panel';
import type { ScriptDefinition } from './scripts-api';
import './scripts-page.css';

/**
 * `/designer/scripts`: the tenant's scripts, edited in CodeMirror as drafts, tried on samples, and
 * published through the plan like every designer screen, compile errors shown at their line.
 */
export function ScriptsPage() {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const meta = useMetaDocument();
  const body = (
    <QueryState query={meta}>
      {(data) => (
        <ScriptsWorkspace
          saved={presentEntries(data.scripts as Record<string, ScriptDefinition | null> | undefined)}
          version={data.version}
          objects={presentEntries(data.objects as Record<string, ObjectSchema | null> | undefined)}
          lang={locale}
        />
      )}
    </QueryState>
  );
  return (
    <Page wide>
      <PageHeader
        icon={<Code2 size={22} aria-hidden="true" />}
        title={t('scriptEditor.title')}
        subtitle={t('scriptEditor.subtitle')}
        actions={<Link to="/designer">{t('scriptEditor.backToDesigner')}</Link>}
      />
      {body}
    </Page>
  );
}

interface WorkspaceProps {
  saved: Record<string, ScriptDefinition>;
  version: number;
  objects: Record<string, ObjectSchema>;
  lang: string;
}

/** What the publish dialog is open for: every changed script, or removing one published script. */
type Publishing = { kind: 'changes' } | { kind: 'delete'; name: string } | null;

/**
 * Edits are kept per script as drafts until published, so moving between scripts loses nothing;
 * leaving the screen or reloading with any unpublished edit asks first. Publishing sends every
 * changed script through the plan dialog; a refusal because code does not compile marks each
 * problem at its line, in whichever script it is, and keeps the drafts.
 */
function ScriptsWorkspace({ saved, version, objects, lang }: WorkspaceProps) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const id = useId();
  const editor = useRef<CodeEditorHandle>(null);
  const [drafts, setDrafts] = useState<Record<string, ScriptDefinition>>({});
  const [selected, setSelected] = useState<string | undefined>(() => Object.keys(saved).sort()[0]);
  // Compile problems of the last refused publish (or failed test run), per script.
  const [problems, setProblems] = useState<Record<string, SourceProblem[]>>({});
  const [publishing, setPublishing] = useState<Publishing>(null);
  // A problem to show once its script's editor is on screen (after switching to it).
  const [reveal, setReveal] = useState<SourceProblem | null>(null);
  const [creating, setCreating] = useState(false);
  const [confirmDiscardDraft, setConfirmDiscardDraft] = useState(false);

  const names = [...new Set([...Object.keys(saved), ...Object.keys(drafts)])].sort();
  const isDirty = (n: string) => n in drafts && !sameJson(drafts[n], saved[n]);
  const dirtyNames = names.filter(isDirty);
  const guard = useUnsavedChangesGuard(dirtyNames.length > 0);

  const current = selected && names.includes(selected) ? selected : undefined;
  const script = current ? (drafts[current] ?? saved[current]) : undefined;
  const currentProblems = (current && problems[current]) || [];
  const edit = (patch: Partial<ScriptDefinition>) => {
    if (!current || !script) return;
    setDrafts((d) => ({ ...d, [current]: { ...script, ...patch } }));
  };
  const setProblemsOf = (name: string, list: SourceProblem[]) =>
    setProblems(({ [name]: _old, ...rest }) => (list.length ? { ...rest, [name]: list } : rest));

  useEffect(() => {
    if (!reveal) return;
    editor.current?.reveal(reveal);
    setReveal(null);
  }, [reveal]);

  /**
   * The published version is the new baseline. A draft published (or deleted) as version n is
   * dropped only once this component renders version n: dropping it as soon as the refetch resolves
   * could render the old script for a moment, since query observers are told on a later tick.
   */
  const [settled, setSettled] = useState<Record<string, number>>({});
  const settle = async (published: string[], newVersion: number) => {
    setSettled((s) => ({ ...s, ...Object.fromEntries(published.map((n) => [n, newVersion])) }));
    setProblems((p) => Object.fromEntries(Object.entries(p).filter(([n]) => !published.includes(n))));
    await queryClient.invalidateQueries({ queryKey: ['meta'] });
  };
  useEffect(() => {
    const done = Object.keys(settled).filter((n) => (settled[n] ?? Number.POSITIVE_INFINITY) <= version);
    if (done.length === 0) return;
    const drop = <T,>(m: Record<string, T>) => Object.fromEntries(Object.entries(m).filter(([n]) => !done.includes(n)));
    setDrafts(drop);
    setSettled(drop);
  }, [settled, version]);

  // What the dialog publishes, on the version the drafts were made on (a newer one is reported).
  const publishDocument: Partial<MetaDocument> =
    publishing?.kind === 'delete'
      ? { version, scripts: { [publishing.name]: null } }
      : { version, scripts: Object.fromEntries(dirtyNames.map((n) => [n, drafts[n] as ScriptDefinition])) };

  /** A refusal naming code problems is shown in the editor, at the first problem; others stay in the dialog. */
  const onPublishFailed = (e: unknown): boolean => {
    const found = sourceProblemsByScript(e);
    const failing = Object.keys(found);
    if (failing.length === 0) return false;
    setProblems(found);
    const show = current && found[current] ? current : failing.sort()[0];
    if (show) {
      setSelected(show);
      setReveal(found[show]?.[0] ?? null);
    }
    return true;
  };

  function remove() {
    if (!current) return;
    if (saved[current]) setPublishing({ kind: 'delete', name: current });
    else setConfirmDiscardDraft(true);
  }

  function discard(name: string) {
    setDrafts(({ [name]: _gone, ...rest }) => rest);
    setProblemsOf(name, []);
  }

  const problemCount = currentProblems.length;
  return (
    <div className="f-scripts">
      {guard}
      <ScriptList
        names={names}
        scriptOf={(n) => drafts[n] ?? saved[n]}
        isDirty={isDirty}
        objects={objects}
        lang={lang}
        current={current}
        onSelect={setSelected}
        onNew={() => setCreating(true)}
      />
      <section className="f-scripts__main" aria-label={current ?? t('scriptEditor.scripts')}>
        <div className="f-perm-toolbar f-scripts__toolbar">
          <span className="f-perm-toolbar__status" aria-live="polite">
            {dirtyNames.length
              ? t('scriptEditor.unpublished', { count: dirtyNames.length })
              : t('scriptEditor.upToDate')}
          </span>
          <Button
            variant="primary"
            icon={<Upload size={16} aria-hidden="true" />}
            disabled={dirtyNames.length === 0}
            onClick={() => setPublishing({ kind: 'changes' })}
          >
            {t('scriptEditor.publish')}
          </Button>
        </div>
        {!current || !script ? (
          <EmptyState
            icon={<Code2 size={22} aria-hidden="true" />}
            headingLevel={2}
            title={names.length ? t('scriptEditor.pickScript') : t('scriptEditor.noScriptsTitle')}
            action={
              <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />} onClick={() => setCreating(true)}>
                {t('scriptEditor.newScript')}
              </Button>
            }
          />
        ) : (
          <>
            <header className="f-perm-editor__head">
              <div>
                <h2>{scriptLabel(script, lang, current)}</h2>
                <p className="f-perm-rolelist__name">{current}</p>
              </div>
              <Button size="sm" disabled={!isDirty(current) || !saved[current]} onClick={() => discard(current)}>
                {t('scriptEditor.discard')}
              </Button>
              <Button variant="danger" size="sm" icon={<Trash2 size={14} aria-hidden="true" />} onClick={remove}>
                {t('scriptEditor.delete')}
              </Button>
            </header>
            <ScriptSettings
              id={id}
              script={script}
              objects={objects}
              lang={lang}
              onChange={(next) => setDrafts((d) => ({ ...d, [current]: next }))}
            />
            <div className="f-scripts__editor">
              <CodeEditor
                key={current}
                ref={editor}
                value={script.code}
                language={script.language ?? 'js'}
                problems={currentProblems}
                label={t('scriptEditor.code')}
                onChange={(code) => edit({ code })}
              />
            </div>
            <ScriptProblems
              error={problemCount ? t('scriptEditor.problems', { count: problemCount }) : null}
              problems={currentProblems}
              onReveal={(p) => editor.current?.reveal(p)}
            />
            <ScriptTestPanel
              key={`test-${current}`}
              name={current}
              script={script}
              initialRecord={sampleFor(objects[script.object]?.properties)}
              onProblems={(list) => setProblemsOf(current, list)}
            />
          </>
        )}
      </section>
      <NewScriptDialog
        open={creating}
        onOpenChange={setCreating}
        objects={objects}
        taken={names}
        lang={lang}
        onCreate={(name, def) => {
          setDrafts((d) => ({ ...d, [name]: def }));
          setSelected(name);
        }}
      />
      <PublishDialog
        open={publishing !== null}
        onOpenChange={(o) => !o && setPublishing(null)}
        document={publishDocument}
        title={
          publishing?.kind === 'delete'
            ? t('scriptEditor.deleteTitle', { name: saved[publishing.name]?.label || publishing.name })
            : t('scriptEditor.publishTitle')
        }
        onFailed={onPublishFailed}
        onPublished={(v) => {
          const published = publishing?.kind === 'delete' ? [publishing.name] : dirtyNames;
          void settle(published, v);
          toast({
            tone: 'success',
            title:
              publishing?.kind === 'delete' ? t('scriptEditor.deleted') : t('scriptEditor.published', { version: v }),
          });
        }}
      />
      <Dialog
        open={confirmDiscardDraft}
        onOpenChange={setConfirmDiscardDraft}
        title={t('scriptEditor.deleteTitle', { name: current ?? '' })}
        description={t('scriptEditor.deleteDraftBody')}
        closeLabel={t('common.close')}
        width={440}
        footer={
          <>
            <Button onClick={() => setConfirmDiscardDraft(false)} autoFocus>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                setConfirmDiscardDraft(false);
                if (current) discard(current);
              }}
            >
              {t('scriptEditor.delete')}
            </Button>
          </>
        }
      />
    </div>
  );
}
